import { performance } from 'node:perf_hooks';
import { withTransaction } from '@dunning/event-store';
import type { Pool } from 'pg';
import {
  buildExperimentRows,
  buildTrainingSet,
  decidePromotion,
  decideRetrain,
  modelCard,
  trainModelVersion,
  type ModelMetrics,
  type ModelRole,
  type RetrainDecision,
} from '../domain';
import { lastTraining, promoteVersion, recordTrainingRun, registerVersion, roleOf } from '../persistence/model-registry';
import { countClosedOutcomes, loadAllHistories, loadArmsOfInvoices } from '../persistence/scoring-store';
import type { ScoringSettings } from '../scoring-settings';
import type { ModelServing } from '../serving/model-serving';

export type TrainingTrigger = 'on-demand' | 'schedule';

export type RetrainReport =
  | { readonly result: 'insufficient'; readonly reason: string; readonly labelledRows: number }
  | {
      readonly result: 'trained' | 'unchanged';
      readonly version: string;
      readonly role: ModelRole;
      readonly reason: string;
      readonly metrics: ModelMetrics;
      readonly trainingMs: number;
      readonly unnamedArms: readonly string[];
    };

export interface ModelTrainingDeps {
  readonly pool: Pool;
  readonly serving: ModelServing;
  readonly settings: Pick<ScoringSettings, 'training' | 'promotion' | 'retrain' | 'armTreatments' | 'overdueGraceDays' | 'outcomeHorizonDays' | 'features'>;
  readonly clock: () => Date;
}

/** A lock key of its own, so that two instances (or two requests) never train at once. */
const TRAINING_LOCK = 'dunning.scoring.training';

/**
 * Trains a model version from everything scoring knows, registers it with its card and metrics,
 * and makes it champion or challenger. On demand (POST /models/retrain) and on a schedule as
 * outcomes accumulate.
 */
export class ModelTrainingService {
  private running: Promise<RetrainReport> | undefined;

  constructor(private readonly deps: ModelTrainingDeps) {}

  /** Concurrent callers share the run in progress. */
  retrain(trigger: TrainingTrigger): Promise<RetrainReport> {
    this.running ??= this.train(trigger).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The scheduled check: trains when the schedule says enough new outcomes have closed. */
  async retrainIfDue(): Promise<{ decision: RetrainDecision; report?: RetrainReport }> {
    const now = this.deps.clock();
    const [outcomes, last] = await Promise.all([countClosedOutcomes(this.deps.pool, now), lastTraining(this.deps.pool)]);
    const decision = decideRetrain(now.toISOString(), outcomes, last, this.deps.settings.retrain.schedule);
    if (!decision.retrain) return { decision };
    return { decision, report: await this.retrain('schedule') };
  }

  async promote(version: string): Promise<boolean> {
    const found = await withTransaction(this.deps.pool, (tx) => promoteVersion(tx, version, 'promoted by hand (POST /models/:version/promote)', this.deps.clock()));
    if (found) await this.deps.serving.refresh(this.deps.pool);
    return found;
  }

  private async train(trigger: TrainingTrigger): Promise<RetrainReport> {
    const { settings, pool } = this.deps;
    const startedAt = this.deps.clock();
    const client = await pool.connect();
    try {
      const lock = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [TRAINING_LOCK]);
      if (!lock.rows[0]?.locked) throw new Error('another instance is training right now; try again when it is done');
      try {
        const cutoff = startedAt.toISOString();
        const histories = await loadAllHistories(client);
        const arms = await loadArmsOfInvoices(client, settings.armTreatments);
        const outcomeCount = await countClosedOutcomes(client, startedAt);
        const t0 = performance.now();
        const trainingSet = buildTrainingSet(histories, cutoff, {
          outcome: { overdueGraceDays: settings.overdueGraceDays, horizonDays: settings.outcomeHorizonDays },
          features: settings.features,
        });
        const experimentRows = buildExperimentRows(trainingSet, (invoiceId) => arms.arms.get(invoiceId));
        const result = trainModelVersion(trainingSet, experimentRows, settings.training, this.deps.serving.champion);
        const trainingMs = performance.now() - t0;
        if (!result.trained) {
          await recordTrainingRun(client, { startedAt, trigger, outcomeCount, result: 'insufficient', reason: result.reason });
          return { result: 'insufficient', reason: `${result.reason}; the prior keeps scoring`, labelledRows: result.rows };
        }
        const { candidate } = result;
        const promotion = decidePromotion(candidate.metrics, settings.promotion);
        const report = await withTransaction(pool, async (tx): Promise<RetrainReport> => {
          const existingRole = await roleOf(tx, candidate.version);
          if (existingRole) {
            const reason = 'same data and seed: this version is already registered';
            await recordTrainingRun(tx, { startedAt, trigger, outcomeCount, result: 'unchanged', version: candidate.version, reason });
            return { result: 'unchanged', version: candidate.version, role: existingRole, reason, metrics: candidate.metrics, trainingMs, unnamedArms: arms.unnamedArms };
          }
          await registerVersion(tx, candidate, modelCard(candidate, trainingSet, settings.training, promotion), promotion.role, promotion.reason, startedAt, trainingMs);
          await recordTrainingRun(tx, { startedAt, trigger, outcomeCount, result: 'trained', version: candidate.version, reason: promotion.reason });
          return { result: 'trained', version: candidate.version, role: promotion.role, reason: promotion.reason, metrics: candidate.metrics, trainingMs, unnamedArms: arms.unnamedArms };
        });
        await this.deps.serving.refresh(pool);
        return report;
      } finally {
        await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [TRAINING_LOCK]);
      }
    } finally {
      client.release();
    }
  }
}
