/**
 * Money as integer minor units and an ISO 4217 currency (promise 5). Amounts of different
 * currencies are never combined silently: that is a programming error, so it throws.
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

export function money(minor: number, currency: string): Money {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`minor units must be a safe integer, got ${minor}`);
  if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError(`currency must be an ISO 4217 code, got '${currency}'`);
  return { minor, currency };
}

export const zero = (currency: string): Money => money(0, currency);

function sameCurrencyOrThrow(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
}

export function add(a: Money, b: Money): Money {
  sameCurrencyOrThrow(a, b);
  return money(a.minor + b.minor, a.currency);
}

export function sum(currency: string, amounts: readonly Money[]): Money {
  return amounts.reduce(add, zero(currency));
}

export function isZero(amount: Money): boolean {
  return amount.minor === 0;
}

/** Integer division of a non-negative rational numerator/denominator, rounded half up (0.5 → 1). */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  if (numerator < 0n) throw new RangeError('numerator must not be negative');
  return (numerator * 2n + denominator) / (denominator * 2n);
}
