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

export class MoneyRangeError extends RangeError {
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

/**
 * numerator / denominator for a non-negative numerator and a positive denominator, rounded half
 * up to an integer (0.5 → 1, 0.4999… → 0). The one rounding rule of this library.
 */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  if (numerator < 0n) throw new RangeError('numerator must not be negative');
  return (numerator * 2n + denominator) / (denominator * 2n);
}
