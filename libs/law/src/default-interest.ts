import { addDays, daysBetween, type LocalDate } from './calendar-date';
import { baseRateOn, type DatedRate } from './german-base-rates';
import { divideRoundHalfUp, money, type Money } from './money';

export interface InterestSegment {
  readonly from: LocalDate;
  /** Inclusive. */
  readonly to: LocalDate;
  readonly days: number;
  readonly baseRateBps: number;
  readonly surchargeBps: number;
  /** base + surcharge */
  readonly rateBps: number;
}

export const INTEREST_FORMULA = 'sum(principal.minor * rateBps * days) / (10000 * 365), rounded once, half up, to a whole minor unit' as const;

/** The interest calculation as a debtor, an agency or a court needs to see it: every input and the rounding. */
export interface InterestCalculation {
  readonly principal: Money;
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly days: number;
  readonly segments: readonly InterestSegment[];
  readonly dayCountBasis: 365;
  readonly formula: typeof INTEREST_FORMULA;
  readonly rounding: 'half-up';
  readonly amount: Money;
  readonly law: string;
}

export type InterestResult =
  | { readonly ok: true; readonly calculation: InterestCalculation }
  | { readonly ok: false; readonly reason: 'base-rate-unknown'; readonly date: LocalDate };

export interface InterestInput {
  readonly principal: Money;
  /** The first day interest runs (the day after the due date). */
  readonly from: LocalDate;
  /** The last day interest runs (inclusive), e.g. today or the hand-off date. */
  readonly to: LocalDate;
  readonly baseRates: readonly DatedRate[];
  readonly surchargeBps: number;
  readonly law: string;
}

/**
 * Simple default interest (§ 288 BGB) on integer minor units, actual days / 365.
 *
 * The period is split where the base rate changes (each half-year); each part contributes
 * principal × rate × days exactly (BigInt, no intermediate rounding), and the sum is rounded ONCE,
 * at the end, HALF UP to a whole minor unit. That is the platform's one rounding rule for interest:
 * it is the usual commercial rounding of German practice for Verzugszinsen, it is never more than
 * half a cent away from the exact amount, and splitting a period never adds rounding error. An
 * empty period (`to` before `from`) is zero interest.
 */
export function computeDefaultInterest(input: InterestInput): InterestResult {
  const { principal, from, to, surchargeBps } = input;
  if (!Number.isSafeInteger(principal.minor) || principal.minor < 0) throw new RangeError('principal must be a non-negative safe integer');
  if (!Number.isSafeInteger(surchargeBps) || surchargeBps < 0) throw new RangeError('surcharge must be a non-negative whole number of basis points');
  const segments: InterestSegment[] = [];
  let cursor = from;
  while (cursor <= to) {
    const rate = baseRateOn(input.baseRates, cursor);
    if (!rate) return { ok: false, reason: 'base-rate-unknown', date: cursor };
    const segmentEnd = rate.validTo < to ? rate.validTo : to;
    segments.push({
      from: cursor,
      to: segmentEnd,
      days: daysBetween(cursor, segmentEnd) + 1,
      baseRateBps: rate.rateBps,
      surchargeBps,
      rateBps: rate.rateBps + surchargeBps,
    });
    cursor = addDays(segmentEnd, 1);
  }
  const numerator = segments.reduce((acc, s) => acc + BigInt(principal.minor) * BigInt(s.rateBps) * BigInt(s.days), 0n);
  const minor = divideRoundHalfUp(numerator, 10_000n * 365n);
  return {
    ok: true,
    calculation: {
      principal,
      from,
      to,
      days: segments.reduce((acc, s) => acc + s.days, 0),
      segments,
      dayCountBasis: 365,
      formula: INTEREST_FORMULA,
      rounding: 'half-up',
      amount: money(Number(minor), principal.currency),
      law: input.law,
    },
  };
}
