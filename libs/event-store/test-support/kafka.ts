import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { OutboxPublisher, OutboxRecord } from '../src/outbox-relay';

export const KAFKA_BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

export async function createTopic(kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } catch (error) {
    console.warn(`deleteTopic(${topic}) failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The production shape of the relay's publisher, kept tiny for tests: an idempotent producer
 * (acks=-1, one request in flight), one sendBatch per relay batch. libs/messaging ships the real one.
 */
export class TestKafkaPublisher implements OutboxPublisher {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    // No auto-creation: a metadata refresh after a test deleted its topic must not bring it back.
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  }

  async publish(records: readonly OutboxRecord[]): Promise<void> {
    this.connected ??= this.producer.connect();
    await this.connected;
    const byTopic = new Map<string, { key: string | null; value: Buffer; headers: Record<string, string> }[]>();
    for (const record of records) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({ key: record.key, value: record.value, headers: { ...record.headers } });
      byTopic.set(record.topic, messages);
    }
    await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
  }
}

export interface ConsumedMessage {
  partition: number;
  offset: bigint;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Every message of `topic` from offset 0 to the end offsets read when the call starts, per
 * partition in offset order. Reads with a plain consumer in a fresh group (no commits needed).
 */
export async function readWholeTopic(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<ConsumedMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => BigInt(p.high) > 0n).map((p) => [p.partition, BigInt(p.high)]));
  const messages: ConsumedMessage[] = [];
  if (remaining.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: `read-${topic}-${Date.now()}`, maxBytesPerPartition: 4 * 1024 * 1024, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`readWholeTopic(${topic}) timed out with ${remaining.size} partitions unread`)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = remaining.get(batch.partition);
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (end === undefined || offset >= end) continue;
              const headers: Record<string, string> = {};
              for (const [name, value] of Object.entries(message.headers ?? {})) {
                if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[value.length - 1]) : String(value);
              }
              messages.push({ partition: batch.partition, offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
            }
            const last = batch.messages[batch.messages.length - 1];
            if (end !== undefined && last && BigInt(last.offset) + 1n >= end) remaining.delete(batch.partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
}
