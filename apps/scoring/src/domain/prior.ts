import type { FeatureName, FeatureValues } from './features';

// The transparent prior: a handful of rules anyone can read, used before enough outcomes exist to
// train a model (and as the bar a model must beat to replace it). It is a scorecard in log-odds:
// start from "most customers pay", add or subtract a fixed amount for each rule that holds.

export const PRIOR_MODEL_VERSION = 'prior-v1';

export interface PriorRule {
  readonly id: string;
  readonly feature: FeatureName;
  /** Change in log-odds when the rule holds (may depend on the value, e.g. per late invoice). */
  readonly logOdds: (value: number) => number;
  readonly holds: (value: number) => boolean;
  readonly explanation: string;
}

/** Most invoices that pass their due date are still paid without collection (the seeds' 80 %). */
export const PRIOR_BASE_PROBABILITY = 0.7;

export const PRIOR_RULES: readonly PriorRule[] = [
  { id: 'clean-history', feature: 'first-time-late', holds: (v) => v === 1, logOdds: () => 1.4, explanation: 'Clean payment history: every earlier invoice paid on time; a first slip is usually paid without collection.' },
  { id: 'little-history', feature: 'invoice-count', holds: (v) => v < 3, logOdds: () => -0.4, explanation: 'Fewer than three earlier invoices: little history to go on.' },
  { id: 'late-in-last-12-months', feature: 'late-count-12m', holds: (v) => v >= 1, logOdds: (v) => -0.6 * Math.min(v, 4), explanation: 'Late invoices in the last 12 months: each one lowers the chance (up to four).' },
  { id: 'very-late-before', feature: 'max-days-late', holds: (v) => v > 30, logOdds: () => -0.6, explanation: 'Once paid more than 30 days late.' },
  { id: 'other-overdue-invoices', feature: 'open-overdue-count', holds: (v) => v >= 1, logOdds: () => -0.5, explanation: 'Other invoices are overdue too.' },
  { id: 'collection-before', feature: 'handoff-count', holds: (v) => v >= 1, logOdds: () => -0.9, explanation: 'An earlier invoice went to debt collection.' },
  { id: 'broken-plan', feature: 'broken-plan-count', holds: (v) => v >= 1, logOdds: () => -0.5, explanation: 'A payment plan was broken before.' },
  { id: 'partly-paid', feature: 'partial-payment-count', holds: (v) => v >= 1, logOdds: () => 0.2, explanation: 'Has paid part of an invoice: a sign of intending to pay.' },
];

export interface PriorContribution {
  readonly ruleId: string;
  readonly feature: FeatureName;
  readonly value: number;
  readonly logOdds: number;
}

export interface PriorResult {
  readonly probability: number;
  readonly baseLogOdds: number;
  readonly contributions: readonly PriorContribution[];
}

const logit = (p: number): number => Math.log(p / (1 - p));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function scoreWithPrior(values: FeatureValues, rules: readonly PriorRule[] = PRIOR_RULES): PriorResult {
  const baseLogOdds = logit(PRIOR_BASE_PROBABILITY);
  const contributions: PriorContribution[] = [];
  for (const rule of rules) {
    const value = values[rule.feature];
    if (Number.isNaN(value) || !rule.holds(value)) continue;
    contributions.push({ ruleId: rule.id, feature: rule.feature, value, logOdds: rule.logOdds(value) });
  }
  const logOdds = contributions.reduce((sum, c) => sum + c.logOdds, baseLogOdds);
  return { probability: sigmoid(logOdds), baseLogOdds, contributions };
}
