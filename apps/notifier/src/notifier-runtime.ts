import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { decodeRecord, dunningEventRegistry, invoicingEventRegistry, type DunningEvent, type InvoicingEvent } from '@dunning/contracts';
import { OutboxRelay } from '@dunning/event-store';
import { ConsumerLagProbe, KafkaPublisher, TransactionalBatchConsumer } from '@dunning/messaging';
import type { ServiceConfig, SimulationControl } from '@dunning/platform';
import { KannelSmsProvider, verifyDeliverySignature } from './channels/kannel-sms.provider';
import { LetterDropProvider } from './channels/letter-drop.provider';
import { SmtpEmailProvider } from './channels/smtp-email.provider';
import type { MessageProvider } from './channels/provider';
import { InvoicingContactDirectory } from './deliveries/contact-directory';
import { DeliveryStore } from './deliveries/delivery-store';
import { DeliveryDispatcher } from './deliveries/dispatcher';
import { handleActionRequests, handleInvoiceEvents } from './intake/handle-records';
import type { NotifierConfig } from './notifier-config';
import type { TemplateCatalog } from './domain';

export type RuntimeLog = (message: string, fields: Readonly<Record<string, string | number | boolean>>) => void;

/**
 * The notifier's moving parts, wired once: two transactional consumers (action requests, invoice
 * state), the dispatcher loop (send-time checks, providers, reconciliation) and the outbox relay
 * publishing notifier.deliveries.v1. The Nest module starts and stops it with the application.
 *
 * Time comes from the service's SimulationControl only (docs/simulated-time.md): with
 * DUNNING_CLOCK=simulated, contact windows, quiet hours, the contact cap, leases and back-off all
 * read the simulated now; moving the clock (PUT /admin/clock) runs the dispatcher for whatever
 * became due before it answers, and GET /admin/quiescence counts consumer lag, the outbox and the
 * deliveries due at the clock's now.
 */
export class NotifierRuntime {
  readonly pool: Pool;
  readonly dispatcher: DeliveryDispatcher;
  private readonly providers: MessageProvider[];
  private readonly consumers: TransactionalBatchConsumer<unknown>[];
  private readonly relay: OutboxRelay;
  private readonly publisher: KafkaPublisher;
  private readonly kafka: Kafka;
  private readonly lag: ConsumerLagProbe;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Dispatcher passes run one at a time: the loop's and the ones a clock move asks for. */
  private passes: Promise<unknown> = Promise.resolve();
  /** Deliveries handled by every dispatcher pass so far, the loop's and the clock moves'. */
  private handled = 0;
  private stopped = false;
  /** A wake-up came while a pass ran: the next pass follows at once. */
  private wakeRequested = false;
  private readonly store: DeliveryStore;
  private roundCounts: Promise<{ readonly due: number; readonly expiredAttempts: number; readonly outboxPending: number }> | undefined;

  constructor(
    private readonly service: ServiceConfig,
    readonly config: NotifierConfig,
    readonly catalog: TemplateCatalog,
    private readonly log: RuntimeLog,
    readonly control: SimulationControl,
  ) {
    const clock = (): Date => control.now();
    const upSince = clock();
    this.pool = new Pool({ connectionString: service.databaseUrl, max: 8, application_name: 'notifier' });
    const store = new DeliveryStore(config.schema);
    this.store = store;
    this.providers = [
      new SmtpEmailProvider({ ...config.smtp, timeoutMs: 10_000 }),
      new KannelSmsProvider({ ...config.kannel, dlrUrl: `${config.publicUrl}/notifier/dlr/kannel`, upSince, timeoutMs: 10_000 }, async (deliveryId) =>
        (await store.reportTypes(this.pool, deliveryId)).length > 0,
      ),
      new LetterDropProvider(config.letters, clock),
    ];
    this.dispatcher = new DeliveryDispatcher({
      pool: this.pool,
      schema: config.schema,
      catalog,
      providers: this.providers,
      contacts: new InvoicingContactDirectory(config.contacts),
      rules: { contactWindows: config.contactWindows, contactCap: config.contactCap, unknownInvoiceRetryMs: config.backoff.initialMs },
      deliveriesTopic: config.topics.deliveries,
      defaultBrand: config.defaultBrand,
      paymentLinkTemplate: config.paymentLinkTemplate,
      leaseMs: config.leaseMs,
      dispatchConcurrency: config.dispatchConcurrency,
      maxAttempts: config.maxAttempts,
      backoff: config.backoff,
      log,
      clock,
      ...(config.faultInjection
        ? {
            faultInjection: (point) => {
              // The crash test's hook: die exactly here, like a power cut, with nothing flushed.
              if (point === config.faultInjection) process.kill(process.pid, 'SIGKILL');
            },
          }
        : {}),
    });
    const kafka = new Kafka({ clientId: 'notifier', brokers: service.kafkaBrokers, logLevel: logLevel.WARN });
    this.kafka = kafka;
    this.publisher = new KafkaPublisher(kafka);
    this.relay = new OutboxRelay({ pool: this.pool, schema: config.schema, publisher: this.publisher, onError: () => log('outbox relay error', {}) });
    const actions = new TransactionalBatchConsumer<DunningEvent>({
      kafka,
      pool: this.pool,
      schema: config.schema,
      groupId: config.consumerGroup,
      topics: [config.topics.actions],
      decode: (record) => decodeRecord(record, dunningEventRegistry),
      handle: handleActionRequests(store, config.fallbackChannels, clock),
      // New deliveries are dispatched right after they committed, not at the next poll.
      onCommitted: () => this.wakeDispatcher(),
    });
    const invoices = new TransactionalBatchConsumer<InvoicingEvent>({
      kafka,
      pool: this.pool,
      schema: config.schema,
      groupId: `${config.consumerGroup}-invoices`,
      topics: [config.topics.invoices],
      decode: (record) => decodeRecord(record, invoicingEventRegistry),
      handle: handleInvoiceEvents(store, clock),
    });
    this.consumers = [actions as TransactionalBatchConsumer<unknown>, invoices as TransactionalBatchConsumer<unknown>];
    this.lag = new ConsumerLagProbe(kafka, {
      db: this.pool,
      schema: config.schema,
      targets: [
        { groupId: config.consumerGroup, topics: [config.topics.actions] },
        { groupId: `${config.consumerGroup}-invoices`, topics: [config.topics.invoices] },
      ],
    });
    // What the passes handled from the move on: a pass of the loop still running then may have read the new time too.
    control.addDueWork('deliveries', async () => {
      const before = this.handled;
      await this.dispatchDue();
      return this.handled - before;
    });
    control.addProbe('consumerLag', () => this.lag.lag());
    // Both probes of a quiescence round share one statement (see quiescenceCounts).
    control.addProbe('outboxPending', async () => (await this.quiescenceCounts()).outboxPending);
    control.addProbe('deliveriesDue', async () => {
      const counts = await this.quiescenceCounts();
      return counts.due + counts.expiredAttempts + this.dispatcher.inProgress;
    });
  }

