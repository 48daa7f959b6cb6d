import { metrics, type Attributes, type Counter, type Gauge, type Histogram } from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPE, MessagingAttributes as A } from './attributes';

/**
 * The consumer's instruments. They are created when a consumer is constructed (not at import)
 * because the metrics API has no proxy: instruments made before the SDK starts stay no-ops.
 */
export class ConsumerMetrics {
  private readonly lag: Gauge;
  private readonly batchSize: Histogram;
  private readonly processDuration: Histogram;
  private readonly deadLettered: Counter;
  private readonly retries: Counter;
  private readonly processed: Counter;
  private readonly redeliveredSkipped: Counter;
  private readonly partitionPaused: Counter;

  constructor(private readonly groupId: string) {
    const meter = metrics.getMeter(INSTRUMENTATION_SCOPE);
    this.lag = meter.createGauge('messaging.consumer.lag', {
      description: 'Records between the last processed offset and the partition high watermark',
      unit: '{message}',
    });
    this.batchSize = meter.createHistogram('messaging.consumer.batch.size', {
      description: 'Records handed to the handler in one transaction',
      unit: '{message}',
      advice: { explicitBucketBoundaries: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000] },
    });
    this.processDuration = meter.createHistogram('messaging.process.duration', {
      description: 'Time to process one chunk: decode, handler, dead-lettering and commit',
      unit: 's',
    });
    this.deadLettered = meter.createCounter('messaging.consumer.dead_lettered', {
      description: 'Records sent to the dead-letter topic',
      unit: '{message}',
    });
    this.retries = meter.createCounter('messaging.consumer.retries', {
      description: 'Retries of a failed chunk after a retriable error',
      unit: '{retry}',
    });
    this.processed = meter.createCounter('messaging.consumer.processed', {
      description: 'Records handled (applied or dead-lettered) and committed',
      unit: '{message}',
    });
    this.redeliveredSkipped = meter.createCounter('messaging.consumer.redelivered_skipped', {
      description: 'Redelivered records skipped because their offset was already stored',
      unit: '{message}',
    });
    this.partitionPaused = meter.createCounter('messaging.consumer.partition_paused', {
      description: 'Partitions paused after retries were exhausted',
      unit: '{pause}',
    });
  }

  private attributes(topic: string, partition: number, extra: Attributes = {}): Attributes {
    return { [A.consumerGroup]: this.groupId, [A.destination]: topic, [A.partition]: String(partition), ...extra };
  }

  recordLag(topic: string, partition: number, lag: number): void {
    this.lag.record(Math.max(0, lag), this.attributes(topic, partition));
  }
  recordChunk(topic: string, partition: number, size: number, seconds: number, mode: string): void {
    const attributes = this.attributes(topic, partition, { [A.mode]: mode });
    this.batchSize.record(size, attributes);
    this.processDuration.record(seconds, attributes);
    this.processed.add(size, attributes);
  }
  recordDeadLetter(topic: string, partition: number, errorClass: string, code: string): void {
    this.deadLettered.add(1, this.attributes(topic, partition, { [A.errorType]: errorClass, [A.errorCode]: code }));
  }
  recordRetry(topic: string, partition: number, errorClass: string): void {
    this.retries.add(1, this.attributes(topic, partition, { [A.errorType]: errorClass }));
  }
  recordSkipped(topic: string, partition: number, count: number): void {
    if (count > 0) this.redeliveredSkipped.add(count, this.attributes(topic, partition));
  }
  recordPause(topic: string, partition: number): void {
    this.partitionPaused.add(1, this.attributes(topic, partition));
  }
}
