import type { Money } from '../money';
import type { Conditions, HistoryClass, Policy } from './policy-schema';

/** A model's prediction for one invoice, as published on scoring.scores.v1. */
export interface Score {
  readonly modelVersion: string;
  readonly probabilityPayWithoutCollection: number;
  /** Treatment effect on the probability to pay, keyed by treatment name (e.g. collection-handoff), when an uplift model exists. */
  readonly uplift?: Readonly<Record<string, number>>;
  readonly scoredAt: string;
}

/** The facts a segment is chosen on. Protected attributes are not among them, by construction. */
export interface SegmentationFacts {
  readonly score?: Score;
  readonly historyClass: HistoryClass;
  readonly outstanding: Money;
  readonly customerType: 'consumer' | 'business';
  readonly tenureMonths?: number;
  readonly brand?: string;
  readonly country: string;
}

export interface ConditionMatch {
  readonly matched: boolean;
  /** Each condition that held, in words; or the first that failed. */
  readonly reasons: readonly string[];
}

type Range = { atLeast?: number | undefined; below?: number | undefined };

function inRange(value: number, range: Range): boolean {
  return (range.atLeast === undefined || value >= range.atLeast) && (range.below === undefined || value < range.below);
}

function describe(name: string, value: number | string, range: Range): string {
  const bounds = [range.atLeast !== undefined ? `>= ${range.atLeast}` : '', range.below !== undefined ? `< ${range.below}` : ''].filter(Boolean).join(' and ');
  return `${name} ${value} ${bounds}`;
}

/** Checks every given condition; all must hold. Reasons make the choice explainable. */
export function matchConditions(conditions: Conditions, facts: SegmentationFacts): ConditionMatch {
  const reasons: string[] = [];
  const fail = (reason: string): ConditionMatch => ({ matched: false, reasons: [reason] });

  if (conditions.hasScore !== undefined) {
    if (conditions.hasScore !== (facts.score !== undefined)) return fail(conditions.hasScore ? 'no score' : 'has a score');
    reasons.push(conditions.hasScore ? `scored by ${facts.score?.modelVersion}` : 'no score: rule-based');
  }
  if (conditions.probabilityPayWithoutCollection) {
    if (!facts.score) return fail('no score for probabilityPayWithoutCollection');
    const p = facts.score.probabilityPayWithoutCollection;
    if (!inRange(p, conditions.probabilityPayWithoutCollection)) return fail(describe('probabilityPayWithoutCollection', p, conditions.probabilityPayWithoutCollection));
    reasons.push(describe('probabilityPayWithoutCollection', p, conditions.probabilityPayWithoutCollection));
  }
  for (const [action, range] of Object.entries(conditions.uplift ?? {})) {
    if (!range) continue;
    const uplift = facts.score?.uplift?.[action];
    if (uplift === undefined) return fail(`no uplift for ${action}`);
    if (!inRange(uplift, range)) return fail(describe(`uplift.${action}`, uplift, range));
    reasons.push(describe(`uplift.${action}`, uplift, range));
  }
  if (conditions.paymentHistory) {
    if (!conditions.paymentHistory.includes(facts.historyClass)) return fail(`payment history ${facts.historyClass}`);
    reasons.push(`payment history ${facts.historyClass}`);
  }
  if (conditions.outstanding) {
    const range = conditions.outstanding[facts.outstanding.currency];
    if (!range) return fail(`no amount condition for ${facts.outstanding.currency}`);
    if (!inRange(facts.outstanding.minor, range)) return fail(describe(`outstanding ${facts.outstanding.currency}`, facts.outstanding.minor, range));
    reasons.push(describe(`outstanding ${facts.outstanding.currency}`, facts.outstanding.minor, range));
  }
  if (conditions.customerType) {
    if (!conditions.customerType.includes(facts.customerType)) return fail(`customer type ${facts.customerType}`);
    reasons.push(`customer type ${facts.customerType}`);
  }
  if (conditions.tenureMonths) {
    if (facts.tenureMonths === undefined) return fail('tenure unknown');
    if (!inRange(facts.tenureMonths, conditions.tenureMonths)) return fail(describe('tenure months', facts.tenureMonths, conditions.tenureMonths));
    reasons.push(describe('tenure months', facts.tenureMonths, conditions.tenureMonths));
  }
  if (conditions.brand) {
    if (!facts.brand || !conditions.brand.includes(facts.brand)) return fail(`brand ${facts.brand ?? 'none'}`);
    reasons.push(`brand ${facts.brand}`);
  }
  if (conditions.country) {
    if (!conditions.country.includes(facts.country)) return fail(`country ${facts.country}`);
    reasons.push(`country ${facts.country}`);
  }
  return { matched: true, reasons: reasons.length > 0 ? reasons : ['no conditions: default segment'] };
}

export interface SegmentChoice {
  readonly segmentId: string;
  readonly flowId: string;
  readonly reasons: readonly string[];
}

/** The first segment whose conditions hold (the schema guarantees the last one always does). */
export function selectSegment(policy: Pick<Policy, 'segments'>, facts: SegmentationFacts): SegmentChoice {
  for (const segment of policy.segments) {
    const match = matchConditions(segment.when, facts);
    if (match.matched) return { segmentId: segment.id, flowId: segment.flow, reasons: match.reasons };
  }
  throw new Error('no segment matched: the policy must end with a segment without conditions');
}
