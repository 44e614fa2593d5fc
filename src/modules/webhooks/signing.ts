// Standard Webhooks (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix
// seconds), `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (several
// space-separated during a secret rotation), secrets `whsec_<base64>`. Signing and the
// signature comparison are the `standardwebhooks` package's; header parsing and the timestamp
// tolerance are checked here first, so each refusal has its own code.
import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { decrypt, encrypt } from '../../kernel/crypto.ts';

export const TOLERANCE_SECONDS = 5 * 60;
const SECRET_BYTES = 32;
const WEBHOOK_ID = /^[\x21-\x7e]{1,255}$/;
const TIMESTAMP = /^\d{1,12}$/;

export function generateSecret(): string {
  return `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** A secret at rest: sealed with the module's key, bound to what it belongs to. */
export function sealSecret(key: Buffer, owner: SecretOwner, secret: string): string {
  return encrypt(key, secret, secretAad(owner));
}

export function openSecret(key: Buffer, owner: SecretOwner, sealed: string): string {
  const secret = decrypt(key, sealed, secretAad(owner));
  if (secret === null) throw new Error(`webhooks: the secret of ${owner.kind} ${owner.id} does not decrypt`);
  return secret;
}

export type SecretOwner = { kind: 'endpoint' | 'subscription'; workspaceId: string; id: string };

function secretAad(owner: SecretOwner): string {
  return JSON.stringify(['atrium:webhook-secret:v1', owner.kind, owner.workspaceId, owner.id]);
}

/** A signer/verifier per secret (decoding the key once). */
export function signerOf(secret: string): Webhook {
  return new Webhook(secret);
}

/** `webhook-signature` for a body: one `v1,…` per live secret, current first. */
export function signatureHeader(signers: Webhook[], webhookId: string, at: Date, body: string): string {
  return signers.map((s) => s.sign(webhookId, at, body)).join(' ');
}

export type Verification =
  | { ok: true; webhookId: string; timestamp: Date }
  | { ok: false; reason: 'missing' | 'stale' | 'invalid'; detail: string };

type HeaderBag = Record<string, string | string[] | undefined>;

function single(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Verify a delivery against any of the endpoint's live secrets (over the bytes as received). */
export function verifyDelivery(signers: Webhook[], headers: HeaderBag, body: string | Buffer, nowMs: number = Date.now()): Verification {
  const id = single(headers, 'webhook-id');
  const ts = single(headers, 'webhook-timestamp');
  const signature = single(headers, 'webhook-signature');
  if (!id || !ts || !signature) return { ok: false, reason: 'missing', detail: 'Send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks)' };
  if (!WEBHOOK_ID.test(id)) return { ok: false, reason: 'missing', detail: 'webhook-id must be 1 to 255 printable ASCII characters' };
  if (!TIMESTAMP.test(ts)) return { ok: false, reason: 'missing', detail: 'webhook-timestamp must be Unix seconds' };
  const seconds = Number(ts);
  if (Math.abs(nowMs / 1000 - seconds) > TOLERANCE_SECONDS) {
    return { ok: false, reason: 'stale', detail: `webhook-timestamp is more than ${TOLERANCE_SECONDS} s away from the server's clock` };
  }
  const bag = { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': signature };
  for (const signer of signers) {
    try {
      signer.verify(body, bag, { jsonParse: false });
      return { ok: true, webhookId: id, timestamp: new Date(seconds * 1000) };
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
    }
  }
  return { ok: false, reason: 'invalid', detail: 'The signature does not match the body with this endpoint\'s secret' };
}
