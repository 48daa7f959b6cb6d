import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { OutboxRelay } from '@dunning/event-store';
import { KafkaPublisher, MessagingRuntime } from '@dunning/messaging';
import type { Pool } from 'pg';
import { CheckDeadlines } from './checking-deadlines/handler';
import type { InvoicingConfig } from './config';
import { CLOCK, INVOICING_CONFIG, PG_POOL } from './tokens';
import type { Clock } from './clock';

/**
 * Wakes the outbox relay right after a Kafka consumer committed (the consumers are built before
 * BackgroundWork, which binds the relay once it runs), so that invoicing's events go out at once
 * rather than at the relay's next poll.
 */
export class RelayWakeUp {
  private target: (() => void) | undefined;

  bind(target: () => void): void {
    this.target = target;
  }

  wake(): void {
    this.target?.();
  }
}

/**
 * What runs beside the requests: the outbox relay (integration events and self-made dead letters
 * to Kafka, in order per customer) and the deadline sweeper. The Kafka consumers are run by
 * libs/messaging's MessagingRuntime. The relay has its own producer, so that it can finish its
 * last pass whatever order Nest shuts modules down in.
 */
@Injectable()
export class BackgroundWork implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('invoicing');
  private relay: OutboxRelay | undefined;
  private publisher: KafkaPublisher | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    @Inject(INVOICING_CONFIG) private readonly config: InvoicingConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CheckDeadlines) private readonly deadlines: CheckDeadlines,
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    @Optional() @Inject(RelayWakeUp) private readonly relayWakeUp?: RelayWakeUp,
  ) {}

  /**
   * The topics invoicing reads and writes exist before its consumers start (which happens in
   * onApplicationBootstrap, after every module's onModuleInit): a consumer cannot subscribe to a
   * topic that is not there. Missing ones get the broker's default partition count.
   */
  async onModuleInit(): Promise<void> {
    if (!this.config.createTopics) return;
    const admin = this.messaging.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const wanted = [this.config.topics.billingEvents, this.config.topics.invoices, this.config.topics.collectionCases];
      const missing = wanted.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
        this.logger.log(`created topics ${missing.join(', ')}`);
      }
    } finally {
      await admin.disconnect();
    }
  }

  onApplicationBootstrap(): void {
    if (!this.config.runBackgroundWork) return;
    this.publisher = new KafkaPublisher(this.messaging.kafka);
    this.relay = new OutboxRelay({
      pool: this.pool,
      schema: this.config.schema,
      publisher: this.publisher,
      pollIntervalMs: this.config.outboxPollIntervalMs,
      clock: () => this.clock.now(),
      onError: (error) => this.logger.warn(`outbox relay pass failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    this.relay.start();
    this.relayWakeUp?.bind(() => this.wakeRelay());
    this.sweepTimer = setInterval(() => this.sweepOnce(), this.config.deadlineSweepIntervalMs);
  }

  /** Publish what was just committed without waiting for the next poll. */
  wakeRelay(): void {
    this.relay?.wake();
  }

  /** One sweep now (tests call it after moving their clock); sweeps never overlap. */
  sweepOnce(): Promise<void> {
    this.sweeping ??= this.deadlines
      .sweep()
      .then((changed) => {
        // The accounts that changed wrote outbox rows, committed by now: publish them at once.
        if (changed > 0) this.wakeRelay();
      })
      .catch((error: unknown) => this.logger.warn(`deadline sweep failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.sweeping;
    await this.relay?.stop();
    await this.publisher?.disconnect();
  }
}
