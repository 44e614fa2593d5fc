import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { generateSecret, openSecret, sealSecret, signatureHeader, signerOf, verifyDelivery } from './signing.ts';

test('signatures follow Standard Webhooks: base64 HMAC-SHA256 of "id.timestamp.body" with the decoded secret', () => {
  const secret = generateSecret();
  const seconds = Math.floor(Date.now() / 1000);
  const at = new Date(seconds * 1000);
  const header = signatureHeader([signerOf(secret)], 'msg_1', at, '{"a":1}');
  const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`msg_1.${seconds}.{"a":1}`).digest('base64');
  assert.equal(header, `v1,${expected}`);
  const ok = verifyDelivery([signerOf(secret)], { 'webhook-id': 'msg_1', 'webhook-timestamp': String(seconds), 'webhook-signature': header }, '{"a":1}');
  assert.equal(ok.ok, true);
  const stale = verifyDelivery([signerOf(secret)], { 'webhook-id': 'msg_1', 'webhook-timestamp': String(seconds), 'webhook-signature': header }, '{"a":1}', at.getTime() + 301_000);
  assert.deepEqual(stale.ok ? null : stale.reason, 'stale');
  const loose = verifyDelivery([signerOf(secret)], { 'webhook-id': 'msg_1', 'webhook-timestamp': `${seconds}abc`, 'webhook-signature': header }, '{"a":1}', at.getTime());
  assert.deepEqual(loose.ok ? null : loose.reason, 'missing');
});

test('a sealed secret opens only for its owner', () => {
  const key = Buffer.alloc(32, 1);
  const owner = { kind: 'endpoint' as const, workspaceId: 'w1', id: 'e1' };
  const sealed = sealSecret(key, owner, 'whsec_x');
  assert.equal(openSecret(key, owner, sealed), 'whsec_x');
  assert.throws(() => openSecret(key, { ...owner, workspaceId: 'w2' }, sealed));
});
