// Money, one shape everywhere in the API: `{ amountMinor, currency }`, an integer count of the
// currency's minor unit (cents for EUR, yen for JPY, fils for BHD) and its ISO 4217 code, as
// Stripe does. Decimal amounts from PostgreSQL (numeric) are converted with string arithmetic,
// never through a float, and rounded half away from zero to the minor unit.
import { Type } from '@fastify/type-provider-typebox';

export type Money = { amountMinor: number; currency: string };

import { isCurrency } from './currency.ts';

export { isCurrency };

const digitsCache = new Map<string, number>();

/** Digits of the minor unit: 2 for EUR, 0 for JPY, 3 for BHD. */
export function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** A decimal string (`"37.5000"`, `"-0.005"`, `"12"`) in major units to Money; null/empty is 0. */
export function moneyFromDecimal(decimal: string | number | null | undefined, currency: string): Money {
  const text = decimal === null || decimal === undefined || decimal === '' ? '0' : String(decimal);
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new RangeError(`not a decimal amount: ${text}`);
  const digits = minorDigits(currency);
  const fraction = (m[3] ?? '').padEnd(digits + 1, '0');
  const whole = BigInt((m[2] || '0') + fraction.slice(0, digits));
  const roundUp = Number(fraction[digits]) >= 5 ? 1n : 0n;
  const magnitude = whole + roundUp;
  const amountMinor = Number(m[1] && magnitude !== 0n ? -magnitude : magnitude);
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError(`amount out of range: ${text}`);
  return { amountMinor, currency };
}

export const CurrencySchema = Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3, description: 'ISO 4217 currency code, upper case', examples: ['EUR'] });

export const MoneySchema = Type.Object({
  amountMinor: Type.Integer({
    minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER,
    description: 'Amount in the currency\'s minor unit (cents for EUR: 1250 is 12.50 EUR; yen for JPY)',
  }),
  currency: CurrencySchema,
}, { description: 'Money: an integer amount of minor units and its ISO 4217 currency' });
