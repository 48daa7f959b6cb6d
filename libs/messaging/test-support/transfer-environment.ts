import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { KafkaPublisher } from '../src/kafka-publisher';
import { TransactionalBatchConsumer, type TransactionalBatchConsumerOptions } from '../src/transactional-batch-consumer';
import { fastGroupConfig, testKafka } from './kafka';
import { createFreshSchema, dropSchema, ensureTestDatabase, testPool } from './postgres';
import { decodeTransfer, transfersDdl, type Transfer } from './transfers';

export interface TransferEnvironmentOptions {
  /** Kafka client id, so the broker's logs tell the test files apart. */
  readonly clientId: string;
  /** Prefix of the fresh schema (offsets + transfer projection) this test file owns. */
  readonly schemaPrefix: string;
  readonly poolSize?: number;
}

export interface TransferEnvironment {
  readonly kafka: Kafka;
  readonly pool: Pool;
  readonly schema: string;
  /** Connects on first publish; disconnected after the file's tests. */
  readonly publisher: KafkaPublisher;
  /** Consumers still running when the file's tests end are stopped before the pool closes. */
  readonly running: Set<TransactionalBatchConsumer<Transfer>>;
  /** Empties the transfer projection (sums and effects), e.g. between tests sharing the schema. */
  clearProjection(): Promise<void>;
  /** A transfer consumer on this environment, tracked in `running`, not started yet (attach listeners first). */
  consumer(options: TransferConsumerOptions): TransactionalBatchConsumer<Transfer>;
  /** `consumer(options)`, started. */
  startConsumer(options: TransferConsumerOptions): Promise<TransactionalBatchConsumer<Transfer>>;
}

/** A transfer consumer's own settings; the environment supplies kafka, pool, schema and the decoder, and `fastGroupConfig` unless given. */
export type TransferConsumerOptions = Omit<TransactionalBatchConsumerOptions<Transfer>, 'kafka' | 'pool' | 'schema' | 'decode'>;

interface Resources {
  readonly kafka: Kafka;
  readonly pool: Pool;
  readonly schema: string;
  readonly publisher: KafkaPublisher;
}

/**
 * The setup every transactional-consumer integration test shares: the test database, a pool, a
 * fresh schema holding `consumer_offsets` and the transfer projection, a Kafka client and a
 * publisher. Registers the file's `beforeAll`/`afterAll`, so call it directly inside `describe`;
 * the returned fields are readable from the tests (and hooks declared after it) on.
 */
export function useTransferEnvironment(options: TransferEnvironmentOptions): TransferEnvironment {
  const running = new Set<TransactionalBatchConsumer<Transfer>>();
  let resources: Resources | undefined;
  const ready = (): Resources => {
    if (!resources) throw new Error('the transfer environment is set up in beforeAll; read it from a test or a later hook');
    return resources;
  };

  beforeAll(async () => {
    await ensureTestDatabase();
    const kafka = testKafka(options.clientId);
    const pool = testPool(options.poolSize);
    const schema = await createFreshSchema(pool, options.schemaPrefix);
    await pool.query(transfersDdl(schema));
    resources = { kafka, pool, schema, publisher: new KafkaPublisher(kafka) };
  });

  afterAll(async () => {
    if (!resources) return;
    const { pool, schema, publisher } = resources;
    for (const consumer of running) await consumer.stop();
    await publisher.disconnect();
    await dropSchema(pool, schema);
    await pool.end();
  });

  const consumer = (options: TransferConsumerOptions): TransactionalBatchConsumer<Transfer> => {
    const { kafka, pool, schema } = ready();
    const created = new TransactionalBatchConsumer<Transfer>({ kafka, pool, schema, decode: decodeTransfer, consumerConfig: fastGroupConfig, ...options });
    running.add(created);
    return created;
  };

  return {
    get kafka() {
      return ready().kafka;
    },
    get pool() {
      return ready().pool;
    },
    get schema() {
      return ready().schema;
    },
    get publisher() {
      return ready().publisher;
    },
    running,
    clearProjection: async () => {
      const { pool, schema } = ready();
      await pool.query(`TRUNCATE "${schema}".account_sums, "${schema}".effects, "${schema}".effect_attempts`);
    },
    consumer,
    startConsumer: async (options) => {
      const started = consumer(options);
      await started.start();
      return started;
    },
  };
}
