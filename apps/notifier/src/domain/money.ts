/** Money as integer minor units and an ISO 4217 currency (DESIGN.md promise 5): never a float. */
export interface Money {
  readonly minor: number;
  readonly currency: string;
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new Error(`cannot add ${a.currency} and ${b.currency}`);
  return { minor: a.minor + b.minor, currency: a.currency };
}

/** How many minor units a currency has (SEK, EUR: 2; JPY: 0), as Intl knows it. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * "12345 öre" → "123,45 kr" in sv-SE, "123,45 €" in de-DE. The amount reaches Intl as an exact
 * decimal string built from the integer, so no binary floating point is ever involved.
 */
export function formatMoney(money: Money, locale: string): string {
  if (!Number.isSafeInteger(money.minor)) throw new Error('money.minor must be a safe integer');
  const digits = minorDigits(money.currency);
  const sign = money.minor < 0 ? '-' : '';
  const units = Math.abs(money.minor).toString().padStart(digits + 1, '0');
  const decimal = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  // Intl.NumberFormat accepts decimal strings exactly (ECMA-402 NumberFormat v3); the cast only
  // satisfies TypeScript's older lib typing of format(number | bigint).
  return format.format(`${sign}${decimal}` as unknown as number);
}
