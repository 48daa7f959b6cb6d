import type { FeatureName } from './features';

// Reasons in plain words. A reason is one feature's signed push on the probability of paying
// without collection, with a sentence saying what the feature's value is and which way it pushed.

export interface ScoreReason {
  readonly feature: FeatureName;
  readonly value: number;
  /** Signed change of the probability (probability points, first-order: log-odds contribution × p(1 − p)). */
  readonly contribution: number;
  readonly text: string;
}

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/** What a feature's value says, in words a customer-care agent would use. */
export function describeFeature(feature: FeatureName, value: number): string {
  const unknown = Number.isNaN(value);
  switch (feature) {
    case 'invoice-count':
      return value === 0 ? 'No earlier invoices' : `${plural(value, 'earlier invoice', 'earlier invoices')}`;
    case 'late-count-6m':
      return value === 0 ? 'No late payment in the last 6 months' : `Paid late ${plural(value, 'time', 'times')} in the last 6 months`;
    case 'late-count-12m':
      return value === 0 ? 'No late payment in the last 12 months' : `Paid late ${plural(value, 'time', 'times')} in the last 12 months`;
    case 'days-late-last-invoice':
      return unknown ? 'No earlier invoice to compare with' : value === 0 ? 'Paid the previous invoice on time' : `The previous invoice was paid ${plural(value, 'day', 'days')} late`;
    case 'max-days-late':
      return unknown ? 'No earlier invoice to compare with' : value === 0 ? 'Never paid late before' : `At most ${plural(value, 'day', 'days')} late before`;
    case 'first-time-late':
      return value === 1 ? 'First time late after a clean payment history' : 'No clean payment history to go on';
    case 'partial-payment-count':
      return value === 0 ? 'No partial payments' : `Paid part of ${plural(value, 'invoice', 'invoices')}`;
    case 'dispute-count':
      return value === 0 ? 'No disputes' : `${plural(value, 'dispute', 'disputes')} so far`;
    case 'tenure-months':
      return value < 1 ? 'New customer (less than a month)' : `Customer for ${plural(value, 'month', 'months')}`;
    case 'amount-ratio':
      return unknown ? 'No usual amount to compare with yet' : `This invoice is ${value.toFixed(1)} times the customer's usual amount`;
    case 'usual-payday':
      return unknown ? 'No usual payday learned yet' : `Usually pays around day ${value} of the month`;
    case 'days-to-payday':
      return unknown ? 'No usual payday learned yet' : value === 0 ? 'Today is the usual payday' : `${plural(value, 'day', 'days')} until the usual payday`;
    case 'open-overdue-count':
      return value === 0 ? 'No other overdue invoices' : `${plural(value, 'other overdue invoice', 'other overdue invoices')}`;
    case 'handoff-count':
      return value === 0 ? 'Never sent to debt collection' : `${plural(value, 'earlier invoice', 'earlier invoices')} went to debt collection`;
    case 'broken-plan-count':
      return value === 0 ? 'No broken payment plans' : `${plural(value, 'broken payment plan', 'broken payment plans')}`;
    default: {
      const unexpected: never = feature;
      return String(unexpected);
    }
  }
}

export function reasonText(feature: FeatureName, value: number, contribution: number): string {
  const direction = contribution >= 0 ? 'raises' : 'lowers';
  return `${describeFeature(feature, value)}: ${direction} the chance of paying without collection`;
}

export interface LogOddsContribution {
  readonly feature: FeatureName;
  readonly value: number;
  readonly logOdds: number;
}

/** Contributions smaller than this (in probability points) are noise, not reasons. */
const NEGLIGIBLE = 1e-4;

/** The strongest contributions, largest first, as reasons in probability points. */
export function topReasons(contributions: readonly LogOddsContribution[], probability: number, count = 5): ScoreReason[] {
  const slope = probability * (1 - probability);
  const byFeature = new Map<FeatureName, LogOddsContribution>();
  for (const c of contributions) {
    const existing = byFeature.get(c.feature);
    byFeature.set(c.feature, existing ? { ...existing, logOdds: existing.logOdds + c.logOdds } : c);
  }
  return [...byFeature.values()]
    .map((c) => ({ feature: c.feature, value: c.value, contribution: c.logOdds * slope }))
    .filter((c) => Math.abs(c.contribution) >= NEGLIGIBLE)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || (a.feature < b.feature ? -1 : 1))
    .slice(0, count)
    .map((c) => ({ ...c, text: reasonText(c.feature, c.value, c.contribution) }));
}
