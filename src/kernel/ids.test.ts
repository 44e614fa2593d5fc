import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUuid, uuidv7, uuidv7Monotonic, uuidv7Time } from './ids.ts';

test('uuidv7 has version 7, the RFC variant and the given time', () => {
  const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const id = uuidv7(at);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(uuidv7Time(id), at);
  assert.ok(isUuid(id));
});

test('uuidv7 ids sort by time and do not repeat', () => {
  const earlier = uuidv7(1_700_000_000_000);
  const later = uuidv7(1_700_000_000_001);
  assert.ok(earlier < later);
  const many = new Set(Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000)));
  assert.equal(many.size, 1000);
});

test('isUuid refuses what is not a uuid', () => {
  assert.equal(isUuid('not-a-uuid'), false);
  assert.equal(isUuid('acme'), false);
});

test('uuidv7Monotonic: each id sorts after the previous one, within a millisecond and when the clock steps back', () => {
  const at = 1_800_000_000_000;
  const ids = [
    ...Array.from({ length: 5000 }, () => uuidv7Monotonic(at)), // more than the 4,096 of one millisecond's counter
    ...Array.from({ length: 10 }, () => uuidv7Monotonic(at - 60_000)), // the clock went back a minute
    uuidv7Monotonic(at + 5),
  ];
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1] < ids[i], `id ${i} sorts after id ${i - 1}`);
  assert.match(ids[0], /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(uuidv7Time(ids[0]), at);
  assert.equal(uuidv7Time(ids[ids.length - 1]), at + 5);
});

test('ids drawn across refills of the random pool stay well-formed and distinct', () => {
  const ids = Array.from({ length: 3000 }, (_, i) => (i % 2 ? uuidv7() : uuidv7Monotonic()));
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // The 62 random bits of the last part are not all alike (the pool is random, not zeros).
  assert.ok(new Set(ids.map((id) => id.slice(19, 23))).size > 100);
});

test('uuidv7 writes the full 48-bit millisecond', () => {
  const at = 0xfedc_ba98_7654; // ~ year 10889: every byte of the time field is used
  assert.equal(uuidv7Time(uuidv7(at)), at);
  assert.equal(uuidv7(at).slice(0, 13), 'fedcba98-7654');
});
