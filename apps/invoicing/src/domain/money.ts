/**
 * Money as integer minor units and an ISO 4217 currency (promise 5): never a float, and two
 * amounts in different currencies are never added, subtracted or compared silently.
 *
 * Arithmetic that mixes currencies or leaves the range of safe integers throws: those are
 * programming errors, because decisions check currencies and ranges first and turn them into
 * rejections with a reason.
 */
export interface Money {
  readonly minor: number;
  readonly currency: string;
}

export class CurrencyMismatchError extends Error {
  constructor(readonly left: string, readonly right: string) {
    super(`currency mismatch: ${left} and ${right} cannot be combined`);
    this.name = 'CurrencyMismatchError';
  }
}

export class MoneyRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoneyRangeError';
  }
}

export function money(minor: number, currency: string): Money {
  if (!Number.isSafeInteger(minor)) throw new MoneyRangeError(`minor units must be a safe integer, got ${minor}`);
  if (!/^[A-Z]{3}$/.test(currency)) throw new MoneyRangeError(`currency must be an ISO 4217 code, got '${currency}'`);
  return { minor, currency };
}

export const zero = (currency: string): Money => money(0, currency);

export const sameCurrency = (a: Money, b: Money): boolean => a.currency === b.currency;

function requireSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
}

function checked(minor: number, currency: string): Money {
  if (!Number.isSafeInteger(minor)) throw new MoneyRangeError(`${currency} amount out of the safe integer range`);
  return { minor, currency };
}

export function add(a: Money, b: Money): Money {
  requireSameCurrency(a, b);
  return checked(a.minor + b.minor, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  requireSameCurrency(a, b);
  return checked(a.minor - b.minor, a.currency);
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compare(a: Money, b: Money): -1 | 0 | 1 {
  requireSameCurrency(a, b);
  return a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0;
}

export const equals = (a: Money, b: Money): boolean => a.currency === b.currency && a.minor === b.minor;
export const isZero = (a: Money): boolean => a.minor === 0;
export const isPositive = (a: Money): boolean => a.minor > 0;
export const isNegative = (a: Money): boolean => a.minor < 0;
export const min = (a: Money, b: Money): Money => (compare(a, b) <= 0 ? a : b);
export const max = (a: Money, b: Money): Money => (compare(a, b) >= 0 ? a : b);

export function sum(amounts: readonly Money[], currency: string): Money {
  return amounts.reduce((total, amount) => add(total, amount), zero(currency));
}

/** Whether `a + b` stays within safe integers (checked before deciding, so overflow is a rejection). */
export function canAdd(a: Money, b: Money): boolean {
  return a.currency === b.currency && Number.isSafeInteger(a.minor + b.minor);
}

const fractionDigitsCache = new Map<string, number>();

/** The number of minor-unit digits of a currency (2 for SEK and EUR, 0 for JPY, 3 for KWD). */
export function minorDigits(currency: string): number {
  let digits = fractionDigitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    fractionDigitsCache.set(currency, digits);
  }
  return digits;
}

/** `SEK 1250.00` — for reasons and logs; built from the integer with string operations, never a float. */
export function format(amount: Money): string {
  const digits = minorDigits(amount.currency);
  const sign = amount.minor < 0 ? '-' : '';
  const units = Math.abs(amount.minor).toString();
  if (digits === 0) return `${amount.currency} ${sign}${units}`;
  const padded = units.padStart(digits + 1, '0');
  return `${amount.currency} ${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}
