import { Outbox, withTransaction, type SqlClient } from '@dunning/event-store';
import { DunningAttributes, extractTraceContext, withSpan } from '@dunning/telemetry';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Pool } from 'pg';
import { computeScore, featuresAsOf, scorability, type ComputedScore, type CustomerHistory, type NotScorableReason } from '../domain';
import { insertScore } from '../persistence/model-registry';
import { claimDueInvoices, customerOfInvoice, loadHistories, setWatchStatus } from '../persistence/scoring-store';
import { SCORING_SCHEMA, type ScoringSettings } from '../scoring-settings';
import type { ModelServing } from './model-serving';
import { toOutboxMessage } from './score-gateway';

export type ScoreTrigger = 'overdue' | 'request';

export type ScoreRequestResult = { readonly outcome: 'scored'; readonly score: ComputedScore } | { readonly outcome: 'not-scorable'; readonly reason: NotScorableReason };

export interface ScoringServiceDeps {
  readonly pool: Pool;
  readonly serving: ModelServing;
  readonly settings: Pick<ScoringSettings, 'topics' | 'overdueGraceDays' | 'overdueScanBatchSize' | 'features'>;
  readonly clock: () => Date;
  readonly newId: () => string;
  /** Called after a transaction enqueued scores, so the relay publishes at once instead of at its next poll. */
  readonly onPublished?: () => void;
}

/**
 * Scores invoices and publishes each score through the outbox, in the transaction that records it:
 * a score is in the `scores` table and on its way to scoring.scores.v1, or neither.
 */
export class ScoringService {
  private readonly outbox: Outbox;

  constructor(private readonly deps: ScoringServiceDeps) {
    this.outbox = new Outbox({ schema: SCORING_SCHEMA, clock: deps.clock });
  }

  /** One pass of the overdue scanner: every invoice whose overdue instant has come is scored once, or skipped with a reason. */
  async scoreDueInvoices(): Promise<{ scored: number; skipped: number }> {
    const now = this.deps.clock();
    const result = await withTransaction(this.deps.pool, async (tx) => {
      const due = await claimDueInvoices(tx, now, this.deps.settings.overdueScanBatchSize);
      if (due.length === 0) return { scored: 0, skipped: 0 };
      const histories = await loadHistories(
        tx,
        due.map((d) => d.customerId),
        false,
      );
      let scored = 0;
      let skipped = 0;
      for (const { invoiceId, customerId, trace } of due) {
        const history = histories.get(customerId);
        const check = history ? scorability(history, invoiceId, now.toISOString(), this.deps.settings.overdueGraceDays) : ({ scorable: false, reason: 'unknown-invoice' } as const);
        if (!check.scorable || !history) {
          await setWatchStatus(tx, invoiceId, 'skipped', check.scorable ? 'unknown-invoice' : check.reason, now);
          skipped++;
          continue;
        }
        // Published days after the invoice event, outside any consumer span: the score continues the
        // trace stored with the watch row (the event that made the invoice known or put it back in line).
        const score = await context.with(extractTraceContext({ ...trace }, ROOT_CONTEXT), () =>
          withSpan('score overdue invoice', { [DunningAttributes.invoice.id]: invoiceId, [DunningAttributes.customer.id]: customerId }, () =>
            this.scoreAndPublish(tx, history, invoiceId, now, 'overdue'),
          ),
        );
        await setWatchStatus(tx, invoiceId, 'scored', score.scoreId, now);
        scored++;
      }
      return { scored, skipped };
    });
    if (result.scored > 0) this.deps.onPublished?.();
    return result;
  }

  /** The orchestrator asks for a score now (before or after the due date). */
  async scoreOnRequest(invoiceId: string): Promise<ScoreRequestResult | { readonly outcome: 'unknown-invoice' }> {
    const now = this.deps.clock();
    const result = await withTransaction(this.deps.pool, async (tx): Promise<ScoreRequestResult | { readonly outcome: 'unknown-invoice' }> => {
      const customerId = await customerOfInvoice(tx, invoiceId);
      if (!customerId) return { outcome: 'unknown-invoice' };
      const history = (await loadHistories(tx, [customerId], false)).get(customerId);
      if (!history) return { outcome: 'unknown-invoice' };
      const check = scorability(history, invoiceId, now.toISOString(), this.deps.settings.overdueGraceDays, false);
      if (!check.scorable) return { outcome: 'not-scorable', reason: check.reason };
      return { outcome: 'scored', score: await this.scoreAndPublish(tx, history, invoiceId, now, 'request') };
    });
    if (result.outcome === 'scored') this.deps.onPublished?.();
    return result;
  }

  /** In-process scoring only (no I/O): what the micro-benchmark measures. */
  score(history: CustomerHistory, invoiceId: string, now: Date): ComputedScore {
    const snapshot = featuresAsOf(history, invoiceId, now.toISOString(), this.deps.settings.features);
    return computeScore(snapshot, this.deps.serving.champion, { scoreId: this.deps.newId(), computedAt: now.toISOString() });
  }

  private async scoreAndPublish(tx: SqlClient, history: CustomerHistory, invoiceId: string, now: Date, trigger: ScoreTrigger): Promise<ComputedScore> {
    const snapshot = featuresAsOf(history, invoiceId, now.toISOString(), this.deps.settings.features);
    const score = computeScore(snapshot, this.deps.serving.champion, { scoreId: this.deps.newId(), computedAt: now.toISOString() });
    const challenger = this.deps.serving.challenger;
    const shadow = challenger ? { version: challenger.version, probability: computeScore(snapshot, challenger, { scoreId: score.scoreId, computedAt: score.computedAt }).probabilityPaysWithoutCollection } : undefined;
    await insertScore(tx, score, trigger, shadow);
    await this.outbox.enqueue(tx, [toOutboxMessage(score, this.deps.settings.topics.scores)]);
    return score;
  }
}
