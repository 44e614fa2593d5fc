// ISO 4217 codes, without the API schemas of money.ts: config.ts (read by every CLI command at
// start) checks a currency without loading TypeBox.
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 code this runtime knows (upper case, three letters). */
export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && CURRENCIES.has(code);
}
