import type { Money } from '../money';
import { DAY_MS, toMillis, type Instant } from '../time/time';
import { compareProportions, ratioOfProportions, wilsonInterval, Z_95, type Interval, type ProportionComparison } from './statistics';

/** What happened to one case assigned to an arm, as the service's projection knows it. */
export interface CaseOutcome {
  readonly caseId: string;
  readonly armId: string;
  readonly assignedAt: Instant;
  readonly outstandingAtAssignment: Money;
  /** When the invoice was settled by payment (not by credit), if it was. */
  readonly paidInFullAt?: Instant;
  /** Paid after the assignment, in the invoice currency. */
  readonly recovered: Money;
  readonly handedOffAt?: Instant;
  /** The customer ended their subscription (billing.customer.terminated): the churn signal. */
  readonly terminatedAt?: Instant;
  /** Reminders requested for the case after the assignment. */
  readonly contacts: number;
}

export interface ArmDefinition {
  readonly id: string;
  readonly flow: string;
  readonly control?: boolean;
  readonly role?: 'collection' | 'no-action' | 'treatment';
}

export interface RateWithInterval {
  /** Cases observed long enough for the window to have passed (the denominator). */
  readonly eligible: number;
  readonly count: number;
  readonly rate: number | null;
  readonly ci95: Interval | null;
}

export interface ArmResult {
  readonly armId: string;
  readonly flowId: string;
  readonly control: boolean;
  readonly cases: number;
  readonly paidWithin: Readonly<Record<'14' | '30' | '60', RateWithInterval>>;
  /** Sum of payments after assignment, per currency, in minor units. */
  readonly amountRecovered: Readonly<Record<string, number>>;
  readonly handoff: RateWithInterval;
  readonly churnWithin90: RateWithInterval;
  readonly contactsPerCase: number | null;
  /** This arm minus control, per metric (absent for the control arm itself). */
  readonly vsControl?: {
    readonly paidWithin: Readonly<Record<'14' | '30' | '60', ProportionComparison | null>>;
    readonly handoff: ProportionComparison | null;
    readonly churnWithin90: ProportionComparison | null;
  };
}

export interface WouldHavePaidAnyway {
  readonly windowDays: number;
  readonly collectionArm: string;
  readonly noActionArm: string;
  /**
   * Of those in the collection arm who paid after the collection demand, the share who would
   * have paid without it: (p0 - a) / q, where p0 is the no-action arm's paid rate, a the
   * collection arm's rate of paying before the demand and q its rate of paying after it.
   * Clamped to [0, 1]; the interval is the delta method's.
   */
  readonly shareOfPostDemandPayers: { readonly estimate: number; readonly ci95: Interval } | null;
  /** The simpler ratio p0 / pc (paid rate without any action over paid rate with collection), Katz interval. */
  readonly paidRateRatio: { readonly estimate: number; readonly ci95: Interval } | null;
  readonly inputs: { readonly noActionPaid: number; readonly noActionCases: number; readonly paidBeforeDemand: number; readonly paidAfterDemand: number; readonly collectionCases: number };
}

export interface ExperimentResults {
  readonly experimentId: string;
  readonly asOf: Instant;
  readonly arms: readonly ArmResult[];
  readonly wouldHavePaidAnyway: WouldHavePaidAnyway | null;
}

const PAID_WINDOWS = [14, 30, 60] as const;

function within(start: Instant, event: Instant | undefined, days: number): boolean {
  if (!event) return false;
  const delta = toMillis(event) - toMillis(start);
  return delta >= 0 && delta <= days * DAY_MS;
}

function matured(outcome: CaseOutcome, days: number, asOf: Instant): boolean {
  return toMillis(outcome.assignedAt) + days * DAY_MS <= toMillis(asOf);
}

function rate(count: number, eligible: number): RateWithInterval {
  return { eligible, count, rate: eligible === 0 ? null : count / eligible, ci95: wilsonInterval(count, eligible) ?? null };
}

function paidWithin(outcomes: readonly CaseOutcome[], days: number, asOf: Instant): RateWithInterval {
  const eligible = outcomes.filter((outcome) => matured(outcome, days, asOf));
  return rate(eligible.filter((outcome) => within(outcome.assignedAt, outcome.paidInFullAt, days)).length, eligible.length);
}

function churnWithin(outcomes: readonly CaseOutcome[], days: number, asOf: Instant): RateWithInterval {
  const eligible = outcomes.filter((outcome) => matured(outcome, days, asOf));
  return rate(eligible.filter((outcome) => within(outcome.assignedAt, outcome.terminatedAt, days)).length, eligible.length);
}

function compare(arm: RateWithInterval, control: RateWithInterval): ProportionComparison | null {
  return compareProportions(arm.count, arm.eligible, control.count, control.eligible) ?? null;
}

