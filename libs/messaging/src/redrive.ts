import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { readDeadLetterInfo, toRedriveRecord, type DeadLetterInfo } from './dead-letter';
import { KafkaPublisher } from './kafka-publisher';
import { toKafkaRecord, type OutboundRecord, type RecordPublisher } from './records';
import { deleteGroupQuietly, fetchWatermarks, partitionsWithRecords } from './watermarks';

export interface RedriveOptions {
  readonly kafka: Kafka;
  /** Which dead letters to re-publish, e.g. `(d) => d.errorCode === 'UNKNOWN_INVOICE'`. Default: all. */
  readonly filter?: (deadLetter: DeadLetterInfo) => boolean;
  /** Defaults to an idempotent producer on the same cluster. */
  readonly publisher?: RecordPublisher;
  readonly clock?: () => Date;
}

export interface RedriveSummary {
  readonly redriven: number;
  readonly skipped: number;
}

/**
 * Re-publishes dead letters to their original topic once the cause is fixed: original key,
 * value and headers (minus `dlq.*`), plus `redrive.*` headers naming the DLQ record. It reads
 * the DLQ from its beginning up to the high watermarks seen at start, under a throwaway group,
 * so running it twice re-publishes twice: narrow the filter (e.g. by `failedAt` or offset).
 * A redriven record is a new delivery with a new offset; the consumer's inbox/idempotency on
 * the event id (CloudEvents `ce_source` + `ce_id`) absorbs a record that had in fact been applied.
 */
export async function redrive(dlqTopic: string, options: RedriveOptions): Promise<RedriveSummary> {
  const clock = options.clock ?? (() => new Date());
  const watermarks = await fetchWatermarks(options.kafka, [dlqTopic]);
  const ends = watermarks.get(dlqTopic) ?? new Map();
  const pending = partitionsWithRecords(watermarks);
  if (pending.size === 0) return { redriven: 0, skipped: 0 };

  const ownPublisher = options.publisher ? undefined : new KafkaPublisher(options.kafka);
  const publisher: RecordPublisher = options.publisher ?? (ownPublisher as KafkaPublisher);
  const groupId = `redrive.${dlqTopic}.${randomUUID()}`;
  const consumer = options.kafka.consumer({ groupId });
  let redriven = 0;
  let skipped = 0;
  let failure: unknown;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  try {
    await consumer.connect();
    await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, pause }) => {
        const end = ends.get(batch.partition)?.high ?? 0n;
        const toPublish: OutboundRecord[] = [];
        let last: string | undefined;
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= end) break;
          const record = toKafkaRecord(batch.topic, batch.partition, message);
          const info = readDeadLetterInfo(record);
          if (info && (options.filter?.(info) ?? true)) toPublish.push(toRedriveRecord(record, info, clock()));
          else skipped++;
          last = message.offset;
        }
        try {
          await publisher.publish(toPublish);
        } catch (error) {
          failure = error;
          finish();
          throw error;
        }
        redriven += toPublish.length;
        if (last !== undefined) resolveOffset(last);
        if (BigInt(batch.lastOffset()) >= end - 1n) {
          pause();
          pending.delete(`${dlqTopic}:${batch.partition}`);
          if (pending.size === 0) finish();
        }
      },
    });
    await finished;
  } finally {
    await consumer.disconnect();
    await ownPublisher?.disconnect();
    await deleteGroupQuietly(options.kafka, groupId);
  }
  if (failure) throw failure;
  return { redriven, skipped };
}
