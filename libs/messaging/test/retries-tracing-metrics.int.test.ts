import { createTopic, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';
import { context, metrics, SpanKind, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { RetriableError } from '../src/errors';
import { TransactionalBatchConsumer, type BatchHandler, type TransactionalBatchConsumerOptions } from '../src/transactional-batch-consumer';
import { fastGroupConfig } from '../test-support/kafka';
import {
  countAppliedTransfers,
  effectCounts,
  makeTransfers,
  readAccountSums,
  referenceFold,
  transferHandler,
  transferRecord,
  type Transfer,
} from '../test-support/transfers';
import { useTransferEnvironment } from '../test-support/transfer-environment';

class TestMetricReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const spanExporter = new InMemorySpanExporter();
const metricReader = new TestMetricReader();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })] });
trace.setGlobalTracerProvider(tracerProvider);
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [metricReader] }));

async function dataPoints(name: string, where: Record<string, string> = {}): Promise<DataPoint<unknown>[]> {
  const { resourceMetrics } = await metricReader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === name)
    .flatMap((metric) => metric.dataPoints as DataPoint<unknown>[])
    .filter((point) => Object.entries(where).every(([key, value]) => point.attributes[key] === value));
}
const counterTotal = async (name: string, where: Record<string, string> = {}): Promise<number> =>
  (await dataPoints(name, where)).reduce((sum, point) => sum + (point.value as number), 0);

