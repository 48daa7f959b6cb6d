import type { DunningTreatment } from '@dunning/contracts';
import type { CustomerHistory } from './customer-history';
import { DEFAULT_FEATURE_OPTIONS, featuresAsOf, type FeatureOptions, type FeatureValues } from './features';
import { DEFAULT_OUTCOME_OPTIONS, outcomeOf, type ExclusionReason, type OutcomeOptions } from './outcomes';
import { isBefore, toMillis, type Instant } from './time';

// Training rows: one per invoice that became overdue, with features as of the instant it did and
// labels from the window after it. Built only from histories and a cutoff; nothing here reads a clock.

export interface TrainingRow {
  readonly customerId: string;
  readonly invoiceId: string;
  /** The overdue instant: features see only facts before it. */
  readonly asOf: Instant;
  readonly windowEnd: Instant;
  readonly values: FeatureValues;
  readonly paidWithoutCollection: 0 | 1;
  readonly paid: 0 | 1;
}

export interface ExperimentRow extends TrainingRow {
  readonly experimentId: string;
  readonly arm: string;
  readonly treatment: DunningTreatment;
}

export interface TrainingSetOptions {
  readonly outcome: OutcomeOptions;
  readonly features: FeatureOptions;
}

export const DEFAULT_TRAINING_SET_OPTIONS: TrainingSetOptions = { outcome: DEFAULT_OUTCOME_OPTIONS, features: DEFAULT_FEATURE_OPTIONS };

export interface TrainingSet {
  readonly cutoff: Instant;
  /** Oldest first (then by invoice id), so a time-based holdout is the tail. */
  readonly rows: readonly TrainingRow[];
  readonly excluded: Readonly<Partial<Record<ExclusionReason, number>>>;
}

const byTimeThenId = (a: TrainingRow, b: TrainingRow): number => toMillis(a.asOf) - toMillis(b.asOf) || (a.invoiceId < b.invoiceId ? -1 : a.invoiceId > b.invoiceId ? 1 : 0);

/** Every invoice whose outcome window closed before `cutoff`, labelled, with its as-of-overdue features. */
export function buildTrainingSet(histories: Iterable<CustomerHistory>, cutoff: Instant, options: TrainingSetOptions = DEFAULT_TRAINING_SET_OPTIONS): TrainingSet {
  const rows: TrainingRow[] = [];
  const excluded: Partial<Record<ExclusionReason, number>> = {};
  for (const history of histories) {
    for (const invoice of history.invoices) {
      if (!isBefore(invoice.issuedAt, cutoff)) continue;
      const outcome = outcomeOf(history, invoice, cutoff, options.outcome);
      if (!outcome.observed) {
        excluded[outcome.reason] = (excluded[outcome.reason] ?? 0) + 1;
        continue;
      }
      const snapshot = featuresAsOf(history, invoice.invoiceId, outcome.overdueAt, options.features);
      rows.push({
        customerId: history.customerId,
        invoiceId: invoice.invoiceId,
        asOf: outcome.overdueAt,
        windowEnd: outcome.windowEnd,
        values: snapshot.values,
        paidWithoutCollection: outcome.paidWithoutCollection,
        paid: outcome.paid,
      });
    }
  }
  return { cutoff, rows: rows.sort(byTimeThenId), excluded };
}

/** An invoice's arm in a randomized experiment and the treatment that arm stands for. */
export interface ArmOfInvoice {
  readonly experimentId: string;
  readonly arm: string;
  readonly treatment: DunningTreatment;
}

/** The labelled rows that were randomized into an arm: the data the uplift learner trains on. */
export function buildExperimentRows(trainingSet: TrainingSet, armOf: (invoiceId: string) => ArmOfInvoice | undefined): ExperimentRow[] {
  const rows: ExperimentRow[] = [];
  for (const row of trainingSet.rows) {
    const arm = armOf(row.invoiceId);
    if (arm) rows.push({ ...row, ...arm });
  }
  return rows;
}
