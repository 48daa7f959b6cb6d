import type { Admin, Kafka } from 'kafkajs';
import { DEFAULT_MESSAGING_SCHEMA } from './offset-store';
import { quoteIdentifier, type SqlClient } from './sql';

/** One consumer group and the topics it reads. */
export interface ConsumerLagTarget {
  readonly groupId: string;
  readonly topics: readonly string[];
}

export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  /** First retained offset. */
  readonly low: bigint;
  /** Offset the next record will get. */
  readonly high: bigint;
}

/**
 * Records not yet handled: for each partition, high watermark − (last handled offset + 1). A
 * partition the group never handled counts from its low watermark (TransactionalBatchConsumer
 * starts there by default). Never negative.
 */
export function lagOf(partitions: readonly PartitionOffsets[], lastHandled: ReadonlyMap<string, bigint>): number {
  let lag = 0n;
  for (const { topic, partition, low, high } of partitions) {
    const last = lastHandled.get(`${topic}:${partition}`);
    const next = last !== undefined && last >= 0n ? last + 1n : low;
    const start = next > low ? next : low;
    if (high > start) lag += high - start;
  }
  return Number(lag);
}

export interface ConsumerLagProbeOptions {
  /** The service's database holding the consumers' offsets (TransactionalBatchConsumer's offset store). */
  readonly db: SqlClient;
  /** The offset store's schema (default `messaging`). */
  readonly schema?: string;
  readonly targets: readonly ConsumerLagTarget[];
}

/**
 * The consumer lag of a service's TransactionalBatchConsumers, with PostgreSQL's stored offsets
 * (the source of truth) against the brokers' high watermarks. Keeps one admin client, connected
 * on first use, so a poll costs one ListOffsets per topic and one query. Call `close()` on shutdown.
 */
export class ConsumerLagProbe {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;
  /** Topics seen to exist: listed again only while a target topic is missing (topics are rarely deleted). */
  private readonly existing = new Set<string>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerLagProbeOptions,
  ) {
    quoteIdentifier(options.schema ?? DEFAULT_MESSAGING_SCHEMA);
  }

  /**
   * Total records not yet handled, over every target. A topic that does not exist yet (its
   * producer has not created it) holds nothing to consume: it counts 0.
   */
  async lag(): Promise<number> {
    const admin = await this.connected();
    const wanted = this.options.targets.flatMap((t) => t.topics);
    if (wanted.some((topic) => !this.existing.has(topic))) for (const topic of await admin.listTopics()) this.existing.add(topic);
    const targets = this.options.targets.map((t) => ({ groupId: t.groupId, topics: t.topics.filter((topic) => this.existing.has(topic)) }));
    try {
      return await consumerLag(admin, this.options.db, targets, this.options.schema);
    } catch (error) {
      this.existing.clear(); // a topic deleted meanwhile: list again next time
      throw error;
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connecting = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    if (!this.connecting) {
      const admin = this.kafka.admin();
      this.connecting = admin.connect().then(
        () => {
          this.admin = admin;
          return admin;
        },
        (error: unknown) => {
          this.connecting = undefined;
          throw error;
        },
      );
    }
    return this.connecting;
  }
}

function offsetsSql(schema: string): string {
  return `SELECT consumer_group, topic, partition, last_offset::text AS last_offset
FROM ${quoteIdentifier(schema)}.consumer_offsets
WHERE consumer_group = ANY($1::text[])`;
}

/**
 * Total records the `targets` have not handled yet: the brokers' high watermarks (kafkajs
 * `fetchTopicOffsets` per topic through the caller's connected admin client) against the offsets
 * stored in PostgreSQL by TransactionalBatchConsumer (`<schema>.consumer_offsets`). Every topic must
 * exist (ConsumerLagProbe skips those that do not).
 */
export async function consumerLag(admin: Admin, db: SqlClient, targets: readonly ConsumerLagTarget[], schema: string = DEFAULT_MESSAGING_SCHEMA): Promise<number> {
  const topics = [...new Set(targets.flatMap((t) => t.topics))];
  const [offsets, stored] = await Promise.all([
    Promise.all(topics.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const)),
    db.query<{ consumer_group: string; topic: string; partition: number; last_offset: string }>(offsetsSql(schema), [targets.map((t) => t.groupId)]),
  ]);
  const byTopic = new Map(offsets);
  let total = 0;
  for (const target of targets) {
    const handled = new Map(stored.rows.filter((r) => r.consumer_group === target.groupId).map((r) => [`${r.topic}:${r.partition}`, BigInt(r.last_offset)]));
    const partitions = target.topics.flatMap((topic) => (byTopic.get(topic) ?? []).map((p) => ({ topic, partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) })));
    total += lagOf(partitions, handled);
  }
  return total;
}
