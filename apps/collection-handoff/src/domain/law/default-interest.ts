import { addDays, daysBetween, earlierOf, laterOf, type LocalDate } from '../calendar';
import { divideRoundHalfUp, money, type Money } from '../money';
import type { DatedRate } from './country-rules';

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

/** The interest calculation as the agency (and a court) needs to see it: every input and the rounding. */
export interface InterestCalculation {
  readonly principal: Money;
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly days: number;
  readonly segments: readonly InterestSegment[];
  readonly dayCountBasis: 365;
  readonly formula: 'sum(principal.minor * rateBps * days) / (10000 * 365), rounded once, half up, to a whole minor unit';
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
  /** The last day interest runs (inclusive), e.g. the hand-off date. */
  readonly to: LocalDate;
  readonly baseRates: readonly DatedRate[];
  readonly surchargeBps: number;
  readonly law: string;
}

/**
 * Simple default interest on integer minor units. The period is split where the base rate changes
 * (each half-year), each part contributes principal × rate × days exactly (BigInt), and the sum is
 * rounded once, half up — so splitting a period never adds rounding error.
 */
export function computeDefaultInterest(input: InterestInput): InterestResult {
  const { principal, from, to, surchargeBps } = input;
  if (!Number.isSafeInteger(principal.minor) || principal.minor < 0) throw new RangeError('principal must be a non-negative safe integer');
  const segments: InterestSegment[] = [];
  let cursor = from;
  while (cursor <= to) {
    const rate = input.baseRates.find((r) => r.validFrom <= cursor && cursor <= r.validTo);
    if (!rate) return { ok: false, reason: 'base-rate-unknown', date: cursor };
    const segmentEnd = earlierOf(rate.validTo, to);
    segments.push({
      from: laterOf(cursor, rate.validFrom),
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
      formula: 'sum(principal.minor * rateBps * days) / (10000 * 365), rounded once, half up, to a whole minor unit',
      rounding: 'half-up',
      amount: money(Number(minor), principal.currency),
      law: input.law,
    },
  };
}
