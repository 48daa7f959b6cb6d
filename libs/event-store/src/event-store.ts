import { randomUUID } from 'node:crypto';
import { StreamVersionConflictError, TransactionOrderConflictError } from './errors';
import { LOG_START, type LogPosition } from './log-position';
import { encodeOutboxMessages, keyOrderCtes, outboxInsertCte, type OutboxMessage } from './outbox';
import { assertSchemaName, qualified } from './schema';
import { isPool, type SqlClient } from './sql-client';

/**
 * What the writer believes the stream's version is. Versions count events: a stream's first
 * event is version 1, so `0` and `'no-stream'` both mean "this stream must not exist yet".
 * `'any'` appends whatever the version.
 */
export type ExpectedVersion = number | 'no-stream' | 'any';

export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  /** Stored as jsonb: plain JSON values only (money as integer minor units, instants as ISO strings). */
  readonly data: Data;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** A UUID; defaults to the store's idGenerator. Unique across the store. */
  readonly eventId?: string;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  readonly streamId: string;
  readonly streamVersion: number;
  readonly eventId: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly recordedAt: Date;
  readonly globalPosition: bigint;
  readonly transactionId: bigint;
  /** Where this event sits in the global log; pass it as `after` to continue a `readAll`. */
  readonly position: LogPosition;
}

export interface AppendOptions {
  /** Integration messages written in the same statement, hence the same transaction. */
  readonly outbox?: readonly OutboxMessage[];
}

export interface AppendResult {
  readonly streamId: string;
  /** The stream's version after the append: the expected version for the next one. */
  readonly nextExpectedVersion: number;
  readonly firstPosition: LogPosition;
  readonly lastPosition: LogPosition;
}

export interface ReadStreamOptions {
  /** First version to return (default 1). */
  readonly fromVersion?: number;
  readonly maxCount?: number;
}

export interface StreamSlice<Type extends string = string, Data = unknown> {
  readonly streamId: string;
  /** The stream's current version (0 when it does not exist), from the same snapshot as `events`. */
  readonly version: number;
  readonly events: RecordedEvent<Type, Data>[];
}

export interface ReadAllOptions {
  /** Exclusive; default LOG_START. */
  readonly after?: LogPosition;
  /** Bounded on purpose: default 1000. */
  readonly limit?: number;
}

export interface LogSlice {
  readonly events: RecordedEvent[];
  /** The position of the last event returned, or `after` when none was: the next `after`. */
  readonly position: LogPosition;
}

export interface EventStoreOptions {
  readonly schema: string;
  readonly clock?: () => Date;
  readonly idGenerator?: () => string;
}

interface EventRow {
  global_position: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  event_type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
  transaction_id: string;
}

// 64-bit columns travel as text and become bigints in toRecordedEvent.
const EVENT_COLUMNS =
  'global_position::text AS global_position, stream_id, stream_version, event_id, event_type, data, metadata, recorded_at, transaction_id::text AS transaction_id';

