import { createTopic, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';
import { replayProjection } from '../src/replay';
import { TransactionalBatchConsumer, type ConsumerMode } from '../src/transactional-batch-consumer';
import { fastGroupConfig } from '../test-support/kafka';
import {
  countAppliedTransfers,
  decodeTransfer,
  effectCounts,
  makeTransfers,
  readAccountSums,
  referenceFold,
  transferHandler,
  transferRecord,
  type Transfer,
} from '../test-support/transfers';
import { useTransferEnvironment } from '../test-support/transfer-environment';

describe('replay', () => {
  const env = useTransferEnvironment({ clientId: 'replay-test', schemaPrefix: 'replay' });

  it('rebuilds the projection from offset 0 with effects off, stops at the captured watermarks, and the live consumer carries on from there', async () => {
    const { kafka, pool, schema, publisher } = env;
    const topic = await createTopic(kafkaBrokers(), uniqueName('replay'), 3);
    const groupId = uniqueName('replay-group');
    const before = makeTransfers(3_000, 40, 'before');
    const during = makeTransfers(500, 40, 'during');
    await publisher.publish(before.map((t) => transferRecord(topic, t)));

    const modes = new Set<ConsumerMode>();
    const project = transferHandler(schema);
    const startLive = (): Promise<TransactionalBatchConsumer<Transfer>> =>
      env.startConsumer({
        groupId,
        topics: [topic],
        handle: (events, tx, context) => {
          modes.add(context.mode);
          return project(events, tx, context);
        },
      });

    const live = await startLive();
    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === before.length, { description: 'live projection built' });
    await live.stop();
    // The projection drifts (a bug, a new column…): a replay must rebuild it exactly.
    await pool.query(`UPDATE "${schema}".account_sums SET total_minor = 0`);

    const replayModes = new Set<ConsumerMode>();
    const summary = await replayProjection<Transfer>({
      kafka,
      pool,
      schema,
      topic,
      groupId,
      decode: decodeTransfer,
      consumerConfig: fastGroupConfig,
      handle: (events, tx, context) => {
        replayModes.add(context.mode);
        return project(events, tx, context);
      },
      reset: async (tx) => {
        await tx.query(`TRUNCATE "${schema}".account_sums`);
        // Produced after the watermarks were captured: these belong to the live consumer.
        await publisher.publish(during.map((t) => transferRecord(topic, t)));
      },
    });
    const replayed = [...summary.endOffsets.get(topic)!.values()].reduce((sum, end) => sum + Number(end), 0);
    process.stdout.write(`replay: ${replayed} records in ${summary.durationMs} ms (${Math.round((replayed / summary.durationMs) * 1000)} records/s)\n`);
    expect(replayed).toBe(before.length);
    expect([...replayModes]).toEqual(['replay']);
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold(before));
    // No effect ran again.
    expect(await effectCounts(pool, schema)).toEqual({ attempts: before.length, distinctAttempted: before.length, effects: before.length });

    await startLive();
    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === before.length + during.length, { description: 'live consumer caught up' });
    expect([...modes]).toEqual(['live']);
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold([...before, ...during]));
    const total = before.length + during.length;
    expect(await effectCounts(pool, schema)).toEqual({ attempts: total, distinctAttempted: total, effects: total });
  }, 120_000);
});
