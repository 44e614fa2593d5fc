import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidSlug, slugCandidates, slugify } from './slug.ts';

test('slugify keeps letters and digits, folds accents and punctuation into single hyphens', () => {
  assert.equal(slugify('Acme Corp'), 'acme-corp');
  assert.equal(slugify('  Café Crème & Co. '), 'cafe-creme-co');
  assert.equal(slugify('Ünïcödé---Straße 42'), 'unicode-strasse-42');
  assert.equal(slugify('日本語'), 'workspace');
  assert.equal(slugify('!!!'), 'workspace');
});

test('a slugified name is always a valid slug, with room for a suffix', () => {
  for (const name of ['A', 'x'.repeat(300), `${'ab-'.repeat(40)}z`, '--a--', 'Ça va?', '9 lives']) {
    const slug = slugify(name);
    assert.ok(isValidSlug(slug), `${JSON.stringify(name)} → ${slug}`);
    assert.ok(slug.length <= 48);
    assert.ok(isValidSlug(`${slug}-ffffff`));
  }
});

test('isValidSlug follows the database rule', () => {
  for (const ok of ['a', 'acme', 'acme-2', 'a1', '0']) assert.ok(isValidSlug(ok), ok);
  for (const bad of ['', '-a', 'a-', 'Acme', 'a_b', 'a b', 'é', 'a'.repeat(64)]) assert.equal(isValidSlug(bad), false, bad);
});

test('candidates: the base, numbered suffixes, then random ones; a reserved base is never offered bare', () => {
  const acme = slugCandidates('acme');
  const first = Array.from({ length: 10 }, () => acme.next().value);
  assert.deepEqual(first.slice(0, 9), ['acme', 'acme-2', 'acme-3', 'acme-4', 'acme-5', 'acme-6', 'acme-7', 'acme-8', 'acme-9']);
  assert.match(first[9] as string, /^acme-[0-9a-f]{6}$/);
  assert.equal(slugCandidates('admin').next().value, 'admin-2');
});
