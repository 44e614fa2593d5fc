import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUrlTarget, guardedLookup, isPublicAddress } from './public-address.ts';

test('private, loopback, link-local, reserved and embedded-IPv4 addresses are not public', () => {
  for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::',
    'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a9fe:a9fe', 'not-an-ip']) {
    assert.equal(isPublicAddress(a), false, a);
  }
  for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPublicAddress(a), true, a);
});

test('URL targets: literal private IPs and localhost refused unless allowed; schemes and credentials always checked', () => {
  assert.match(checkUrlTarget('http://127.0.0.1:8080/x', { allowPrivate: false }) ?? '', /127\.0\.0\.1/);
  assert.match(checkUrlTarget('http://[::1]/x', { allowPrivate: false }) ?? '', /::1/);
  assert.match(checkUrlTarget('http://localhost/x', { allowPrivate: false }) ?? '', /localhost/);
  assert.equal(checkUrlTarget('http://127.0.0.1/x', { allowPrivate: true }), null);
  assert.equal(checkUrlTarget('https://example.com/hook', { allowPrivate: false }), null);
  assert.match(checkUrlTarget('ftp://example.com', { allowPrivate: true }) ?? '', /http/);
  assert.match(checkUrlTarget('https://u:p@example.com', { allowPrivate: true }) ?? '', /credentials/);
});

test('the connection-time lookup refuses a name resolving to loopback', async () => {
  const lookup = guardedLookup({ allowPrivate: false });
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('localhost', {}, (e) => resolve(e)));
  assert.equal(err?.code, 'ENONPUBLIC');
  const ok = await new Promise<string | unknown>((resolve) => guardedLookup({ allowPrivate: true })('localhost', {}, (_e, address) => resolve(address)));
  assert.match(String(ok), /^(127\.0\.0\.1|::1)$/);
});
