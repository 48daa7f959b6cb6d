import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { EventStore, OutboxRelay } from '@dunning/event-store';
import { ConsumerLagProbe, KafkaPublisher, TransactionalBatchConsumer } from '@dunning/messaging';
import { SimulationControl, type ServiceConfig } from '@dunning/platform';
import { DateHolidaysCalendar, parsePolicy, type Policy } from '../domain';
import type { Clock } from '../clock/clock';
import type { OrchestratorConfig } from '../config/orchestrator-config';
import { CaseProcessor } from '../cases/case-processor';
import { caseProjector, inputDecoder } from '../cases/case-projector';
import { DunningGateway } from '../cases/dunning-gateway';
import type { OrchestratorInputEvent } from '../cases/input-mapping';
import { TimerPoller } from '../timers/timer-poller';

/**
 * Everything that runs in the orchestrator process besides HTTP: the projection consumer, the
 * timer poller and the outbox relay, over one PostgreSQL pool. Start order: policy, clock,
 * relay, consumer, poller; stop in reverse.
 */
export class OrchestratorRuntime {
  readonly pool: Pool;
  readonly policy: Policy;
  private kafka: Kafka;
  private publisher: KafkaPublisher | undefined;
  private relay: OutboxRelay | undefined;
  private consumer: TransactionalBatchConsumer<OrchestratorInputEvent> | undefined;
  private poller: TimerPoller | undefined;
  private controlInstance: SimulationControl | undefined;
  private lagProbe: ConsumerLagProbe | undefined;

  constructor(
    readonly service: ServiceConfig,
    readonly config: OrchestratorConfig,
  ) {
    // Fails at start, with every problem listed, when the policy file is invalid.
    this.policy = parsePolicy(readFileSync(config.policyFile, 'utf8'), config.policyFile);
    this.pool = new Pool({ connectionString: service.databaseUrl, max: 8, application_name: 'dunning-orchestrator' });
    this.kafka = new Kafka({ clientId: 'dunning-orchestrator', brokers: service.kafkaBrokers, logLevel: logLevel.ERROR });
  }

  get clock(): Clock {
    return this.control.clock;
  }

  /** The clock, its due work (timers) and quiescence probes, behind /admin/clock and /admin/quiescence. */
  get control(): SimulationControl {
    if (!this.controlInstance) throw new Error('the orchestrator has not loaded its clock');
    return this.controlInstance;
  }

  get timers(): TimerPoller | undefined {
    return this.poller;
  }

  /**
   * Loads the clock (the persisted simulated instant, once migrations ran) and registers what a
   * clock move must run (due timers) and what quiescence counts. Idempotent.
   */
  async loadControl(): Promise<SimulationControl> {
    if (this.controlInstance) return this.controlInstance;
    const { config } = this;
    const control = await SimulationControl.create(this.pool, config.schema, { mode: config.clock, start: config.clockStart });
    this.lagProbe = new ConsumerLagProbe(this.kafka, {
      db: this.pool,
      schema: config.messagingSchema,
      targets: [{ groupId: config.consumerGroup, topics: [config.topics.invoices, config.topics.scores, config.topics.deliveries, config.topics.collectionCases] }],
    });
    const lagProbe = this.lagProbe;
    // The two counts of one quiescence round (its probes start together) come from one statement:
    // the simulator asks every 50 ms, and each round trip costs more than the counting.
    const pendingSql = `SELECT (SELECT count(*)::int FROM "${config.schema}".outbox WHERE published_at IS NULL) AS outbox,
                               (SELECT count(*)::int FROM "${config.schema}".timers WHERE status = 'pending' AND fire_at <= $1) AS timers`;
    let round: Promise<{ outbox: number; timers: number }> | undefined;
    const pending = (): Promise<{ outbox: number; timers: number }> => {
      if (!round) {
        round = this.pool.query<{ outbox: number; timers: number }>(pendingSql, [control.now()]).then(({ rows }) => rows[0] ?? { outbox: 0, timers: 0 });
        // Only the probes started in this same tick share it: a later round counts afresh.
        process.nextTick(() => (round = undefined));
      }
      return round;
    };
    control
      .addDueWork('timersFired', async () => (await this.poller?.fireDue()) ?? 0)
      .addProbe('consumerLag', () => lagProbe.lag())
      .addProbe('outboxPending', async () => (await pending()).outbox)
      .addProbe('timersDue', async () => (await pending()).timers);
    this.controlInstance = control;
    return control;
  }

  async start(): Promise<void> {
    const { config } = this;
    await this.loadControl();
    await this.ensureTopics();

    this.publisher = new KafkaPublisher(this.kafka);
    await this.publisher.connect();
    const publisher = this.publisher;
    this.relay = new OutboxRelay({
      pool: this.pool,
      schema: config.schema,
      publisher: { publish: (records) => publisher.publish(records.map((r) => ({ topic: r.topic, key: r.key, value: r.value, headers: r.headers }))) },
      pollIntervalMs: 100,
      onError: (error) => console.error('dunning-orchestrator outbox relay:', error instanceof Error ? error.message : error),
    });
    this.relay.start();

    const processor = new CaseProcessor({
      eventStore: new EventStore({ schema: config.schema }),
      schema: config.schema,
      gateway: new DunningGateway(config.topics.actions),
      policy: this.policy,
      calendar: new DateHolidaysCalendar(),
    });
    const relay = this.relay;
    this.consumer = new TransactionalBatchConsumer<OrchestratorInputEvent>({
      kafka: this.kafka,
      pool: this.pool,
      groupId: config.consumerGroup,
      topics: [config.topics.invoices, config.topics.scores, config.topics.deliveries, config.topics.collectionCases],
      schema: config.messagingSchema,
      decode: inputDecoder(config.topics),
      handle: caseProjector(processor, this.clock),
      // After the commit: a wake-up from inside the handler would find the rows not yet committed.
      onCommitted: () => relay.wake(),
    });
    await this.consumer.start();

    this.poller = new TimerPoller({
      pool: this.pool,
      processor,
      clock: this.clock,
      schema: config.schema,
      intervalMs: config.timerPollIntervalMs,
      onFired: () => relay.wake(),
      onError: (error) => console.error('dunning-orchestrator timers:', error instanceof Error ? error.message : error),
    });
    this.poller.start();
  }

  async stop(): Promise<void> {
    await this.poller?.stop();
    await this.consumer?.stop();
    await this.relay?.stop();
    await this.publisher?.disconnect();
    await this.lagProbe?.close();
    await this.pool.end();
  }

  /** The input and output topics exist before anyone subscribes (brokers may not auto-create). */
  private async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const { topics } = this.config;
      const missing = [topics.invoices, topics.scores, topics.deliveries, topics.collectionCases, topics.actions].filter((topic) => !existing.has(topic));
      if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })), waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }
}