  /**
   * The counts of the quiescence round under way: the round's probes start together (in the same
   * tick), so the first starts the statement and the other takes its answer; a later round reads anew.
   */
  private quiescenceCounts(): Promise<{ readonly due: number; readonly expiredAttempts: number; readonly outboxPending: number }> {
    if (!this.roundCounts) {
      this.roundCounts = this.store.quiescenceCounts(this.pool, this.control.now());
      process.nextTick(() => (this.roundCounts = undefined));
    }
    return this.roundCounts;
  }

  /**
   * Dispatcher passes until one finds nothing due at the clock's now; returns how many deliveries
   * were handled (sent, skipped, deferred, reconciled). Never overlaps another pass.
   */
  dispatchDue(): Promise<number> {
    const run = this.passes.then(async () => {
      let handled = 0;
      // Passes until one took all that was due when it began: that one needs no empty pass after it.
      for (let done = false; !done && !this.stopped; ) {
        const pass = await this.dispatcher.runPass();
        done = pass.complete;
        if (pass.handled === 0) continue;
        handled += pass.handled;
        this.handled += pass.handled;
        // The pass committed outcome events to the outbox: publish them now, not at the relay's next poll.
        this.relay.wake();
      }
      return handled;
    });
    this.passes = run.catch(() => undefined);
    return run;
  }

  async start(): Promise<void> {
    await this.ensureTopics();
    await this.publisher.connect();
    this.relay.start();
    for (const consumer of this.consumers) await consumer.start();
    this.running = this.loop();
    this.log('notifier started', { schema: this.config.schema, actions: this.config.topics.actions, invoices: this.config.topics.invoices });
  }

  /** The dispatcher's loop: passes while they find work, then the next one after the poll interval (or at once when woken). */
  private readonly loop = async (): Promise<void> => {
    this.timer = undefined;
    this.wakeRequested = false;
    try {
      // Keep going while a pass finds work; then wait for the next poll.
      await this.dispatchDue();
    } catch (error) {
      this.log('dispatcher pass failed', { error: error instanceof Error ? error.name : 'unknown' });
    }
    if (!this.stopped) this.timer = setTimeout(() => (this.running = this.loop()), this.wakeRequested ? 0 : this.config.pollIntervalMs);
  };

  /** Runs the loop's next pass now instead of at the next poll; during a pass, right after it. */
  private wakeDispatcher(): void {
    if (this.stopped) return;
    if (this.timer === undefined) {
      this.wakeRequested = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.running = this.loop()), 0);
  }

  /**
   * A fresh broker (a new environment, the boot test) may not have the topics yet: create the ones
   * the notifier reads and writes when missing, so subscribing does not fail. Existing ones are kept.
   */
  private async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = Object.values(this.config.topics).filter((topic) => !existing.has(topic));
      if (missing.length > 0) await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: 3 })) });
    } finally {
      await admin.disconnect();
    }
  }

  /** A delivery report from Kannel; a report with a wrong signature is refused. */
  async onKannelReport(deliveryId: string, signature: string, type: number): Promise<'recorded' | 'unknown-delivery' | 'forbidden'> {
    if (!verifyDeliverySignature(deliveryId, signature, this.config.kannel.dlrSecret)) return 'forbidden';
    return this.dispatcher.onDeliveryReport(deliveryId, type);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.passes;
    for (const consumer of this.consumers) await consumer.stop();
    await this.lag.close();
    await this.relay.stop();
    await this.publisher.disconnect();
    for (const provider of this.providers) await provider.close?.();
    await this.pool.end();
  }
}
