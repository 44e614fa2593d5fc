import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PIPELINE, REQUEST_STATUSES, canMove, canWithdraw, isEditable, nextStatuses } from './pipeline.ts';

test('each open status moves one step forward or to rejected, nothing else', () => {
  assert.deepEqual(nextStatuses('submitted'), ['reviewing', 'rejected']);
  assert.deepEqual(nextStatuses('negotiation'), ['contract_signed', 'rejected']);
  assert.deepEqual(nextStatuses('development'), ['deployed', 'rejected']);
  for (let i = 0; i < PIPELINE.length - 1; i++) {
    for (const to of REQUEST_STATUSES) {
      assert.equal(canMove(PIPELINE[i], to), to === PIPELINE[i + 1] || to === 'rejected', `${PIPELINE[i]} → ${to}`);
    }
  }
});

test('final statuses never move; skipping and going back are refused', () => {
  for (const final of ['deployed', 'rejected', 'withdrawn'] as const) {
    assert.deepEqual(nextStatuses(final), []);
    for (const to of REQUEST_STATUSES) assert.equal(canMove(final, to), false);
  }
  assert.equal(canMove('submitted', 'negotiation'), false);
  assert.equal(canMove('development', 'reviewing'), false);
  assert.equal(canMove('submitted', 'withdrawn'), false, 'withdrawing is the client\'s, not a move');
});

test('withdraw before a contract is signed; edit only while submitted', () => {
  assert.deepEqual(REQUEST_STATUSES.filter(canWithdraw), ['submitted', 'reviewing', 'negotiation']);
  assert.deepEqual(REQUEST_STATUSES.filter(isEditable), ['submitted']);
});
