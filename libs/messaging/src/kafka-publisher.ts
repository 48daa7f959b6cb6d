import { context as otelContext, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import { Partitioners, type Kafka, type Message, type Producer, type ProducerConfig, type TopicMessages } from 'kafkajs';
import { injectTraceContext } from '@dunning/telemetry';
import { INSTRUMENTATION_SCOPE, MESSAGING_SYSTEM, MessagingAttributes as A, OPERATION } from './attributes';
import type { OutboundRecord, RecordPublisher } from './records';

export const TRACEPARENT_HEADER = 'traceparent';

export interface KafkaPublisherOptions {
  /** Extra producer settings; idempotence, acks and in-flight limits are not negotiable. */
  producer?: Omit<ProducerConfig, 'idempotent' | 'maxInFlightRequests'>;
  /** Per-request timeout for the broker's acknowledgement. */
  timeoutMs?: number;
}

/**
 * The idempotent, keyed, batching producer behind the publisher port.
 *
 * - `idempotent: true` with one request in flight: the broker drops retried duplicates and
 *   records of one partition are written in the order given, so per-key order survives retries.
 * - `acks: -1` (all in-sync replicas): `publish` resolves only when the records are durable.
 * - One `sendBatch` per call, grouped by topic: the relay and the DLQ pay one round trip per batch.
 * - W3C trace context: a record that already carries `traceparent` (e.g. captured with an
 *   outbox row) keeps it; the others get the context of a PRODUCER span that is a child of
 *   the caller's active span, so a consumer's span continues the producer's trace.
 */
export class KafkaPublisher implements RecordPublisher {
  private readonly producer: Producer;
  private connecting: Promise<void> | undefined;
  private readonly tracer = trace.getTracer(INSTRUMENTATION_SCOPE);

  constructor(kafka: Kafka, private readonly options: KafkaPublisherOptions = {}) {
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      ...options.producer,
      idempotent: true,
      maxInFlightRequests: 1,
    });
  }

  connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async disconnect(): Promise<void> {
    if (!this.connecting) return;
    this.connecting = undefined;
    await this.producer.disconnect();
  }

  async publish(records: readonly OutboundRecord[], parent: Context = otelContext.active()): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    const topics = [...new Set(records.map((r) => r.topic))];
    const span = this.tracer.startSpan(
      `send ${topics.length === 1 ? topics[0] : 'multiple'}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [A.system]: MESSAGING_SYSTEM,
          [A.operation]: OPERATION.send,
          ...(topics.length === 1 ? { [A.destination]: topics[0] } : {}),
          [A.batchMessageCount]: records.length,
        },
      },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    const byTopic = new Map<string, Message[]>();
    for (const record of records) {
      const headers: Record<string, string> = { ...record.headers };
      if (!headers[TRACEPARENT_HEADER]) injectTraceContext(headers, spanContext);
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({ key: record.key, value: record.value, headers });
      byTopic.set(record.topic, messages);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      await this.producer.sendBatch({ topicMessages, acks: -1, ...(this.options.timeoutMs ? { timeout: this.options.timeoutMs } : {}) });
      span.setStatus({ code: SpanStatusCode.OK });
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute(A.errorType, error instanceof Error ? error.name : 'unknown');
      throw error;
    } finally {
      span.end();
    }
  }
}
