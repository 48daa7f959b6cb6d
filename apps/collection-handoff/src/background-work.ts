import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { OutboxRelay, outboxPending } from '@dunning/event-store';
import { ConsumerLagProbe, KafkaPublisher, MessagingRuntime } from '@dunning/messaging';
import { SIMULATION_CONTROL, type SimulationControl } from '@dunning/platform';
import type { Pool } from 'pg';
import type { CollectionConfig } from './config';
import { DeliveryWorker, latestCutoff } from './delivering/delivery-worker';
import { ReconciliationJob } from './reconciling/reconciliation-job';
import { CLOCK, COLLECTION_CONFIG, PG_POOL } from './tokens';
import { WakeAfterCommit } from './wake-after-commit';

/**
 * What runs beside the consumers and the HTTP endpoints: the outbox relay (collection.cases.v1,
 * in order per customer), the delivery worker (checks, agency deliveries, recalls, cut-offs) and
 * the daily reconciliation.
 *
 * On simulated time (docs/simulated-time.md) it registers with the SimulationControl: moving the
 * clock runs the worker until nothing is due (checks, claims, recalls, a cut-off that became due)
 * and a reconciliation that became due, before PUT /admin/clock answers; GET /admin/quiescence
 * counts consumer lag, the outbox and the work due at the clock's now.
 */
@Injectable()
export class BackgroundWork implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('collection-handoff');
  private relay: OutboxRelay | undefined;
  private publisher: KafkaPublisher | undefined;
  private reconciliationTimer: NodeJS.Timeout | undefined;
  private lastReconciliation: string | undefined;
  private reconciling: Promise<number> | undefined;
  private readonly lag: ConsumerLagProbe;

  constructor(
    @Inject(COLLECTION_CONFIG) private readonly config: CollectionConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: () => Date,
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    @Inject(DeliveryWorker) private readonly worker: DeliveryWorker,
    @Inject(ReconciliationJob) private readonly reconciliation: ReconciliationJob,
    @Inject(SIMULATION_CONTROL) private readonly control: SimulationControl,
    @Inject(WakeAfterCommit) private readonly wakeups: WakeAfterCommit,
  ) {
    this.lag = new ConsumerLagProbe(messaging.kafka, {
      db: pool,
      schema: config.schema,
      targets: [
        { groupId: config.consumerGroups.invoices, topics: [config.topics.invoices] },
        { groupId: config.consumerGroups.actions, topics: [config.topics.actions] },
      ],
    });
  }

  onApplicationBootstrap(): void {
    this.control.addProbe('consumerLag', () => this.lag.lag());
    this.control.addProbe('outboxPending', () => outboxPending(this.pool, this.config.schema));
    if (!this.config.runBackgroundWork) return;
    this.control.addProbe('handoffWorkDue', async () => {
      const due = await this.worker.pendingWork();
      return due.checks + due.deliveries + due.cutoffs;
    });
    this.control.addProbe('reconciliationDue', async () => (this.reconciliationDue() ? 1 : 0));
    this.control.addDueWork('handoffs', () => this.worker.runUntilIdle());
    this.control.addDueWork('reconciliations', () => this.reconcileIfDue());
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
    this.wakeups.listen(() => this.wake());
    this.worker.afterWork(() => this.relay?.wake());
    this.reconciliationTimer = setInterval(() => void this.reconcileIfDue(), 60_000);
    // The first one at once (not a minute later), so a fresh start is not busy for a minute.
    void this.reconcileIfDue();
  }

  /** After a commit that produced work or messages: do not wait for the next poll. */
  wake(): void {
    this.relay?.wake();
    this.worker.wake();
  }

  /** The daily reconciliation whose time (`reconciliationDailyAtUtc`) has come and which has not run yet. */
  private reconciliationDue(): boolean {
    return this.reconciling !== undefined || latestCutoff(this.clock(), { dailyAtUtc: this.config.reconciliationDailyAtUtc }).batchId !== this.lastReconciliation;
  }

  /** Runs the reconciliation if due (one at a time); returns how many agencies it reconciled. */
  private async reconcileIfDue(): Promise<number> {
    await this.reconciling;
    const { batchId } = latestCutoff(this.clock(), { dailyAtUtc: this.config.reconciliationDailyAtUtc });
    if (this.lastReconciliation === batchId) return 0;
    this.lastReconciliation = batchId;
    this.reconciling = this.reconcile().finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  private async reconcile(): Promise<number> {
    try {
      const runs = await this.reconciliation.runAll();
      for (const run of runs) {
        this.logger.log(`reconciliation ${run.agencyId}: ${run.ourCases} ours, ${run.agencyCases} theirs, ${run.discrepancies.length} differ${run.error ? ` (error: ${run.error})` : ''}`);
      }
      return runs.length;
    } catch (error) {
      this.logger.warn(`reconciliation failed: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.reconciliationTimer) clearInterval(this.reconciliationTimer);
    await this.reconciling;
    await this.worker.stop();
    await this.lag.close();
    await this.relay?.stop();
    await this.publisher?.disconnect();
  }
}
