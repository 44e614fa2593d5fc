import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUuid, uuidv7, uuidv7Time } from './ids.ts';

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
