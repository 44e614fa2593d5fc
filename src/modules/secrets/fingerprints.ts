// Keyed fingerprints of secret values, so that a check can ask "does this text hold a value kept in
// any workspace's vault?" without decrypting every vault: each value is cut into tokens, and each
// token worth matching is kept as HMAC-SHA256 under a key derived from the master key. The index
// reveals nothing without that key; a text is checked by cutting it the same way. No SQL here.
import { createHmac } from 'node:crypto';
import type { MasterKey } from '../../kernel/config.ts';

/**
 * Where a value is cut. Quotes, backslashes and brackets are delimiters, so a value written into
 * code (quoted, escaped, interpolated in a template) yields the same tokens as the value itself;
 * `-`, `_` and `.` are not, so an API key or a JWT stays one token.
 */
const DELIMITERS = /[\s"'`\\,;:=&?/()[\]{}<>|*!#%^~@$+]+/u;

/**
 * Tokens worth matching: 10 characters or more, and not a plain word (a digit or a symbol in it,
 * or 20 characters at least). Shorter or word-like tokens ("authorization") would match ordinary
 * text and make the index an oracle for guessable values.
 */
export function leakTokens(text: string): string[] {
  const out = new Set<string>();
  for (const token of text.split(DELIMITERS)) {
    if (token.length < 10 || token.length > 4096) continue;
    if (token.length < 20 && /^\p{L}+$/u.test(token)) continue;
    out.add(token);
  }
  return [...out];
}

export type Fingerprinter = { keyId: string; of(token: string): Buffer };

export function fingerprinter(master: MasterKey): Fingerprinter {
  const key = createHmac('sha256', master.key).update('atrium:secret-fingerprint:v1').digest();
  return { keyId: master.id, of: (token) => createHmac('sha256', key).update(token, 'utf8').digest() };
}

/** A value's fingerprints: its tokens' (the whole value is one when it has no delimiter). */
export function valueFingerprints(fp: Fingerprinter, value: string): Buffer[] {
  return leakTokens(value).map((t) => fp.of(t));
}
