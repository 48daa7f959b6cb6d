import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { OutboxRelay } from '@dunning/event-store';
import { KafkaPublisher, TransactionalBatchConsumer } from '@dunning/messaging';
import { SERVICE_CONFIG, type ServiceConfig } from '@dunning/platform';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { createInvoiceEventsHandler, decodeInvoicingRecord } from './customer-features/invoice-events.handler';
import { createDunningEventsHandler, decodeDunningRecord } from './experiment-arms/dunning-events.handler';
import { ModelTrainingService } from './model-registry/model-training.service';
import { SCORING_SCHEMA, type ScoringSettings } from './scoring-settings';
import { ModelServing } from './serving/model-serving';
import { ScoringService } from './serving/scoring.service';

export const SCORING_SETTINGS = Symbol('SCORING_SETTINGS');
/** The clock and id source of the service: tests inject their own. */
export const SCORING_CLOCK = Symbol('SCORING_CLOCK');
export const SCORING_ID_SOURCE = Symbol('SCORING_ID_SOURCE');

export type Clock = () => Date;
export type IdSource = () => string;
export const systemClock: Clock = () => new Date();
export const randomIds: IdSource = () => randomUUID();

/**
 * Everything scoring runs besides HTTP: its pool, the two consumers (invoices → histories and the
 * overdue watch; dunning actions → experiment arms), the outbox relay to scoring.scores.v1, the
 * overdue scanner, the champion refresh and the retrain schedule.
 */