function toRecordedEvent(row: EventRow): RecordedEvent {
  const globalPosition = BigInt(row.global_position);
  const transactionId = BigInt(row.transaction_id);
  return {
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    eventId: row.event_id,
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
    globalPosition,
    transactionId,
    position: { transactionId, globalPosition },
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How many times an append through a pool (its own transaction) is retried on an order conflict. */
const OWN_TRANSACTION_ORDER_RETRIES = 5;

/**
 * The PostgreSQL event store. Every method takes the SqlClient to run on: pass the caller's
 * transaction to append together with other writes (a projection, an inbox row), or a Pool for a
 * stand-alone call. An append is a single SQL statement, so it is atomic either way.
 */
export class EventStore {
  private readonly schemaName: string;
  private readonly schema: string;
  private readonly clock: () => Date;
  private readonly idGenerator: () => string;

  constructor(options: EventStoreOptions) {
    this.schemaName = assertSchemaName(options.schema);
    this.schema = qualified(options.schema);
    this.clock = options.clock ?? (() => new Date());
    this.idGenerator = options.idGenerator ?? randomUUID;
  }

  /**
   * Appends `events` to `streamId` if its version is `expectedVersion`, with `options.outbox`
   * written in the same statement.
   *
   * - StreamVersionConflictError: the version differs; no event, outbox row or stream version was
   *   written and the caller's transaction is still usable. (Order marks of outbox keys the
   *   statement had already passed may stay: they only make an older transaction retry.)
   * - TransactionOrderConflictError: roll the transaction back and retry it (retried here
   *   when `client` is a Pool, as the statement was then its own transaction).
   */
  async append(client: SqlClient, streamId: string, expectedVersion: ExpectedVersion, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.appendOnce(client, streamId, expectedVersion, events, options);
      } catch (error) {
        if (error instanceof TransactionOrderConflictError && isPool(client) && attempt < OWN_TRANSACTION_ORDER_RETRIES) continue;
        throw error;
      }
    }
  }

  private async appendOnce(client: SqlClient, streamId: string, expectedVersion: ExpectedVersion, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (!streamId) throw new Error('streamId must not be empty');
    if (events.length === 0) throw new Error(`Nothing to append to stream "${streamId}"`);
    if (typeof expectedVersion === 'number' && (!Number.isInteger(expectedVersion) || expectedVersion < 0)) {
      throw new Error(`Invalid expected version ${expectedVersion} for stream "${streamId}"`);
    }
    for (const event of events) {
      if (event.eventId !== undefined && !uuidPattern.test(event.eventId)) throw new Error(`eventId must be a UUID, got "${event.eventId}"`);
    }
    const eventsJson = JSON.stringify(
      events.map((event, index) => ({
        ord: index + 1,
        event_id: event.eventId ?? this.idGenerator(),
        event_type: event.type,
        data: event.data,
        metadata: event.metadata ?? {},
      })),
    );
    const outbox = encodeOutboxMessages(options.outbox ?? []);
    const s = this.schema;
    // $1 stream id, $2 events, $3 outbox, $4 now, $5 number of events, $6 distinct outbox keys, $7 expected version
    const values: unknown[] = [streamId, eventsJson, outbox.json, this.clock(), events.length, outbox.distinctKeys];
    let claimVersions: string;
    if (expectedVersion === 'any') {
      claimVersions = `INSERT INTO ${s}.streams AS st (stream_id, version, last_transaction_id)
      SELECT $1, $5, pg_current_xact_id() FROM keys_in_order WHERE ok
      ON CONFLICT (stream_id) DO UPDATE
        SET version = st.version + EXCLUDED.version, last_transaction_id = EXCLUDED.last_transaction_id
        WHERE st.last_transaction_id <= EXCLUDED.last_transaction_id
      RETURNING version`;
    } else if (expectedVersion === 'no-stream' || expectedVersion === 0) {
      claimVersions = `INSERT INTO ${s}.streams (stream_id, version, last_transaction_id)
      SELECT $1, $5, pg_current_xact_id() FROM keys_in_order WHERE ok
      ON CONFLICT (stream_id) DO NOTHING
      RETURNING version`;
    } else {
      values.push(expectedVersion);
      claimVersions = `UPDATE ${s}.streams
         SET version = version + $5, last_transaction_id = pg_current_xact_id()
       WHERE stream_id = $1 AND version = $7
         AND last_transaction_id <= pg_current_xact_id()
         AND (SELECT ok FROM keys_in_order)
      RETURNING version`;
    }
    // One statement: the outbox keys' locks, then the stream's (the row lock serialises appenders
    // of one stream; a loser re-checks the version after the winner commits and gets no row),
    // then events and outbox rows only if the stream's versions were claimed.
    const sql = `WITH ${keyOrderCtes(this.schemaName, '$3', '$6')},
  claimed AS (${claimVersions}),
  appended AS (
    INSERT INTO ${s}.events (stream_id, stream_version, event_id, event_type, data, metadata, recorded_at)
    SELECT $1, claimed.version - $5 + e.ord, e.event_id, e.event_type, e.data, e.metadata, $4
      FROM claimed, jsonb_to_recordset($2::jsonb) AS e(ord int, event_id uuid, event_type text, data jsonb, metadata jsonb)
     ORDER BY e.ord
    RETURNING global_position, transaction_id
  ),
  ${outboxInsertCte(this.schemaName, '$3', '$4', 'claimed')}
SELECT (SELECT version FROM claimed) AS version,
       (SELECT ok FROM keys_in_order) AS keys_in_order,
       (SELECT min(global_position) FROM appended)::text AS first_position,
       (SELECT max(global_position) FROM appended)::text AS last_position,
       (SELECT count(*) FROM enqueued)::int AS enqueued,
       pg_current_xact_id()::text AS transaction_id`;
    const { rows } = await client.query<{
      version: number | null;
      keys_in_order: boolean;
      first_position: string | null;
      last_position: string | null;
      transaction_id: string;
    }>(sql, values);
    const row = rows[0];
    if (!row) throw new Error('append statement returned no row'); // a SELECT without FROM always returns one
    if (row.version !== null && row.first_position !== null && row.last_position !== null) {
      const transactionId = BigInt(row.transaction_id);
      return {
        streamId,
        nextExpectedVersion: row.version,
        firstPosition: { transactionId, globalPosition: BigInt(row.first_position) },
        lastPosition: { transactionId, globalPosition: BigInt(row.last_position) },
      };
    }
    throw await this.explainRefusal(client, streamId, expectedVersion, BigInt(row.transaction_id), row.keys_in_order);
  }

  /**
   * Why the append was refused. A wrong version comes first: two writers deciding on the same
   * version also write the same outbox key, and the loser may trip over the key before it
   * reaches the stream, yet what it needs to hear is "reload, the stream moved on".
   */
  private async explainRefusal(client: SqlClient, streamId: string, expected: ExpectedVersion, ownTransactionId: bigint, keysInOrder: boolean): Promise<Error> {
    const { rows } = await client.query<{ version: number; last_transaction_id: string }>(
      `SELECT version, last_transaction_id::text AS last_transaction_id FROM ${this.schema}.streams WHERE stream_id = $1`,
      [streamId],
    );
    const actual = rows[0]?.version ?? 0;
    const expectationHeld = expected === 'any' || (expected === 'no-stream' || expected === 0 ? actual === 0 : expected === actual);
    if (!expectationHeld) return new StreamVersionConflictError(streamId, expected, actual);
    if (!keysInOrder) return new TransactionOrderConflictError('an outbox message key');
    if (rows[0] && BigInt(rows[0].last_transaction_id) > ownTransactionId) return new TransactionOrderConflictError(`stream:${streamId}`);
    // Not expected: the claim failed, yet version and order look right from this newer snapshot.
    // Another writer must have moved the stream in between; report the conflict as it stands.
    return new StreamVersionConflictError(streamId, expected, actual);
  }

  /** The stream's events from `fromVersion` on, and its current version, from one snapshot. */
  async readStream<Type extends string = string, Data = unknown>(client: SqlClient, streamId: string, options: ReadStreamOptions = {}): Promise<StreamSlice<Type, Data>> {
    const fromVersion = options.fromVersion ?? 1;
    const maxCount = options.maxCount ?? null;
    const { rows } = await client.query<EventRow & { current_version: number }>(
      `SELECT st.version AS current_version, e.*
         FROM ${this.schema}.streams st
         LEFT JOIN LATERAL (
           SELECT ${EVENT_COLUMNS}
             FROM ${this.schema}.events ev
            WHERE ev.stream_id = st.stream_id AND ev.stream_version >= $2 AND ev.stream_version <= st.version
            ORDER BY ev.stream_version
            LIMIT $3
         ) e ON true
        WHERE st.stream_id = $1
        ORDER BY e.stream_version`,
      [streamId, fromVersion, maxCount],
    );
    const version = rows[0]?.current_version ?? 0;
    const events = rows.filter((row) => row.event_id !== null).map((row) => toRecordedEvent(row) as RecordedEvent<Type, Data>);
    return { streamId, version, events };
  }

  /**
   * Up to `limit` events after `after`, in log order (transaction id, then global position), and
   * only from transactions older than every transaction still running
   * (`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`). Those transactions have ended,
   * so no row can still appear before the returned ones: a projection that stores the returned
   * `position` and continues from it never skips an event, however long a writer stays open.
   * The price is latency: a long transaction anywhere in the cluster holds the horizon back.
   */
  async readAll(client: SqlClient, options: ReadAllOptions = {}): Promise<LogSlice> {
    const after = options.after ?? LOG_START;
    const limit = options.limit ?? 1000;
    if (!Number.isInteger(limit) || limit <= 0) throw new Error(`readAll limit must be a positive integer, got ${limit}`);
    const { rows } = await client.query<EventRow>(
      `SELECT ${EVENT_COLUMNS}
         FROM ${this.schema}.events ev
        WHERE (ev.transaction_id, ev.global_position) > ($1::text::xid8, $2::bigint)
          AND ev.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY ev.transaction_id, ev.global_position -- qualified: the output columns of these names are text
        LIMIT $3`,
      [after.transactionId.toString(), after.globalPosition.toString(), limit],
    );
    const events = rows.map(toRecordedEvent);
    return { events, position: events.at(-1)?.position ?? after };
  }
}