/**
 * Per-arm results of an experiment and each arm against control. Windows count only cases
 * assigned at least that long before `asOf`, so young cases do not drag rates down.
 */
export function experimentResults(experimentId: string, arms: readonly ArmDefinition[], outcomes: readonly CaseOutcome[], asOf: Instant): ExperimentResults {
  const base = arms.map((arm) => {
    const own = outcomes.filter((outcome) => outcome.armId === arm.id);
    const amountRecovered: Record<string, number> = {};
    for (const outcome of own) amountRecovered[outcome.recovered.currency] = (amountRecovered[outcome.recovered.currency] ?? 0) + outcome.recovered.minor;
    return {
      armId: arm.id,
      flowId: arm.flow,
      control: arm.control === true,
      cases: own.length,
      paidWithin: { '14': paidWithin(own, 14, asOf), '30': paidWithin(own, 30, asOf), '60': paidWithin(own, 60, asOf) },
      amountRecovered,
      handoff: rate(own.filter((outcome) => outcome.handedOffAt !== undefined).length, own.length),
      churnWithin90: churnWithin(own, 90, asOf),
      contactsPerCase: own.length === 0 ? null : own.reduce((sum, outcome) => sum + outcome.contacts, 0) / own.length,
    };
  });
  const control = base.find((arm) => arm.control);
  const results: ArmResult[] = base.map((arm) => {
    if (!control || arm === control) return arm;
    const [p14, p30, p60] = PAID_WINDOWS.map((days) => compare(arm.paidWithin[`${days}`], control.paidWithin[`${days}`]));
    return {
      ...arm,
      vsControl: {
        paidWithin: { '14': p14 ?? null, '30': p30 ?? null, '60': p60 ?? null },
        handoff: compare(arm.handoff, control.handoff),
        churnWithin90: compare(arm.churnWithin90, control.churnWithin90),
      },
    };
  });
  return { experimentId, asOf, arms: results, wouldHavePaidAnyway: wouldHavePaidAnyway(arms, outcomes, asOf, 60) };
}

/** The seeds' estimate: how many who paid after a collection demand would have paid without one. */
export function wouldHavePaidAnyway(arms: readonly ArmDefinition[], outcomes: readonly CaseOutcome[], asOf: Instant, windowDays: number): WouldHavePaidAnyway | null {
  const collectionArm = arms.find((arm) => arm.role === 'collection');
  const noActionArm = arms.find((arm) => arm.role === 'no-action');
  if (!collectionArm || !noActionArm) return null;
  const mature = (armId: string) => outcomes.filter((outcome) => outcome.armId === armId && matured(outcome, windowDays, asOf));
  const noAction = mature(noActionArm.id);
  const collection = mature(collectionArm.id);
  const noActionPaid = noAction.filter((outcome) => within(outcome.assignedAt, outcome.paidInFullAt, windowDays)).length;
  const paid = collection.filter((outcome) => within(outcome.assignedAt, outcome.paidInFullAt, windowDays));
  const paidAfterDemand = paid.filter((outcome) => outcome.handedOffAt !== undefined && outcome.paidInFullAt !== undefined && toMillis(outcome.paidInFullAt) >= toMillis(outcome.handedOffAt)).length;
  const paidBeforeDemand = paid.length - paidAfterDemand;
  const inputs = { noActionPaid, noActionCases: noAction.length, paidBeforeDemand, paidAfterDemand, collectionCases: collection.length };

  let shareOfPostDemandPayers: WouldHavePaidAnyway['shareOfPostDemandPayers'] = null;
  if (noAction.length > 0 && collection.length > 0 && paidAfterDemand > 0) {
    const n0 = noAction.length;
    const n = collection.length;
    const p0 = noActionPaid / n0;
    const a = paidBeforeDemand / n;
    const q = paidAfterDemand / n;
    const estimate = (p0 - a) / q;
    // Delta method: p0 independent of (a, q), which are multinomial shares of the same arm.
    const variance =
      (p0 * (1 - p0)) / n0 / (q * q) + (a * (1 - a)) / n / (q * q) + ((p0 - a) * (p0 - a) * (q * (1 - q))) / n / q ** 4 - (2 * a * (p0 - a)) / (q * q * n);
    const half = Z_95 * Math.sqrt(Math.max(0, variance));
    const clamp = (x: number) => Math.min(1, Math.max(0, x));
    shareOfPostDemandPayers = { estimate: clamp(estimate), ci95: { low: clamp(estimate - half), high: clamp(estimate + half) } };
  }
  const ratio = ratioOfProportions(noActionPaid, noAction.length, paid.length, collection.length);
  return {
    windowDays,
    collectionArm: collectionArm.id,
    noActionArm: noActionArm.id,
    shareOfPostDemandPayers,
    paidRateRatio: ratio ? { estimate: ratio.ratio, ci95: ratio.ci95 } : null,
    inputs,
  };
}
