import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { createDatabase as createPostgresDatabase, createTopic, kafkaBrokers, postgresDatabaseUrl, uniqueName } from '@dunning/testing';
import { DeadLetters } from '../accounts/dead-letters';
import { createInvoicingApp } from '../app';
import { AdjustableClock } from '../clock';
import { loadInvoicingConfig, type InvoicingConfig } from '../config';
import { IngestBillingEvent } from '../ingesting-billing-events/handler';
import { billingEventsConsumer } from '../ingesting-billing-events/kafka-consumer';

/**
 * A real invoicing service for integration tests: its own database, its own topics and consumer
 * group (fresh names), test API keys (set only here), an adjustable clock, and the real broker.
 */
export const TEST_KEYS = {
  reader: `reader-${randomBytes(12).toString('hex')}`,
  writer: `writer-${randomBytes(12).toString('hex')}`,
  admin: `admin-${randomBytes(12).toString('hex')}`,
  contacts: `contacts-${randomBytes(12).toString('hex')}`,
  all: `all-${randomBytes(12).toString('hex')}`,
} as const;

const KEY_CONFIG = [
  `reader=${TEST_KEYS.reader}:read`,
  `writer=${TEST_KEYS.writer}:write`,
  `admin=${TEST_KEYS.admin}:admin`,
  `contacts=${TEST_KEYS.contacts}:contacts`,
  `all=${TEST_KEYS.all}:read+write+admin+contacts`,
].join(',');


export interface RunningInvoicing {
  readonly app: NestExpressApplication;
  readonly baseUrl: string;
  readonly config: InvoicingConfig;
  readonly clock: AdjustableClock;
  readonly database: string;
  readonly databaseUrl: string;
  /** A separate pool on the service's database, for assertions. */
  readonly db: Pool;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Record<string, string>;
  readonly background?: boolean;
  /** Reuse an existing database (a restart); default: a fresh one. */
  readonly database?: string;
  readonly topicPrefix?: string;
  /** false: the service builds its own clock from DUNNING_CLOCK in `env` (simulated-time tests). Default true. */
  readonly adjustableClock?: boolean;
}

export function testTopics(prefix: string) {
  return {
    billingEvents: `${prefix}.billing.events.v1`,
    invoices: `${prefix}.invoicing.invoices.v1`,
    collectionCases: `${prefix}.collection.cases.v1`,
  };
}

export async function createTestTopics(prefix: string): Promise<ReturnType<typeof testTopics>> {
  const topics = testTopics(prefix);
  for (const topic of Object.values(topics)) await createTopic(kafkaBrokers(), topic, 3);
  return topics;
}

export async function createDatabase(): Promise<string> {
  const database = uniqueName('inv_test').replace(/-/g, '_');
  await createPostgresDatabase(database);
  return database;
}

export { dropDatabase } from '@dunning/testing';

/** The service's own billing-events consumer (its IngestBillingEvent and DeadLetters), for tests and benches that hand it chunks directly. */
export function billingConsumerOf(service: RunningInvoicing): ReturnType<typeof billingEventsConsumer> {
  const { config } = service;
  return billingEventsConsumer({
    groupId: config.consumerGroups.billing,
    topic: config.topics.billingEvents,
    schema: config.schema,
    ingest: service.app.get(IngestBillingEvent),
    deadLetters: service.app.get(DeadLetters),
    clock: service.clock,
  });
}

export async function startInvoicing(options: StartOptions = {}): Promise<RunningInvoicing> {
  const database = options.database ?? (await createDatabase());
  const databaseUrl = postgresDatabaseUrl(database);
  const prefix = options.topicPrefix ?? uniqueName('inv');
  const topics = testTopics(prefix);
  const config = loadInvoicingConfig({
    KAFKA_BROKERS: kafkaBrokers().join(','),
    DATABASE_URL: databaseUrl,
    HTTP_PORT: '0',
    INVOICING_API_KEYS: KEY_CONFIG,
    INVOICING_BILLING_TOPIC: topics.billingEvents,
    INVOICING_INVOICES_TOPIC: topics.invoices,
    INVOICING_COLLECTION_TOPIC: topics.collectionCases,
    INVOICING_CONSUMER_GROUP: `${prefix}-group`,
    INVOICING_PERSONAL_DATA_KEK: randomBytes(32).toString('base64'),
    INVOICING_DEADLINE_SWEEP_INTERVAL: '1h',
    INVOICING_BACKGROUND_WORK: options.background === false ? 'off' : 'on',
    ...options.env,
  });
  const clock = new AdjustableClock();
  const app = await createInvoicingApp(config, { ...(options.adjustableClock === false ? {} : { clock }), logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const db = new Pool({ connectionString: databaseUrl, max: 3 });
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    config,
    clock,
    database,
    databaseUrl,
    db,
    async stop() {
      await app.close();
      await db.end();
    },
  };
}
