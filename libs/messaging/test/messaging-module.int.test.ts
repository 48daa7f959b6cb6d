import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createTopic, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';
import type { Pool } from 'pg';
import { KafkaPublisher } from '../src/kafka-publisher';
import { MessagingModule, MessagingRuntime, RECORD_PUBLISHER } from '../src/nest/messaging.module';
import type { RecordPublisher } from '../src/records';
import type { BatchHandler } from '../src/transactional-batch-consumer';
import { testKafka } from '../test-support/kafka';
import { createFreshSchema, dropSchema, ensureTestDatabase, testPool } from '../test-support/postgres';
import { countAppliedTransfers, decodeTransfer, makeTransfers, readAccountSums, referenceFold, transferHandler, transferRecord, transfersDdl, type Transfer } from '../test-support/transfers';

describe('MessagingModule', () => {
  let pool: Pool;
  let schema: string;

  beforeAll(async () => {
    await ensureTestDatabase();
    pool = testPool();
    schema = await createFreshSchema(pool, 'nestmod');
    await pool.query(transfersDdl(schema));
  });

  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });

  it('registers a consumer in a few lines, starts it on bootstrap and leaves the group on close', async () => {
    const topic = await createTopic(kafkaBrokers(), uniqueName('nest'), 3);
    const groupId = uniqueName('nest-group');

    @Injectable()
    class TransferProjection {
      readonly apply: BatchHandler<Transfer> = transferHandler(schema);
    }
    @Module({ providers: [TransferProjection], exports: [TransferProjection] })
    class ProjectionModule {}
    @Module({
      imports: [
        MessagingModule.forRootAsync({
          imports: [ProjectionModule],
          inject: [TransferProjection],
          useFactory: (projection: TransferProjection) => ({
            clientId: 'nest-module-test',
            brokers: kafkaBrokers(),
            pool,
            consumers: [{ groupId, topics: [topic], schema, decode: decodeTransfer, handle: projection.apply, consumerConfig: { sessionTimeout: 6_000, heartbeatInterval: 500 } }],
          }),
        }),
      ],
    })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    await app.init();
    const transfers = makeTransfers(200, 9, 'nest');
    expect(app.get<RecordPublisher>(RECORD_PUBLISHER)).toBe(app.get(KafkaPublisher));
    await app.get(KafkaPublisher).publish(transfers.map((t) => transferRecord(topic, t)));
    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === transfers.length, { description: 'consumed through the module' });
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold(transfers));
    expect(app.get(MessagingRuntime).consumers).toHaveLength(1);
    await app.close();

    const admin = testKafka('nest-module-admin').admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([groupId]);
      expect(groups[0]?.members).toEqual([]);
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committedTotal = committed[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
      expect(committedTotal).toBe(transfers.length);
    } finally {
      await admin.disconnect();
    }
  });
});
