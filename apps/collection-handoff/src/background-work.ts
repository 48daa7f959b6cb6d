import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { OutboxRelay } from '@dunning/event-store';
import { KafkaPublisher, MessagingRuntime } from '@dunning/messaging';
import type { Pool } from 'pg';
import type { CollectionConfig } from './config';
import { DeliveryWorker, latestCutoff } from './delivering/delivery-worker';
import { ReconciliationJob } from './reconciling/reconciliation-job';
import { CLOCK, COLLECTION_CONFIG, PG_POOL } from './tokens';

/**
 * What runs beside the consumers and the HTTP endpoints: the outbox relay (collection.cases.v1,
 * in order per customer), the delivery worker (checks, agency deliveries, recalls, cut-offs) and
 * the daily reconciliation.
 */
@Injectable()
export class BackgroundWork implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('collection-handoff');
  private relay: OutboxRelay | undefined;
  private publisher: KafkaPublisher | undefined;
  private reconciliationTimer: NodeJS.Timeout | undefined;
  private lastReconciliation: string | undefined;

  constructor(
    @Inject(COLLECTION_CONFIG) private readonly config: CollectionConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: () => Date,
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    @Inject(DeliveryWorker) private readonly worker: DeliveryWorker,
    @Inject(ReconciliationJob) private readonly reconciliation: ReconciliationJob,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.runBackgroundWork) return;
    this.publisher = new KafkaPublisher(this.messaging.kafka);
    this.relay = new OutboxRelay({
      pool: this.pool,
      schema: this.config.schema,
      publisher: this.publisher,
      pollIntervalMs: 100,
      clock: this.clock,
      onError: (error) => this.logger.warn(`outbox relay pass failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    this.relay.start();
    this.worker.start();
    this.reconciliationTimer = setInterval(() => void this.reconcileIfDue(), 60_000);
  }

  /** After a commit that produced work or messages: do not wait for the next poll. */
  wake(): void {
    this.relay?.wake();
    this.worker.wake();
  }

  private async reconcileIfDue(): Promise<void> {
    const { batchId } = latestCutoff(this.clock(), { dailyAtUtc: this.config.reconciliationDailyAtUtc });
    if (this.lastReconciliation === batchId) return;
    this.lastReconciliation = batchId;
    try {
      const runs = await this.reconciliation.runAll();
      for (const run of runs) {
        this.logger.log(`reconciliation ${run.agencyId}: ${run.ourCases} ours, ${run.agencyCases} theirs, ${run.discrepancies.length} differ${run.error ? ` (error: ${run.error})` : ''}`);
      }
    } catch (error) {
      this.logger.warn(`reconciliation failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.reconciliationTimer) clearInterval(this.reconciliationTimer);
    await this.worker.stop();
    await this.relay?.stop();
    await this.publisher?.disconnect();
  }
}
