import type { Kafka } from 'kafkajs';
import { deleteGroupQuietly, fetchWatermarks, highWatermarks, partitionsWithRecords } from './watermarks';
import type { MessagingLogger } from './logger';
import { DEFAULT_MESSAGING_SCHEMA, OffsetStore } from './offset-store';
import type { RecordDecoder } from './records';
import { inTransaction, type SqlClient, type SqlPool } from './sql';
import { TransactionalBatchConsumer, type BatchHandler, type TransactionalBatchConsumerOptions } from './transactional-batch-consumer';

export interface ReplayOptions<T> {
  readonly kafka: Kafka;
  readonly pool: SqlPool;
  readonly topic: string | readonly string[];
  /** The live consumer group whose projection is rebuilt; its stored offsets are replaced. */
  readonly groupId: string;
  readonly decode: RecordDecoder<T>;
  /** The live handler: it receives `mode: 'replay'` and must skip every external effect. */
  readonly handle: BatchHandler<T>;
  /** Empties the projection (TRUNCATE its tables) in the same transaction that forgets the stored offsets. */
  readonly reset: (client: SqlClient) => Promise<void>;
  readonly schema?: string;
  /** Records per transaction; larger than live because nothing waits on a replay. Default 2,000. */
  readonly maxChunkSize?: number;
  readonly consumerConfig?: TransactionalBatchConsumerOptions<T>['consumerConfig'];
  readonly logger?: MessagingLogger;
  readonly clock?: () => Date;
}

export interface ReplaySummary {
  /** The high watermarks captured at start: the replay applied everything below them. */
  readonly endOffsets: ReadonlyMap<string, ReadonlyMap<number, bigint>>;
  readonly durationMs: number;
}

/**
 * Rebuilds a projection from the first retained offset at full speed with effects off.
 *
 * 1. Captures each partition's high watermark: records produced later are left for the live
 *    consumer, which then performs their effects as usual.
 * 2. In one transaction runs `reset` and deletes the group's stored offsets.
 * 3. Consumes from the beginning with `mode: 'replay'` (no dead-lettering: those records were
 *    dead-lettered when they were live) under a throwaway Kafka group, storing offsets under
 *    `groupId`, until every partition reaches its captured watermark; then stops.
 *
 * Stop the live consumers of `groupId` first. When they start again they seek to the offsets the
 * replay stored, so nothing below the watermarks is applied or sent twice.
 */
export async function replayProjection<T>(options: ReplayOptions<T>): Promise<ReplaySummary> {
  const started = Date.now();
  const topics = typeof options.topic === 'string' ? [options.topic] : [...options.topic];
  const watermarks = await fetchWatermarks(options.kafka, topics);
  const endOffsets = highWatermarks(watermarks);
  const pending = partitionsWithRecords(watermarks);

  const offsets = new OffsetStore(options.schema ?? DEFAULT_MESSAGING_SCHEMA);
  await inTransaction(options.pool, async (tx) => {
    await options.reset(tx);
    await offsets.forget(tx, options.groupId, topics);
  });
  if (pending.size === 0) return { endOffsets, durationMs: Date.now() - started };

  const kafkaGroupId = `${options.groupId}.replay.${started}`;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const consumer = new TransactionalBatchConsumer<T>({
    kafka: options.kafka,
    pool: options.pool,
    groupId: options.groupId,
    kafkaGroupId,
    topics,
    decode: options.decode,
    handle: options.handle,
    mode: 'replay',
    createDeadLetterTopics: false,
    fromBeginning: true,
    maxChunkSize: options.maxChunkSize ?? 2_000,
    endOffsets,
    onPartitionEnd: (topic, partition) => {
      pending.delete(`${topic}:${partition}`);
      if (pending.size === 0) finish();
    },
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.consumerConfig ? { consumerConfig: options.consumerConfig } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await consumer.start();
  try {
    await finished;
  } finally {
    await consumer.stop();
    await deleteGroupQuietly(options.kafka, kafkaGroupId);
  }
  return { endOffsets, durationMs: Date.now() - started };
}
