import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCurrency, minorDigits, moneyFromDecimal } from './money.ts';

test('decimal amounts become integer minor units, rounded half away from zero, without floats', () => {
  assert.deepEqual(moneyFromDecimal('37.5000', 'EUR'), { amountMinor: 3750, currency: 'EUR' });
  assert.deepEqual(moneyFromDecimal('0.0050', 'EUR'), { amountMinor: 1, currency: 'EUR' });
  assert.deepEqual(moneyFromDecimal('0.0049', 'EUR'), { amountMinor: 0, currency: 'EUR' });
  assert.deepEqual(moneyFromDecimal('-1.005', 'EUR'), { amountMinor: -101, currency: 'EUR' });
  assert.deepEqual(moneyFromDecimal('-0.001', 'EUR'), { amountMinor: 0, currency: 'EUR' });
  assert.deepEqual(moneyFromDecimal('1234.5', 'JPY'), { amountMinor: 1235, currency: 'JPY' });
  assert.deepEqual(moneyFromDecimal('1.2345', 'BHD'), { amountMinor: 1235, currency: 'BHD' });
  assert.deepEqual(moneyFromDecimal(null, 'USD'), { amountMinor: 0, currency: 'USD' });
  // 0.1 + 0.2 in floats is 0.30000000000000004; a sum of numeric stays exact.
  assert.deepEqual(moneyFromDecimal('99999999999.9999', 'EUR'), { amountMinor: 10_000_000_000_000, currency: 'EUR' });
  assert.throws(() => moneyFromDecimal('1e5', 'EUR'), RangeError);
});

test('currencies are ISO 4217 codes the runtime knows, with their minor digits', () => {
  assert.equal(isCurrency('EUR'), true);
  assert.equal(isCurrency('eur'), false);
  assert.equal(isCurrency('XYZ'), false);
  assert.equal(minorDigits('EUR'), 2);
  assert.equal(minorDigits('JPY'), 0);
  assert.equal(minorDigits('BHD'), 3);
});
