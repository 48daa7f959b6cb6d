/**
 * Money as integer minor units and an ISO 4217 currency (promise 5). The arithmetic (add, subtract,
 * compare, currency-mismatch and range errors) is the platform's one Money module in @dunning/law;
 * invoicing adds only how an amount reads in a rejection reason.
 */
import type { Money } from '@dunning/law';

export {
  add,
  canAdd,
  compare,
  CurrencyMismatchError,
  equals,
  isNegative,
  isPositive,
  isZero,
  max,
  min,
  money,
  MoneyRangeError,
  sameCurrency,
  subtract,
  sum,
  zero,
  type Money,
} from '@dunning/law';

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
