import type { Kafka } from 'kafkajs';

export interface Watermarks {
  /** First retained offset. */
  readonly low: bigint;
  /** Offset the next record will get: everything below it exists now. */
  readonly high: bigint;
}

export type TopicWatermarks = Map<string, Map<number, Watermarks>>;

export async function fetchWatermarks(kafka: Kafka, topics: readonly string[]): Promise<TopicWatermarks> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const result: TopicWatermarks = new Map();
    for (const topic of topics) {
      const partitions = await admin.fetchTopicOffsets(topic);
      result.set(topic, new Map(partitions.map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }])));
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

/** The high watermark of every partition: a bounded run handles exactly the records below them. */
export function highWatermarks(watermarks: TopicWatermarks): Map<string, Map<number, bigint>> {
  return new Map([...watermarks].map(([topic, partitions]) => [topic, new Map([...partitions].map(([p, w]) => [p, w.high]))]));
}

/** `topic:partition` of the partitions holding records below their high watermark. */
export function partitionsWithRecords(watermarks: TopicWatermarks): Set<string> {
  const result = new Set<string>();
  for (const [topic, partitions] of watermarks) for (const [partition, { low, high }] of partitions) if (high > low) result.add(`${topic}:${partition}`);
  return result;
}

export async function deleteGroupQuietly(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // A leftover empty group expires on its own (offsets.retention.minutes); not worth failing for.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
