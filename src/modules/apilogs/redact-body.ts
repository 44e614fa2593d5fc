// Bodies of failed requests are kept to help debugging, never with a credential in them. The
// audit module's redaction (password, secret, token, key hashes, TOTP, recovery codes, the
// vault's `value`) is applied first; API logs add what only requests carry: authorization
// headers echoed in bodies, API keys, cookies, private keys, one-time codes.
import { REDACTED, redactSecrets } from '../audit/index.ts';

const REQUEST_ONLY_KEY = /authorization|api_?key|cookie|credential|private_?key|passphrase|^code$|^otp$|^pin$/i;
const MAX_DEPTH = 32;
/** Serialized bodies above this size are replaced by a preview (the redacted JSON's start). */
export const MAX_BODY_BYTES = 8 * 1024;
const PREVIEW_CHARS = 2 * 1024;

function redactExtra(value: unknown, depth: number, isRequest: boolean): unknown {
  if (depth > MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactExtra(v, depth + 1, isRequest));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      // `code` is a one-time code in a request, but the stable error code in a problem+json answer.
      const isSecret = REQUEST_ONLY_KEY.test(key) && (isRequest || !/^code$/i.test(key));
      out[key] = isSecret && v !== null && v !== undefined ? REDACTED : redactExtra(v, depth + 1, isRequest);
    }
    return out;
  }
  return value;
}

/** A redacted, size-capped copy of a body, ready to be stored as jsonb; undefined → null. */
export function redactBody(body: unknown, kind: 'request' | 'response'): unknown {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    // A non-JSON body (text, form, binary): only its size, since it can't be redacted by key.
    return { unparsed: true, bytes: Buffer.byteLength(body) };
  }
  const redacted = redactExtra(redactSecrets(body), 0, kind === 'request');
  const text = JSON.stringify(redacted) ?? 'null';
  if (text.length <= MAX_BODY_BYTES) return redacted;
  return { truncated: true, bytes: Buffer.byteLength(text), preview: text.slice(0, PREVIEW_CHARS) };
}

/** The problem+json answer of an error, parsed (null if it is not JSON). */
export function parseResponsePayload(payload: unknown): unknown {
  if (typeof payload !== 'string' || payload.length === 0) return null;
  const first = payload.trimStart()[0];
  if (first !== '{' && first !== '[') return null;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return null;
  }
}