describe('retries, tracing and metrics', () => {
  const env = useTransferEnvironment({ clientId: 'retries-test', schemaPrefix: 'retries' });

  beforeEach(() => env.clearProjection());

  async function startConsumer(
    topic: string,
    groupId: string,
    handle: BatchHandler<Transfer>,
    extra: Partial<TransactionalBatchConsumerOptions<Transfer>> = {},
  ): Promise<TransactionalBatchConsumer<Transfer>> {
    return env.startConsumer({ groupId, topics: [topic], handle, ...extra });
  }

  /** A handler that fails its first `failures` calls with `error`, recording when each call happened. */
  function failingFirst(failures: number, error: () => Error): { handle: BatchHandler<Transfer>; calls: number[] } {
    const { schema } = env;
    const project = transferHandler(schema);
    const calls: number[] = [];
    return {
      calls,
      handle: async (events, tx, ctx) => {
        calls.push(Date.now());
        if (calls.length <= failures) throw error();
        return project(events, tx, ctx);
      },
    };
  }

  it('retries a RetriableError in place with bounded exponential backoff, then succeeds exactly once', async () => {
    const { pool, schema, publisher } = env;
    const topic = await createTopic(kafkaBrokers(), uniqueName('retry'), 1);
    const groupId = uniqueName('retry-group');
    const transfers = makeTransfers(40, 5, 'retry');
    await publisher.publish(transfers.map((t) => transferRecord(topic, t)));
    const { handle, calls } = failingFirst(3, () => new RetriableError('ledger_locked', 'the ledger is locked'));
    await startConsumer(topic, groupId, handle, { retry: { initialDelayMs: 300, maxDelayMs: 1_000, maxRetries: 5 } });

    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === transfers.length, { description: 'all applied after retries' });
    const gaps = calls.slice(1, 4).map((at, i) => at - calls[i]!);
    process.stdout.write(`retries: gaps between attempts ${JSON.stringify(gaps)} ms\n`);
    // Equal jitter: attempt n waits between half and all of min(max, initial * 2^(n-1)).
    const bounds = [
      [150, 300],
      [300, 600],
      [500, 1_000],
    ] as const;
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(bounds[i]![0]);
      expect(gap).toBeLessThan(bounds[i]![1] + 400);
    });
    expect(await counterTotal('messaging.consumer.retries', { 'messaging.consumer.group.name': groupId })).toBe(3);
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold(transfers));
    expect(await effectCounts(pool, schema)).toEqual({ attempts: transfers.length, distinctAttempted: transfers.length, effects: transfers.length });
  });

  it('calls onCommitted after each chunk committed, with what it handled: never for a failed attempt, and the rows are visible to others by then', async () => {
    const { pool, schema, publisher } = env;
    const topic = await createTopic(kafkaBrokers(), uniqueName('committed'), 1);
    const groupId = uniqueName('committed-group');
    const transfers = makeTransfers(30, 5, 'committed');
    await publisher.publish(transfers.map((t) => transferRecord(topic, t)));
    const { handle, calls } = failingFirst(2, () => new RetriableError('ledger_locked', 'the ledger is locked'));
    const notices: { topic: string; partition: number; handled: number; calls: number; visible: Promise<number> }[] = [];
    await startConsumer(topic, groupId, handle, {
      retry: { initialDelayMs: 50, maxDelayMs: 100, maxRetries: 5 },
      maxChunkSize: 10,
      // What a relay woken here would see: a read on another connection, started inside the callback.
      onCommitted: (chunk) => notices.push({ ...chunk, calls: calls.length, visible: countAppliedTransfers(pool, schema) }),
    });

    await waitFor(async () => notices.reduce((sum, n) => sum + n.handled, 0) === transfers.length, { description: 'every record reported as committed' });
    expect(notices.every((n) => n.topic === topic && n.partition === 0 && n.handled > 0 && n.handled <= 10)).toBe(true);
    // The two failed attempts came before the first notice and were not reported.
    expect(notices[0]?.calls).toBe(3);
    let reported = 0;
    for (const notice of notices) {
      reported += notice.handled;
      expect(await notice.visible).toBeGreaterThanOrEqual(reported);
    }
    expect(await countAppliedTransfers(pool, schema)).toBe(transfers.length);
  });

  it('pauses the partition when retries run out (no crash loop), heart-beats through backoffs longer than the session, and resumes later', async () => {
    const { pool, schema, publisher } = env;
    const topic = await createTopic(kafkaBrokers(), uniqueName('exhaust'), 1);
    const groupId = uniqueName('exhaust-group');
    const transfers = makeTransfers(25, 5, 'exhaust');
    await publisher.publish(transfers.map((t) => transferRecord(topic, t)));
    // An unclassified infrastructure failure is retried like a RetriableError.
    const { handle, calls } = failingFirst(3, () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    const consumer = await startConsumer(topic, groupId, handle, {
      // Two backoffs of 4–8 s each: together longer than the 6 s session timeout.
      retry: { initialDelayMs: 8_000, maxDelayMs: 8_000, maxRetries: 2, pauseMs: 1_500 },
    });
    let joins = 0;
    let crashes = 0;
    consumer.onKafkaEvent('consumer.group_join', () => joins++);
    consumer.onKafkaEvent('consumer.crash', () => crashes++);

    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === transfers.length, { timeoutMs: 60_000, description: 'applied after the pause' });
    process.stdout.write(`exhaustion: attempts at +${JSON.stringify(calls.map((c) => c - calls[0]!))} ms\n`);
    expect(calls).toHaveLength(4);
    expect(calls[2]! - calls[0]!).toBeGreaterThan(fastGroupConfig.sessionTimeout);
    // The fourth attempt came after the pause, not in the retry rhythm.
    expect(calls[3]! - calls[2]!).toBeGreaterThanOrEqual(1_500);
    expect(await counterTotal('messaging.consumer.partition_paused', { 'messaging.consumer.group.name': groupId })).toBe(1);
    expect(await counterTotal('messaging.consumer.retries', { 'messaging.consumer.group.name': groupId })).toBe(2);
    // Heartbeats kept the member in its generation: no re-join, no crash.
    expect(joins).toBe(0);
    expect(crashes).toBe(0);
    expect(await effectCounts(pool, schema)).toEqual({ attempts: transfers.length, distinctAttempted: transfers.length, effects: transfers.length });
  }, 90_000);

  it("continues the producer's trace in the consumer span and records lag, batch size, processing time and DLQ metrics", async () => {
    const { pool, schema, publisher } = env;
    const topic = await createTopic(kafkaBrokers(), uniqueName('traced'), 3);
    const groupId = uniqueName('traced-group');
    spanExporter.reset();
    const transfers = makeTransfers(30, 7, 'traced');
    const tracer = trace.getTracer('test');
    const checkout = tracer.startSpan('checkout');
    const poison = { topic, key: 'acct-1', value: Buffer.from('not json'), headers: { ce_id: 'poison' } };
    await publisher.publish([transferRecord(topic, transfers[0]!), poison], trace.setSpan(context.active(), checkout));
    checkout.end();
    await publisher.publish(transfers.slice(1).map((t) => transferRecord(topic, t)));

    const project = transferHandler(schema);
    const handlerSpanIds = new Map<string, string>();
    await startConsumer(topic, groupId, async (events, tx, ctx) => {
      for (const event of events) handlerSpanIds.set(event.value.id, trace.getSpanContext(event.traceContext)?.spanId ?? '');
      return project(events, tx, ctx);
    });
    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === transfers.length, { description: 'all applied' });

    await tracerProvider.forceFlush();
    const spans = spanExporter.getFinishedSpans();
    const send = spans.find((s) => s.name === `send ${topic}` && s.parentSpanContext?.spanId === checkout.spanContext().spanId);
    const processFirst = spans.find((s) => s.name === `process ${topic}` && s.attributes['messaging.kafka.offset'] !== undefined && handlerSpanIds.get(transfers[0]!.id) === s.spanContext().spanId);
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(processFirst?.kind).toBe(SpanKind.CONSUMER);
    expect(processFirst!.spanContext().traceId).toBe(checkout.spanContext().traceId);
    expect(processFirst!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
    expect(processFirst!.attributes).toMatchObject({ 'messaging.destination.name': topic, 'messaging.consumer.group.name': groupId, 'messaging.system': 'kafka' });
    // Records produced without an active span start traces of their own.
    const processOther = spans.find((s) => s.spanContext().spanId === handlerSpanIds.get(transfers[5]!.id));
    expect(processOther?.spanContext().traceId).not.toBe(checkout.spanContext().traceId);

    const group = { 'messaging.consumer.group.name': groupId };
    expect(await counterTotal('messaging.consumer.dead_lettered', { ...group, 'error.type': 'DecodeError', 'messaging.error.code': 'invalid_json' })).toBe(1);
    expect(await counterTotal('messaging.consumer.processed', group)).toBe(transfers.length + 1);
    const batchSizes = (await dataPoints('messaging.consumer.batch.size', group)).map((p) => p.value as Histogram);
    expect(batchSizes.reduce((sum, h) => sum + h.sum!, 0)).toBe(transfers.length + 1);
    const durations = (await dataPoints('messaging.process.duration', group)).map((p) => p.value as Histogram);
    expect(durations.reduce((n, h) => n + h.count, 0)).toBeGreaterThan(0);
    const lag = await dataPoints('messaging.consumer.lag', group);
    expect(lag.map((p) => p.attributes['messaging.destination.partition.id']).sort()).toEqual(['0', '1', '2']);
    expect(lag.every((p) => p.value === 0)).toBe(true);
    // Metric attributes carry coordinates and codes only.
    const allPoints = [...lag, ...(await dataPoints('messaging.consumer.dead_lettered', group))];
    for (const point of allPoints) {
      for (const value of Object.values(point.attributes)) expect(String(value)).not.toMatch(/acct-|traced-\d|not json/);
      for (const key of Object.keys(point.attributes)) {
        expect(['messaging.consumer.group.name', 'messaging.destination.name', 'messaging.destination.partition.id', 'error.type', 'messaging.error.code']).toContain(key);
      }
    }
  });
});
