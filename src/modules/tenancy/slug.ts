// Workspace slugs: lowercase ASCII letters, digits and inner hyphens, 1–63 characters (the
// same rule as the database check), unique across the installation.
import { randomBytes } from 'node:crypto';
import type { Tx } from '../../kernel/db/database.ts';
import { isSlugTaken } from './workspaces.store.ts';

export const SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';
const SLUG = new RegExp(SLUG_PATTERN);
const BASE_MAX = 48; // leaves room for a suffix within 63 characters

/** Names the console and the API use at the root of paths or hosts: never a workspace slug. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'admin', 'api', 'app', 'assets', 'atrium', 'auth', 'console', 'docs', 'help', 'invite', 'login',
  'logout', 'new', 'onboard', 'settings', 'signup', 'static', 'status', 'support', 'www',
]);

export function isValidSlug(slug: string): boolean {
  return SLUG.test(slug);
}

export function isReservedSlug(slug: string): boolean {
  return RESERVED_SLUGS.has(slug);
}

// Latin letters that Unicode decomposition does not reduce to ASCII.
const LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i' };

/** "Café Crème & Co." → "cafe-creme-co"; never empty. */
export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[ßæœøđðłþı]/g, (c) => LETTERS[c] ?? '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, BASE_MAX)
    .replace(/-+$/g, '');
  return base || 'workspace';
}

/**
 * Candidates for a derived slug, in order: base, base-2 … base-9, then random suffixes.
 * A reserved base is never offered bare.
 */
export function* slugCandidates(base: string): Generator<string> {
  if (!isReservedSlug(base)) yield base;
  for (let n = 2; n <= 9; n++) yield `${base}-${n}`;
  for (;;) yield `${base}-${randomBytes(3).toString('hex')}`;
}

/** The first candidate no committed workspace uses (the insert still guards against a race). */
export async function nextFreeSlug(tx: Tx, candidates: Iterator<string>): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const { value } = candidates.next();
    if (!(await isSlugTaken(tx, value as string))) return value as string;
  }
  throw new Error('No free slug found after 50 attempts');
}
