import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import { TOPICS, encodeBinary, type BillingEvent } from '@dunning/contracts';

export interface KafkaBillingProducerOptions {
  readonly brokers: readonly string[];
  readonly topic?: string;
  readonly clientId?: string;
  /** Records per produce request. */
  readonly batchSize?: number;
}

/**
 * Produces the simulator's events to `billing.events.v1` as a billing system would: binary-mode
 * CloudEvents built by the contract's codec (`encodeBinary`), key = customerId, an idempotent
 * producer (acks = all) so retries never duplicate and a customer's events stay in order.
 */
export class KafkaBillingProducer {
  private readonly producer: Producer;
  private readonly topic: string;
  private readonly batchSize: number;
  private connected = false;

  constructor(options: KafkaBillingProducerOptions) {
    const kafka = new Kafka({ clientId: options.clientId ?? 'billing-simulator', brokers: [...options.brokers], logLevel: logLevel.WARN });
    // One request in flight: with idempotence that keeps order per partition across retries. The
    // default (Java-compatible murmur2) partitioner, named so kafkajs does not warn about its change.
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    this.topic = options.topic ?? TOPICS.billingEvents;
    this.batchSize = options.batchSize ?? 500;
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  /** Sends the events in order; resolves when the broker acknowledged every one. */
  async publish(events: readonly BillingEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.connect();
    for (let start = 0; start < events.length; start += this.batchSize) {
      const messages = events.slice(start, start + this.batchSize).map((event) => encodeBinary(event));
      await this.producer.send({ topic: this.topic, acks: -1, messages });
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}
