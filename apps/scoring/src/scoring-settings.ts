import { dunningTreatment, TOPICS } from '@dunning/contracts';
import { z } from 'zod';
import {
  DEFAULT_FEATURE_OPTIONS,
  DEFAULT_MODEL_TRAINING_OPTIONS,
  DEFAULT_PROMOTION_POLICY,
  DEFAULT_RETRAIN_SCHEDULE,
  type ArmTreatmentOverrides,
  type FeatureOptions,
  type ModelTrainingOptions,
  type PromotionPolicy,
  type RetrainSchedule,
} from './domain';

/** PostgreSQL schema of scoring's tables, outbox and consumer offsets (in scoring's own database). */
export const SCORING_SCHEMA = 'scoring';

/** What the scoring service can be told at start-up, beyond the platform's ServiceConfig. */
export interface ScoringSettings {
  readonly topics: { readonly invoices: string; readonly actions: string; readonly scores: string };
  readonly consumerGroups: { readonly invoices: string; readonly actions: string };
  /** An invoice is scored at the start of the day after its due date + this many days (customer's zone). */
  readonly overdueGraceDays: number;
  /** Outcome: paid without collection within this many days after the due date. */
  readonly outcomeHorizonDays: number;
  readonly features: FeatureOptions;
  readonly overdueScanIntervalMs: number;
  /** The overdue scan's interval on a simulated clock (DUNNING_CLOCK=simulated): short, so invoices consumed already overdue do not wait 30 s of real time. */
  readonly simulatedOverdueScanIntervalMs: number;
  readonly overdueScanBatchSize: number;
  readonly relayPollIntervalMs: number;
  readonly championRefreshIntervalMs: number;
  readonly retrain: { readonly enabled: boolean; readonly checkIntervalMs: number; readonly schedule: RetrainSchedule };
  readonly training: ModelTrainingOptions;
  readonly promotion: PromotionPolicy;
  readonly armTreatments: ArmTreatmentOverrides;
}

export const DEFAULT_SCORING_SETTINGS: ScoringSettings = {
  topics: { invoices: TOPICS.invoicingInvoices, actions: TOPICS.dunningActions, scores: TOPICS.scoringScores },
  consumerGroups: { invoices: 'scoring.customer-features', actions: 'scoring.experiment-arms' },
  overdueGraceDays: 0,
  outcomeHorizonDays: 60,
  features: DEFAULT_FEATURE_OPTIONS,
  overdueScanIntervalMs: 30_000,
  simulatedOverdueScanIntervalMs: 250,
  overdueScanBatchSize: 200,
  relayPollIntervalMs: 200,
  championRefreshIntervalMs: 30_000,
  retrain: { enabled: true, checkIntervalMs: 3_600_000, schedule: DEFAULT_RETRAIN_SCHEDULE },
  training: DEFAULT_MODEL_TRAINING_OPTIONS,
  promotion: DEFAULT_PROMOTION_POLICY,
  armTreatments: {},
};

const int = (name: string, raw: string | undefined, fallback: number, min = 0): number => {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got '${raw}'`);
  return value;
};

/** Reads SCORING_* variables once at start-up (see docs/scoring.md for the list). */
export function loadScoringSettings(env: NodeJS.ProcessEnv = process.env): ScoringSettings {
  const d = DEFAULT_SCORING_SETTINGS;
  const groupPrefix = env['SCORING_CONSUMER_GROUP_PREFIX'] ?? 'scoring';
  const classifier = env['SCORING_CLASSIFIER'] ?? d.training.classifier;
  if (classifier !== 'gradient-boosting' && classifier !== 'logistic-regression') throw new Error(`SCORING_CLASSIFIER must be gradient-boosting or logistic-regression, got '${classifier}'`);
  let armTreatments: ArmTreatmentOverrides = {};
  if (env['SCORING_ARM_TREATMENTS']) {
    const parsed = z.record(z.string(), dunningTreatment).safeParse(JSON.parse(env['SCORING_ARM_TREATMENTS']));
    if (!parsed.success) throw new Error(`SCORING_ARM_TREATMENTS must map "experiment/arm" or "arm" to a treatment: ${parsed.error.message}`);
    armTreatments = parsed.data;
  }
  return {
    ...d,
    topics: {
      invoices: env['SCORING_INVOICES_TOPIC'] ?? d.topics.invoices,
      actions: env['SCORING_ACTIONS_TOPIC'] ?? d.topics.actions,
      scores: env['SCORING_SCORES_TOPIC'] ?? d.topics.scores,
    },
    consumerGroups: { invoices: `${groupPrefix}.customer-features`, actions: `${groupPrefix}.experiment-arms` },
    overdueGraceDays: int('SCORING_OVERDUE_GRACE_DAYS', env['SCORING_OVERDUE_GRACE_DAYS'], d.overdueGraceDays),
    outcomeHorizonDays: int('SCORING_OUTCOME_HORIZON_DAYS', env['SCORING_OUTCOME_HORIZON_DAYS'], d.outcomeHorizonDays, 1),
    overdueScanIntervalMs: int('SCORING_OVERDUE_SCAN_MS', env['SCORING_OVERDUE_SCAN_MS'], d.overdueScanIntervalMs, 10),
    simulatedOverdueScanIntervalMs: int('SCORING_SIMULATED_OVERDUE_SCAN_MS', env['SCORING_SIMULATED_OVERDUE_SCAN_MS'], d.simulatedOverdueScanIntervalMs, 10),
    retrain: {
      enabled: (env['SCORING_RETRAIN_ENABLED'] ?? 'true') !== 'false',
      checkIntervalMs: int('SCORING_RETRAIN_CHECK_MS', env['SCORING_RETRAIN_CHECK_MS'], d.retrain.checkIntervalMs, 10),
      schedule: {
        minOutcomes: int('SCORING_RETRAIN_MIN_OUTCOMES', env['SCORING_RETRAIN_MIN_OUTCOMES'], d.retrain.schedule.minOutcomes, 1),
        minNewOutcomes: int('SCORING_RETRAIN_MIN_NEW_OUTCOMES', env['SCORING_RETRAIN_MIN_NEW_OUTCOMES'], d.retrain.schedule.minNewOutcomes, 1),
        maxModelAgeDays: int('SCORING_RETRAIN_MAX_AGE_DAYS', env['SCORING_RETRAIN_MAX_AGE_DAYS'], d.retrain.schedule.maxModelAgeDays, 1),
      },
    },
    training: {
      ...d.training,
      classifier,
      seed: int('SCORING_TRAINING_SEED', env['SCORING_TRAINING_SEED'], d.training.seed),
      minRows: int('SCORING_TRAINING_MIN_ROWS', env['SCORING_TRAINING_MIN_ROWS'], d.training.minRows, 2),
      uplift: {
        ...d.training.uplift,
        minRowsPerArm: int('SCORING_UPLIFT_MIN_ROWS_PER_ARM', env['SCORING_UPLIFT_MIN_ROWS_PER_ARM'], d.training.uplift.minRowsPerArm, 2),
      },
    },
    armTreatments,
  };
}