@Injectable()
export class ScoringRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  readonly pool: Pool;
  readonly serving = new ModelServing();
  readonly scoring: ScoringService;
  readonly training: ModelTrainingService;
  readonly kafka: Kafka;
  private readonly publisher: KafkaPublisher;
  private readonly relay: OutboxRelay;
  private readonly consumerFactories: (() => TransactionalBatchConsumer<unknown>)[];
  private readonly consumers: TransactionalBatchConsumer<unknown>[] = [];
  private readonly starting: Promise<void>[] = [];
  private stopping = false;
  private readonly timers: NodeJS.Timeout[] = [];
  /** The run in progress of each periodic job: a job never overlaps itself. */
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly logger = new Logger('ScoringRuntime');

  constructor(
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(SCORING_SETTINGS) readonly settings: ScoringSettings,
    @Inject(SCORING_CLOCK) private readonly clock: Clock,
    @Inject(SCORING_ID_SOURCE) newId: IdSource,
  ) {
    this.pool = new Pool({ connectionString: config.databaseUrl, max: 8, application_name: `${config.serviceName}-runtime` });
    // An idle connection dropped by the server (a restart, a failover) must not take the service down.
    this.pool.on('error', (error) => this.logger.warn(`idle database connection lost: ${error.message}`));
    this.kafka = new Kafka({ clientId: config.serviceName, brokers: config.kafkaBrokers, logLevel: logLevel.WARN });
    this.publisher = new KafkaPublisher(this.kafka);
    this.relay = new OutboxRelay({
      pool: this.pool,
      schema: SCORING_SCHEMA,
      publisher: this.publisher,
      pollIntervalMs: settings.relayPollIntervalMs,
      onError: (error) => this.logger.warn(`outbox relay pass failed, retrying: ${error instanceof Error ? error.message : String(error)}`),
    });
    this.scoring = new ScoringService({ pool: this.pool, serving: this.serving, settings, clock, newId, onPublished: () => this.relay.wake() });
    this.training = new ModelTrainingService({ pool: this.pool, serving: this.serving, settings, clock });
    const common = { kafka: this.kafka, pool: this.pool, schema: SCORING_SCHEMA, deadLetterPublisher: this.publisher, clock };
    this.consumerFactories = [
      () =>
        new TransactionalBatchConsumer({
          ...common,
          groupId: settings.consumerGroups.invoices,
          topics: [settings.topics.invoices],
          decode: decodeInvoicingRecord,
          handle: createInvoiceEventsHandler(settings, clock),
        }) as TransactionalBatchConsumer<unknown>,
      () =>
        new TransactionalBatchConsumer({
          ...common,
          groupId: settings.consumerGroups.actions,
          topics: [settings.topics.actions],
          decode: decodeDunningRecord,
          handle: createDunningEventsHandler(),
        }) as TransactionalBatchConsumer<unknown>,
    ];
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.serving.refresh(this.pool);
    await this.publisher.connect();
    this.relay.start();
    // Consumers start in the background: a topic its producer has not created yet (a fresh
    // cluster) must not keep the service from booting; they retry until they are in their group.
    for (const factory of this.consumerFactories) this.starting.push(this.startConsumer(factory));
    this.every('overdue-scan', this.settings.overdueScanIntervalMs, () => this.scoring.scoreDueInvoices());
    this.every('champion-refresh', this.settings.championRefreshIntervalMs, () => this.serving.refresh(this.pool));
    if (this.settings.retrain.enabled) this.every('retrain-schedule', this.settings.retrain.checkIntervalMs, () => this.scheduledRetrain());
  }

  /**
   * Scores every invoice overdue at the clock's now, batch after batch, after any scan in
   * progress (a simulated clock move runs it before answering). Returns how many it handled
   * (scored or skipped).
   */
  scanOverdueNow(): Promise<number> {
    return this.exclusive('overdue-scan', async () => {
      let handled = 0;
      for (;;) {
        const { scored, skipped } = await this.scoring.scoreDueInvoices();
        handled += scored + skipped;
        if (scored + skipped < this.settings.overdueScanBatchSize) return handled;
      }
    });
  }

  /** The retrain schedule's check at the clock's now, after any in progress; 1 when it trained a model. */
  async retrainNowIfDue(): Promise<number> {
    if (!this.settings.retrain.enabled) return 0;
    return (await this.exclusive('retrain-schedule', () => this.scheduledRetrain())) ? 1 : 0;
  }

  private async scheduledRetrain(): Promise<boolean> {
    const { decision, report } = await this.training.retrainIfDue();
    if (report) this.logger.log(`scheduled retraining (${decision.reason}): ${report.result}${'version' in report ? ` ${report.version} as ${report.role}` : ''}`);
    return report !== undefined;
  }

  /** Resolves once every consumer has joined its group (tests wait on it). */
  async consumersStarted(): Promise<void> {
    await Promise.all(this.starting);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.starting);
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await this.relay.stop();
    await this.publisher.disconnect();
    await this.pool.end();
  }

  private async startConsumer(factory: () => TransactionalBatchConsumer<unknown>): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      const consumer = factory();
      try {
        await consumer.start();
        this.consumers.push(consumer);
        return;
      } catch (error) {
        await consumer.stop().catch(() => undefined);
        this.logger.warn(`consumer ${consumer.groupId} could not start (attempt ${attempt}), retrying: ${error instanceof Error ? error.message : String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * attempt)));
      }
    }
  }

  /** A periodic job that never overlaps itself (a tick finding it running skips) and logs (without personal data) instead of crashing. */
  private every(name: string, intervalMs: number, job: () => Promise<unknown>): void {
    const run = async (): Promise<void> => {
      if (this.running.has(name)) return;
      try {
        await this.exclusive(name, job);
      } catch (error) {
        this.logger.warn(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    this.timers.push(setInterval(() => void run(), intervalMs));
    void run();
  }

  /** Runs `job` once the run of `name` in progress (if any) is over; others wait for this one in turn. */
  private async exclusive<T>(name: string, job: () => Promise<T>): Promise<T> {
    for (let current = this.running.get(name); current; current = this.running.get(name)) await current.catch(() => undefined);
    const run = job();
    this.running.set(name, run);
    try {
      return await run;
    } finally {
      if (this.running.get(name) === run) this.running.delete(name);
    }
  }

  /** The clock the service runs on (the tests' own, in tests). */
  now(): Date {
    return this.clock();
  }
}
