import { context as otelContext, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { Admin, Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { extractTraceContext } from '@dunning/telemetry';
import { INSTRUMENTATION_SCOPE, MESSAGING_SYSTEM, MessagingAttributes as A, OPERATION } from './attributes';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, pauseDurationMs, waitWithHeartbeats, type RetryPolicy } from './backoff';
import { deadLetterTopicFor, toDeadLetterRecord, type DeadLetterCause } from './dead-letter';
import { DeadLetterErrorClass, NonRetriableError } from './errors';
import { KafkaPublisher } from './kafka-publisher';
import { describeError, stderrLogger, type MessagingLogger } from './logger';
import { ConsumerMetrics } from './metrics';
import { DEFAULT_MESSAGING_SCHEMA, OffsetStore, type PartitionRef } from './offset-store';
import { decodedValue, toKafkaRecord, type DecodeResult, type KafkaRecord, type RecordDecoder, type RecordPublisher } from './records';
import { inTransaction, type SqlClient, type SqlPool } from './sql';

/** `live` runs effects; `replay` rebuilds state only: handlers must skip every external effect. */
export type ConsumerMode = 'live' | 'replay';

/** One decoded record as the handler receives it, in offset order within its partition. */
export interface ConsumedEvent<T> {
  readonly value: T;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: string;
  /** The consumer span of this record (a child of the producer's): parent for the handler's own spans. */
  readonly traceContext: Context;
}

export interface BatchContext {
  readonly mode: ConsumerMode;
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** For handlers that run long: keeps the group membership alive. */
  heartbeat(): Promise<void>;
}

/** A business rejection of one record: it goes to the DLQ; `code`/`reason` must hold no personal data. */
export interface RecordRejection {
  readonly offset: string;
  readonly code: string;
  readonly reason: string;
}

export interface BatchResult {
  readonly rejected?: readonly RecordRejection[];
}

/**
 * Applies a batch inside the consumer's transaction. Everything written through `tx` commits
 * together with the consumed offset, or not at all. Throw `RetriableError` (or anything
 * unclassified) to retry, `NonRetriableError` (with `offset` if known) to dead-letter;
 * return `{ rejected }` to dead-letter specific records while applying the rest.
 */
export type BatchHandler<T> = (events: readonly ConsumedEvent<T>[], tx: SqlClient, context: BatchContext) => Promise<BatchResult | void>;

/** Where each partition ends for a bounded run (replay, tests): offsets at or above are left alone. */
export type EndOffsets = ReadonlyMap<string, ReadonlyMap<number, bigint>>;

export interface TransactionalBatchConsumerOptions<T> {
  readonly kafka: Kafka;
  readonly pool: SqlPool;
  /** The logical consumer group: the key of stored offsets and the `dlq.consumer.group` header. */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly decode: RecordDecoder<T>;
  readonly handle: BatchHandler<T>;
  /** Schema holding `consumer_offsets` (default `messaging`). */
  readonly schema?: string;
  readonly mode?: ConsumerMode;
  /** Where dead letters go; by default an idempotent producer on the same cluster. */
  readonly deadLetterPublisher?: RecordPublisher;
  /** Create `<topic>.dlq` (same partition count) at start when missing. Default true. */
  readonly createDeadLetterTopics?: boolean;
  /** Records per transaction. Default 500. */
  readonly maxChunkSize?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** When PostgreSQL holds no offset for a partition: start at the earliest record (default) or take Kafka's position. */
  readonly fromBeginning?: boolean;
  readonly partitionsConsumedConcurrently?: number;
  /** kafkajs consumer settings (session timeout, fetch sizes…). */
  readonly consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
  /** The Kafka-side group id when it must differ from `groupId` (replay uses a throwaway one). */
  readonly kafkaGroupId?: string;
  /** Bounded runs: handle only records below these offsets (0 for partitions not listed), then call `onPartitionEnd`. */
  readonly endOffsets?: EndOffsets;
  readonly onPartitionEnd?: (topic: string, partition: number) => void;
  /**
   * Called right after a chunk's transaction committed with `handled` new records (not for chunks
   * that were all duplicates): e.g. wake an outbox relay or a worker, so that what the handler wrote
   * goes out now instead of at the next poll. A wake-up from inside the handler comes too early:
   * the rows are not committed yet. Must not throw.
   */
  readonly onCommitted?: (chunk: { readonly topic: string; readonly partition: number; readonly handled: number }) => void;
  readonly clock?: () => Date;
  readonly logger?: MessagingLogger;
}

type ChunkOutcome = 'done' | 'paused' | 'stopped';

interface DecodedRecord<T> {
  readonly record: KafkaRecord;
  readonly result: DecodeResult<T>;
}

interface CommittedChunk {
  readonly handled: number;
  readonly skipped: number;
  readonly deadLetters: readonly DeadLetterCause[];
}

/** The handler threw a NonRetriableError: not a reason to retry, a reason to isolate a record. */
class HandlerRefusedBatch extends Error {
  constructor(readonly refusal: NonRetriableError) {
    super(refusal.message);
  }
}

/** Records decoded between two yields to the event loop (roughly a millisecond of work). */
const DECODE_SLICE = 25;

const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * A kafkajs `eachBatch` consumer whose unit of work is a PostgreSQL transaction.
 *
 * Per chunk of a batch (at most `maxChunkSize` records, one partition, offset order):
 *   BEGIN → lock this partition's row in `consumer_offsets` and read the last handled offset →
 *   drop records at or below it (redelivery after a crash or rebalance) → handler(events, tx) →
 *   publish dead letters and wait for the broker's ack → store the chunk's last offset → COMMIT →
 *   resolve the offset in kafkajs, heartbeat, commit to Kafka if due.
 *
 * PostgreSQL is the source of truth: on the first batch of a partition after every (re)join the
 * consumer compares the fetched position with the stored offset and seeks to stored + 1, so a
 * Kafka offset that ran ahead or behind (reset, replay, crash) cannot skip or repeat work.
 */
export class TransactionalBatchConsumer<T> {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly offsets: OffsetStore;
  private readonly metrics: ConsumerMetrics;
  private readonly policy: RetryPolicy;
  private readonly mode: ConsumerMode;
  private readonly chunkSize: number;
  private readonly logger: MessagingLogger;
  private readonly clock: () => Date;
  private readonly deadLetters: RecordPublisher;
  private readonly ownsDeadLetterPublisher: KafkaPublisher | undefined;
  private readonly heartbeatEveryMs: number;
  private readonly tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  /** Partitions whose position was checked against PostgreSQL since the last group join. */
  private readonly verifiedPartitions = new Set<string>();
  private readonly endedPartitions = new Set<string>();
  private readonly consecutiveExhaustions = new Map<string, number>();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(private readonly options: TransactionalBatchConsumerOptions<T>) {
    if (options.topics.length === 0) throw new Error('TransactionalBatchConsumer needs at least one topic');
    this.mode = options.mode ?? 'live';
    this.chunkSize = Math.max(1, options.maxChunkSize ?? 500);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.logger = options.logger ?? stderrLogger;
    this.clock = options.clock ?? (() => new Date());
    this.offsets = new OffsetStore(options.schema ?? DEFAULT_MESSAGING_SCHEMA);
    this.metrics = new ConsumerMetrics(options.groupId);
    const sessionTimeout = options.consumerConfig?.sessionTimeout ?? 30_000;
    this.heartbeatEveryMs = Math.max(100, Math.min(options.consumerConfig?.heartbeatInterval ?? 3_000, sessionTimeout / 3));
    this.consumer = options.kafka.consumer({
      ...options.consumerConfig,
      groupId: options.kafkaGroupId ?? options.groupId,
      sessionTimeout,
    });
    this.admin = options.kafka.admin();
    if (options.deadLetterPublisher) {
      this.deadLetters = options.deadLetterPublisher;
    } else {
      this.ownsDeadLetterPublisher = new KafkaPublisher(options.kafka);
      this.deadLetters = this.ownsDeadLetterPublisher;
    }
  }

  get groupId(): string {
    return this.options.groupId;
  }

  /** kafkajs instrumentation events of the underlying consumer (GROUP_JOIN, CRASH…), e.g. for health checks. */
  onKafkaEvent: Consumer['on'] = (event, listener) => this.consumer.on(event, listener);

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`consumer ${this.options.groupId} already ${this.state}`);
    this.state = 'running';
    await this.admin.connect();
    if (this.mode === 'live' && (this.options.createDeadLetterTopics ?? true)) await untilBrokerSettles(() => this.ensureDeadLetterTopics());
    await this.ownsDeadLetterPublisher?.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      // A new generation may have handed us partitions someone else advanced: re-check them all.
      this.verifiedPartitions.clear();
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.logger.error('kafka consumer crashed', { groupId: this.options.groupId, ...describeError(event.payload.error) });
    });
    await this.consumer.connect();
    await untilBrokerSettles(() => this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning ?? true }));
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      autoCommitInterval: 5_000,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Leaves the group after the chunk in progress commits; nothing unfinished is committed. */
  async stop(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    await this.consumer.disconnect();
    await this.ownsDeadLetterPublisher?.disconnect();
    await this.admin.disconnect();
  }

  private async ensureDeadLetterTopics(): Promise<void> {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [...this.options.topics] });
    const existing = new Set(await this.admin.listTopics());
    const missing = metadata.topics
      .filter((t) => !existing.has(deadLetterTopicFor(t.name)))
      .map((t) => ({ topic: deadLetterTopicFor(t.name), numPartitions: t.partitions.length }));
    if (missing.length > 0) await this.admin.createTopics({ topics: missing, waitForLeaders: true });
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const key = partitionKey(topic, partition);
    const ref: PartitionRef = { groupId: this.options.groupId, topic, partition };
    // In a bounded run a partition unknown at start (added since) holds only records for later.
    const end = this.options.endOffsets ? (this.options.endOffsets.get(topic)?.get(partition) ?? 0n) : undefined;

    if (!this.verifiedPartitions.has(key)) {
      const position = await this.withBackoff(payload, () => this.resumePosition(ref));
      if (!position.ok) return;
      this.verifiedPartitions.add(key);
      const first = batch.firstOffset();
      if (position.value !== undefined && first !== null && BigInt(first) !== position.value) {
        this.logger.info('seeking to the offset stored in PostgreSQL', { ...ref, fetched: first, seekTo: position.value.toString() });
        this.consumer.seek({ topic, partition, offset: position.value.toString() });
        return;
      }
    }

    const messages = end === undefined ? batch.messages : batch.messages.filter((m) => BigInt(m.offset) < end);
    const chunks: KafkaMessage[][] = [];
    for (let start = 0; start < messages.length; start += this.chunkSize) chunks.push(messages.slice(start, start + this.chunkSize));
    let decoded = chunks.length > 0 ? this.decodeAll(topic, partition, chunks[0] ?? []) : [];
    for (let i = 0; i < chunks.length; i++) {
      if (!payload.isRunning() || payload.isStale()) return;
      const lastOffset = chunks[i]?.at(-1)?.offset;
      if (lastOffset === undefined) break;
      const processing = this.processChunk(payload, ref, decoded, new Map());
      // Awaited below; this only keeps a rejection during the overlap from counting as unhandled.
      processing.catch(() => undefined);
      // Decode the next chunk while this one's transaction waits on PostgreSQL: CPU and I/O overlap.
      const next = chunks[i + 1];
      decoded = next ? await this.decodeInSlices(topic, partition, next) : [];
      const outcome = await processing;
      if (outcome !== 'done') return;
      payload.resolveOffset(lastOffset);
      this.metrics.recordLag(topic, partition, Number(BigInt(batch.highWatermark) - BigInt(lastOffset) - 1n));
      await payload.heartbeat();
      await payload.commitOffsetsIfNecessary();
    }

    if (end !== undefined && BigInt(batch.lastOffset()) >= end - 1n) this.reachEnd(payload, topic, partition);
  }

  /** Where this partition must continue from, per PostgreSQL; undefined = trust Kafka's position. */
  private async resumePosition(ref: PartitionRef): Promise<bigint | undefined> {
    const stored = await this.offsets.read(this.options.pool, ref);
    if (stored !== undefined && stored >= 0n) return stored + 1n;
    if (!(this.options.fromBeginning ?? true)) return undefined;
    const offsets = await this.admin.fetchTopicOffsets(ref.topic);
    const low = offsets.find((o) => o.partition === ref.partition)?.low;
    return low === undefined ? undefined : BigInt(low);
  }

  private reachEnd(payload: EachBatchPayload, topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    if (this.endedPartitions.has(key)) return;
    this.endedPartitions.add(key);
    payload.pause();
    this.options.onPartitionEnd?.(topic, partition);
  }

  /** Decodes in slices, yielding to the event loop between them so a transaction in flight keeps moving. */
  private async decodeInSlices(topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<DecodedRecord<T>[]> {
    const decoded: DecodedRecord<T>[] = [];
    for (let start = 0; start < messages.length; start += DECODE_SLICE) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      decoded.push(...this.decodeAll(topic, partition, messages.slice(start, start + DECODE_SLICE)));
    }
    return decoded;
  }

  private decodeAll(topic: string, partition: number, messages: readonly KafkaMessage[]): DecodedRecord<T>[] {
    return messages.map((message) => {
      const record = toKafkaRecord(topic, partition, message);
      let result: DecodeResult<T>;
      try {
        result = this.options.decode(record);
      } catch (error) {
        // A decoder that throws is a decoder bug, but the record is still undecodable: dead-letter it.
        result = { ok: false, error: { code: 'DECODER_THREW', reason: `decoder threw ${error instanceof Error ? error.name : 'a non-error'}` } };
      }
      return { record, result };
    });
  }

  /**
   * Commits one contiguous run of records, retrying retriable failures. A NonRetriableError from
   * the handler isolates the culprit: the record it names, else by halving the run until one
   * record is left; that record is dead-lettered and the others applied.
   */
  private async processChunk(
    payload: EachBatchPayload,
    ref: PartitionRef,
    records: readonly DecodedRecord<T>[],
    blamed: Map<string, DeadLetterCause>,
  ): Promise<ChunkOutcome> {
    for (;;) {
      const started = performance.now();
      const attempt = await this.withBackoff(payload, async () => {
        try {
          return await this.commitChunk(payload, ref, records, blamed);
        } catch (error) {
          if (error instanceof HandlerRefusedBatch) return error;
          throw error;
        }
      });
      if (!attempt.ok) return attempt.outcome;
      const value = attempt.value;
      if (!(value instanceof HandlerRefusedBatch)) {
        this.consecutiveExhaustions.delete(partitionKey(ref.topic, ref.partition));
        if (value.handled > 0) this.metrics.recordChunk(ref.topic, ref.partition, value.handled, (performance.now() - started) / 1000, this.mode);
        this.metrics.recordSkipped(ref.topic, ref.partition, value.skipped);
        for (const cause of value.deadLetters) this.metrics.recordDeadLetter(ref.topic, ref.partition, cause.errorClass, cause.code);
        if (value.handled > 0) this.notifyCommitted(ref, value.handled);
        return 'done';
      }
      const refusal = value.refusal;
      const cause: DeadLetterCause = { errorClass: refusal.name, code: refusal.code, reason: refusal.reason };
      const candidates = records.filter((r) => r.result.ok && !blamed.has(r.record.offset));
      const named = refusal.offset === undefined ? undefined : candidates.find((r) => r.record.offset === refusal.offset);
      const culprit = named ?? (candidates.length === 1 ? candidates[0] : undefined);
      if (culprit) {
        blamed.set(culprit.record.offset, cause);
        continue;
      }
      // Several suspects and no name: split so that each half holds at least one suspect.
      const pivot = candidates[Math.floor(candidates.length / 2)];
      if (!pivot) throw new Error('a handler refused a batch without events');
      const middle = records.indexOf(pivot);
      for (const half of [records.slice(0, middle), records.slice(middle)]) {
        const outcome = await this.processChunk(payload, ref, half, blamed);
        if (outcome !== 'done') return outcome;
      }
      return 'done';
    }
  }

  private async commitChunk(
    payload: EachBatchPayload,
    ref: PartitionRef,
    records: readonly DecodedRecord<T>[],
    blamed: ReadonlyMap<string, DeadLetterCause>,
  ): Promise<CommittedChunk> {
    const spans = new Map<string, Span>();
    try {
      const committed = await inTransaction(this.options.pool, async (tx) => {
        const stored = await this.offsets.lock(tx, ref);
        const fresh = records.filter((r) => BigInt(r.record.offset) > stored);
        if (fresh.length === 0) return { handled: 0, skipped: records.length, deadLetters: [] };

        const deadLetters: { record: KafkaRecord; cause: DeadLetterCause }[] = [];
        const events: ConsumedEvent<T>[] = [];
        const eventRecords = new Map<string, KafkaRecord>();
        for (const { record, result } of fresh) {
          const { span, traceContext } = this.startRecordSpan(record);
          spans.set(record.offset, span);
          const blame = blamed.get(record.offset);
          if (!result.ok) deadLetters.push({ record, cause: { errorClass: DeadLetterErrorClass.decode, code: result.error.code, reason: result.error.reason } });
          else if (blame) deadLetters.push({ record, cause: blame });
          else {
            events.push({ ...record, value: decodedValue(result), traceContext });
            eventRecords.set(record.offset, record);
          }
        }

        if (events.length > 0) {
          const context: BatchContext = {
            mode: this.mode,
            groupId: ref.groupId,
            topic: ref.topic,
            partition: ref.partition,
            heartbeat: () => payload.heartbeat(),
          };
          let result: BatchResult | void;
          try {
            result = await this.options.handle(events, tx, context);
          } catch (error) {
            if (error instanceof NonRetriableError) throw new HandlerRefusedBatch(error);
            throw error;
          }
          const rejectedOffsets = new Set<string>();
          for (const rejection of result?.rejected ?? []) {
            const offset = String(rejection.offset);
            const record = eventRecords.get(offset);
            if (!record || rejectedOffsets.has(offset)) {
              throw new Error(`handler rejected offset ${offset}, which is not an event of this batch`);
            }
            rejectedOffsets.add(offset);
            deadLetters.push({ record, cause: { errorClass: DeadLetterErrorClass.rejected, code: rejection.code, reason: rejection.reason } });
          }
        }

        // The DLQ write is acknowledged before the offset that marks these records done commits,
        // so a crash in between re-sends a dead letter (at least once) but never loses one.
        // A replay re-reads records whose dead letters were written when they were live.
        if (deadLetters.length > 0 && this.mode === 'live') {
          const failedAt = this.clock();
          deadLetters.sort((a, b) => (BigInt(a.record.offset) < BigInt(b.record.offset) ? -1 : 1));
          await this.deadLetters.publish(deadLetters.map((d) => toDeadLetterRecord(d.record, ref.groupId, d.cause, failedAt)));
        }
        const lastFresh = fresh[fresh.length - 1]?.record.offset ?? String(stored);
        await this.offsets.store(tx, ref, BigInt(lastFresh));
        for (const d of deadLetters) {
          spans.get(d.record.offset)?.setAttributes({ [A.outcome]: 'dead-lettered', [A.errorType]: d.cause.errorClass });
        }
        return { handled: fresh.length, skipped: records.length - fresh.length, deadLetters: deadLetters.map((d) => d.cause) };
      });
      for (const span of spans.values()) span.end();
      return committed;
    } catch (error) {
      for (const span of spans.values()) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute(A.errorType, error instanceof HandlerRefusedBatch ? error.refusal.name : error instanceof Error ? error.name : 'unknown');
        span.end();
      }
      throw error;
    }
  }

  private notifyCommitted(ref: PartitionRef, handled: number): void {
    try {
      this.options.onCommitted?.({ topic: ref.topic, partition: ref.partition, handled });
    } catch (error) {
      this.logger.error('onCommitted failed', { groupId: this.options.groupId, ...describeError(error) });
    }
  }

  private startRecordSpan(record: KafkaRecord): { span: Span; traceContext: Context } {
    const parent = extractTraceContext(record.headers, otelContext.active());
    const span = this.tracer.startSpan(
      `process ${record.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          [A.system]: MESSAGING_SYSTEM,
          [A.operation]: OPERATION.process,
          [A.destination]: record.topic,
          [A.partition]: String(record.partition),
          [A.offset]: Number(record.offset),
          [A.consumerGroup]: this.options.groupId,
          [A.mode]: this.mode,
        },
      },
      parent,
    );
    return { span, traceContext: trace.setSpan(parent, span) };
  }

  /**
   * Runs `work`, retrying failures with bounded exponential backoff while heart-beating. When
   * retries run out the partition is paused (the consumer never crash-loops) and resumed later;
   * the failed records are fetched again then, because their offsets were never resolved.
   */
  private async withBackoff<R>(
    payload: EachBatchPayload,
    work: () => Promise<R>,
  ): Promise<{ ok: true; value: R } | { ok: false; outcome: 'paused' | 'stopped' }> {
    const { topic, partition } = payload.batch;
    for (let attempt = 1; ; attempt++) {
      try {
        return { ok: true, value: await work() };
      } catch (error) {
        if (!payload.isRunning()) return { ok: false, outcome: 'stopped' };
        const errorName = error instanceof Error ? error.name : 'unknown';
        if (attempt > this.policy.maxRetries) {
          this.pausePartition(payload, error);
          return { ok: false, outcome: 'paused' };
        }
        this.metrics.recordRetry(topic, partition, errorName);
        const delayMs = backoffDelayMs(attempt, this.policy);
        this.logger.warn('retrying after a retriable failure', { groupId: this.options.groupId, topic, partition, attempt, delayMs, ...describeError(error) });
        const stopped = await waitWithHeartbeats(delayMs, {
          heartbeat: () => payload.heartbeat(),
          shouldStop: () => !payload.isRunning() || payload.isStale(),
          heartbeatEveryMs: this.heartbeatEveryMs,
        });
        if (stopped) return { ok: false, outcome: 'stopped' };
      }
    }
  }

  private pausePartition(payload: EachBatchPayload, error: unknown): void {
    const { topic, partition } = payload.batch;
    const key = partitionKey(topic, partition);
    const exhaustions = (this.consecutiveExhaustions.get(key) ?? 0) + 1;
    this.consecutiveExhaustions.set(key, exhaustions);
    const pauseMs = pauseDurationMs(exhaustions, this.policy);
    this.metrics.recordPause(topic, partition);
    this.logger.error('retries exhausted: pausing the partition', { groupId: this.options.groupId, topic, partition, pauseMs, ...describeError(error) });
    const resume = payload.pause();
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      if (this.state === 'running') resume();
    }, pauseMs);
    this.resumeTimers.add(timer);
  }
}

/**
 * Right after topics are created, a broker can still answer "This server does not host this
 * topic-partition" for a moment while metadata propagates; kafkajs marks such errors retriable.
 * A service must not die at start for that, so start-up steps retry them with a bounded backoff
 * (about 30 s in all); any other error, or one that outlasts the deadline, still fails the start.
 */
async function untilBrokerSettles<T>(step: () => Promise<T>, deadlineMs = 30_000): Promise<T> {
  const giveUpAt = Date.now() + deadlineMs;
  for (let delayMs = 200; ; delayMs = Math.min(delayMs * 2, 3_000)) {
    try {
      return await step();
    } catch (error) {
      if (!settlesWithTime(error) || Date.now() + delayMs > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** kafkajs wraps the broker's retriable error in "number of retries exceeded": look inside too. */
function settlesWithTime(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const candidate = error as { retriable?: unknown; type?: unknown; cause?: unknown; originalError?: unknown };
  if (candidate.retriable === true) return true;
  if (candidate.type === 'UNKNOWN_TOPIC_OR_PARTITION' || candidate.type === 'LEADER_NOT_AVAILABLE') return true;
  return settlesWithTime(candidate.cause, depth + 1) || settlesWithTime(candidate.originalError, depth + 1);
}

