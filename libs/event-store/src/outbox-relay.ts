import type { Pool, PoolClient, QueryResult } from 'pg';
import { qualified } from './schema';

/** A record as the relay hands it to the publisher. */
export interface OutboxRecord {
  readonly topic: string;
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Where the relay publishes. `publish` must resolve only once every record is durable on the
 * broker (acks=all) and must keep the given order per partition: an idempotent kafkajs producer
 * with maxInFlightRequests=1 does both (libs/messaging's KafkaPublisher).
 */
export interface OutboxPublisher {
  publish(records: readonly OutboxRecord[]): Promise<void>;
}

/** Named points of a relay pass where a test may inject a crash. */
export type RelayFaultPoint = 'after-publish-before-mark';

export interface OutboxRelayOptions {
  readonly pool: Pool;
  readonly schema: string;
  readonly publisher: OutboxPublisher;
  /** Rows per pass (the read is always bounded). Default 500. */
  readonly batchSize?: number;
  /** Wait between passes that found less than a full batch. Default 200 ms. */
  readonly pollIntervalMs?: number;
  readonly clock?: () => Date;
  /**
   * Header that carries the outbox row's message id, added when the stored headers lack it, so
   * consumers can de-duplicate. Default `ce_id` (CloudEvents binary mode); null to add nothing.
   */
  readonly messageIdHeader?: string | null;
  /**
   * A pass that leaves its transaction idle longer than this (a publish that hangs) has its
   * session ended by PostgreSQL, which frees the relay lock for another instance. Default 60 s,
   * above kafkajs's own request timeouts and retries.
   */
  readonly stuckPassTimeoutMs?: number;
  /** Test seam for crash tests; production code leaves it unset. */
  readonly faultInjection?: (point: RelayFaultPoint) => void;
  readonly onError?: (error: unknown) => void;
  /** Called after a batch was published and its marks committed. */
  readonly onBatch?: (batch: RelayBatch) => void;
}

export interface RelayBatch {
  readonly count: number;
  readonly firstOutboxPosition: bigint;
  readonly lastOutboxPosition: bigint;
}

export type RelayPass =
  /** Another relay instance holds the lock; this one published nothing. */
  | { readonly outcome: 'not-leader'; readonly published: 0 }
  /** Nothing below the snapshot horizon is waiting. */
  | { readonly outcome: 'idle'; readonly published: 0 }
  | { readonly outcome: 'published'; readonly published: number };

interface OutboxRow {
  position: string;
  topic: string;
  message_key: string | null;
  message_id: string;
  payload: Buffer;
  headers: Record<string, string>;
}

const MAX_ERROR_BACKOFF_MS = 5_000;

/**
 * Publishes the outbox to Kafka: at least once, in log order per key, one instance at a time.
 *
 * A pass is one READ COMMITTED transaction on one connection:
 *  1. `pg_try_advisory_xact_lock` on the schema's relay key: only the holder goes on, so two
 *     relays never publish rows at the same time, and the lock lasts until the rows are marked.
 *  2. Read at most `batchSize` unpublished rows with `transaction_id < pg_snapshot_xmin(...)`,
 *     ordered by (transaction_id, position). Every transaction below that horizon has ended, so
 *     this is a prefix of the final log order: no slower transaction can commit a row before it.
 *  3. Publish them and wait for the broker's acknowledgement.
 *  4. Mark them published and commit, which releases the lock.
 * A crash between 3 and 4 leaves the rows unmarked and the next pass publishes them again: a
 * duplicate, never a gap, and the duplicate's first copy was already in order.
 * A publishing pass costs three round trips (BEGIN with 1; 2; the marks with COMMIT); a poll that
 * was not woken first asks, in one statement, whether anything is unpublished at all.
 */
export class OutboxRelay {
  private readonly schema: string;
  private readonly lockName: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly clock: () => Date;
  private readonly messageIdHeader: string | null;
  private readonly stuckPassTimeoutMs: number;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private wakePending = false;
  private consecutiveErrors = 0;
  private totals = { passes: 0, batches: 0, published: 0, errors: 0 };

  constructor(private readonly options: OutboxRelayOptions) {
    this.schema = qualified(options.schema);
    this.lockName = `dunning.outbox-relay:${options.schema}`;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.clock = options.clock ?? (() => new Date());
    this.messageIdHeader = options.messageIdHeader === undefined ? 'ce_id' : options.messageIdHeader;
    this.stuckPassTimeoutMs = options.stuckPassTimeoutMs ?? 60_000;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) throw new Error(`batchSize must be a positive integer, got ${this.batchSize}`);
  }

  /** Counters since construction (for health checks and tests). */
  get stats(): Readonly<{ passes: number; batches: number; published: number; errors: number }> {
    return { ...this.totals };
  }

  /** One pass: publishes at most one batch. Throws if the publish or the database fails. */
  async runOnce(): Promise<RelayPass> {
    const client = await this.options.pool.connect();
    let broken: Error | undefined;
    let open = false;
    try {
      open = true;
      const { pass, batch, committed } = await this.pass(client);
      if (!committed) await client.query('COMMIT');
      open = false;
      this.totals.passes++;
      if (batch) {
        this.totals.batches++;
        this.totals.published += batch.count;
        this.options.onBatch?.(batch);
      }
      return pass;
    } catch (error) {
      if (open) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Round trips are the relay's cost (one pass per commit that wrote outbox rows): the opening
   * statements go as one simple-protocol string, and so do the marks with the COMMIT. Only values
   * this class makes are inlined — the lock name escaped by the driver, bigint positions, an ISO instant.
   */
  private async pass(client: PoolClient): Promise<{ pass: RelayPass; batch?: RelayBatch; committed: boolean }> {
    const opening = (await client.query(
      `BEGIN ISOLATION LEVEL READ COMMITTED;
       SET LOCAL idle_in_transaction_session_timeout = ${Math.trunc(this.stuckPassTimeoutMs)};
       SELECT pg_try_advisory_xact_lock(hashtextextended(${client.escapeLiteral(this.lockName)}, 0)) AS leader`,
    )) as unknown as QueryResult<{ leader: boolean }>[];
    if (!opening.at(-1)?.rows[0]?.leader) return { pass: { outcome: 'not-leader', published: 0 }, committed: false };

    const { rows } = await client.query<OutboxRow>(
      `SELECT position::text AS position, topic, message_key, message_id, payload, headers
         FROM ${this.schema}.outbox o
        WHERE o.published_at IS NULL
          AND o.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY o.transaction_id, o.position -- qualified: the output column "position" is text
        LIMIT $1`,
      [this.batchSize],
    );
    if (rows.length === 0) return { pass: { outcome: 'idle', published: 0 }, committed: false };

    await this.options.publisher.publish(rows.map((row) => this.toRecord(row)));
    this.options.faultInjection?.('after-publish-before-mark');

    const positions = rows.map((row) => BigInt(row.position));
    await client.query(
      `UPDATE ${this.schema}.outbox SET published_at = '${this.clock().toISOString()}'::timestamptz
        WHERE position = ANY('{${positions.join(',')}}'::bigint[]);
       COMMIT`,
    );
    return {
      pass: { outcome: 'published', published: rows.length },
      batch: { count: rows.length, firstOutboxPosition: positions[0] ?? 0n, lastOutboxPosition: positions.at(-1) ?? 0n },
      committed: true,
    };
  }

  private toRecord(row: OutboxRow): OutboxRecord {
    const headers = { ...row.headers };
    if (this.messageIdHeader !== null && headers[this.messageIdHeader] === undefined) headers[this.messageIdHeader] = row.message_id;
    return { topic: row.topic, key: row.message_key, value: row.payload, headers };
  }

  /**
   * Runs passes until {@link stop}: back to back while batches come full, else every pollIntervalMs
   * (or at once when woken); a poll that finds no unpublished row at all skips the pass.
   */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Ends the loop after the current pass (whose rows are then marked or left for the next relay). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    this.loop = undefined;
  }

  /**
   * Cuts the wait short, e.g. right after the app committed an outbox row. A wake-up during a pass
   * is kept for the next wait: the pass may have read before that commit.
   */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wakePending = true;
  }

  /**
   * One statement, outside any transaction, through the partial index on unpublished rows: an idle
   * poll costs one round trip instead of a pass's five (BEGIN, SET LOCAL, the lock, the read, COMMIT).
   * A row it misses (committed a moment later) is the next poll's or wake-up's, as with a pass.
   */
  private async anythingUnpublished(): Promise<boolean> {
    const { rows } = await this.options.pool.query<{ pending: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${this.schema}.outbox WHERE published_at IS NULL) AS pending`);
    return rows[0]?.pending === true;
  }

  private async run(): Promise<void> {
    let woken = false;
    while (!this.stopping) {
      let delayMs = this.pollIntervalMs;
      try {
        // A wake-up follows a commit that wrote outbox rows: the probe would only say so again.
        const pass = woken || (await this.anythingUnpublished()) ? await this.runOnce() : { outcome: 'idle' as const, published: 0 };
        this.consecutiveErrors = 0;
        if (pass.published === this.batchSize) continue;
      } catch (error) {
        this.totals.errors++;
        this.consecutiveErrors++;
        delayMs = Math.min(MAX_ERROR_BACKOFF_MS, this.pollIntervalMs * 2 ** Math.min(this.consecutiveErrors, 10));
        this.reportError(error);
      }
      if (this.stopping) break;
      if (this.wakePending && delayMs === this.pollIntervalMs) {
        this.wakePending = false;
        woken = true;
        continue;
      }
      this.wakePending = false;
      woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), delayMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.wakeUp = undefined;
    }
  }

  private reportError(error: unknown): void {
    if (this.options.onError) {
      this.options.onError(error);
      return;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`[outbox-relay ${this.options.schema}] pass failed, retrying: ${message}\n`);
  }
}
