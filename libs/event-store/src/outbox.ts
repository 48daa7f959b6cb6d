import { injectTraceContext } from '@dunning/telemetry';
import { TransactionOrderConflictError } from './errors';
import { qualified } from './schema';
import type { SqlClient } from './sql-client';

/**
 * An integration message to publish once the transaction that writes it commits. The app maps its
 * domain events to these (a gateway function) inside the same transaction as the append, so the
 * relay stays generic and never sees a domain type.
 */
export interface OutboxMessage {
  readonly topic: string;
  /** Decides the partition; all messages of one key reach consumers in log order. */
  readonly key: string | null;
  /** Stable id consumers de-duplicate on (after a relay crash a message may be published twice). */
  readonly messageId: string;
  readonly value: Buffer | Uint8Array | string;
  /**
   * e.g. CloudEvents `ce_*` headers. Never personal data. Without a `traceparent` of its own, the
   * row takes the trace context active when it is written (see encodeOutboxMessages).
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The JSON shape handed to PostgreSQL (jsonb_to_recordset) in one parameter. */
interface OutboxRowParam {
  ord: number;
  topic: string;
  message_key: string | null;
  message_id: string;
  payload: string; // base64
  headers: Record<string, string>;
}

/**
 * The rows to insert. A message without `traceparent` gets the W3C trace context that is active
 * now (e.g. the span of the consumed record that caused the write), so the relay, which publishes
 * later and outside that context, still carries the trace to the consumers downstream. With no
 * active span nothing is added.
 */
export function encodeOutboxMessages(messages: readonly OutboxMessage[]): { json: string; distinctKeys: number } {
  const keys = new Set<string>();
  const rows = messages.map((message, index): OutboxRowParam => {
    if (!message.topic) throw new Error(`Outbox message ${index} has no topic`);
    if (!message.messageId) throw new Error(`Outbox message ${index} has no messageId`);
    const headers: Record<string, string> = { ...(message.headers ?? {}) };
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string') throw new Error(`Outbox message ${index}: header "${name}" is not a string`);
    }
    if (headers['traceparent'] === undefined) injectTraceContext(headers);
    if (message.key !== null) keys.add(JSON.stringify([message.topic, message.key]));
    const payload = typeof message.value === 'string' ? Buffer.from(message.value, 'utf8') : Buffer.from(message.value);
    return { ord: index + 1, topic: message.topic, message_key: message.key, message_id: message.messageId, payload: payload.toString('base64'), headers };
  });
  return { json: JSON.stringify(rows), distinctKeys: keys.size };
}

/**
 * SQL pieces shared by `EventStore.append` and `Outbox.enqueue`. `$outbox` is the jsonb array of
 * {@link OutboxRowParam}, `$keyCount` the number of distinct (topic, key) pairs in it.
 *
 * `ordered_keys` takes each key's row lock (in a fixed order, so two writers cannot deadlock on
 * keys) and refuses, by not returning the row, when a transaction that got its id after ours has
 * already written the key: publishing ours after theirs would break the key's order (see
 * TransactionOrderConflictError). `keys_in_order` says whether every key passed.
 */
export function keyOrderCtes(schema: string, outboxParam: string, keyCountParam: string): string {
  const s = qualified(schema);
  return `ordered_keys AS (
    INSERT INTO ${s}.outbox_key_order AS k (topic, message_key, last_transaction_id)
    SELECT DISTINCT m.topic, m.message_key, pg_current_xact_id()
      FROM jsonb_to_recordset(${outboxParam}::jsonb) AS m(topic text, message_key text)
     WHERE m.message_key IS NOT NULL
     ORDER BY m.topic, m.message_key
    ON CONFLICT (topic, message_key) DO UPDATE SET last_transaction_id = EXCLUDED.last_transaction_id
     WHERE k.last_transaction_id <= EXCLUDED.last_transaction_id
    RETURNING 1
  ),
  keys_in_order AS (SELECT count(*) = ${keyCountParam}::bigint AS ok FROM ordered_keys)`;
}

/** Inserts the outbox rows in their given order, for every row `gate` yields (one or none). */
export function outboxInsertCte(schema: string, outboxParam: string, createdAtParam: string, gate: string): string {
  const s = qualified(schema);
  return `enqueued AS (
    INSERT INTO ${s}.outbox (topic, message_key, message_id, payload, headers, created_at)
    SELECT m.topic, m.message_key, m.message_id, decode(m.payload, 'base64'), m.headers, ${createdAtParam}
      FROM ${gate}, jsonb_to_recordset(${outboxParam}::jsonb)
           AS m(ord int, topic text, message_key text, message_id text, payload text, headers jsonb)
     ORDER BY m.ord
    RETURNING position
  )`;
}

export interface OutboxOptions {
  schema: string;
  clock?: () => Date;
}

/** Writes outbox messages that go with no event (e.g. a command to another service). */
export class Outbox {
  private readonly clock: () => Date;

  constructor(private readonly options: OutboxOptions) {
    qualified(options.schema);
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Adds `messages` to the outbox in the caller's transaction. Throws
   * TransactionOrderConflictError (roll back and retry) if that would reorder a key.
   */
  async enqueue(client: SqlClient, messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const { json, distinctKeys } = encodeOutboxMessages(messages);
    const sql = `WITH ${keyOrderCtes(this.options.schema, '$1', '$2')},
  gate AS (SELECT 1 FROM keys_in_order WHERE ok),
  ${outboxInsertCte(this.options.schema, '$1', '$3', 'gate')}
SELECT (SELECT ok FROM keys_in_order) AS keys_in_order, (SELECT count(*) FROM enqueued)::int AS enqueued`;
    const { rows } = await client.query<{ keys_in_order: boolean; enqueued: number }>(sql, [json, distinctKeys, this.clock()]);
    if (!rows[0]?.keys_in_order) throw new TransactionOrderConflictError('an outbox message key');
  }

  /**
   * Deletes up to `limit` rows published before `publishedBefore` and returns how many went.
   * Published rows are kept for a while for diagnosis; run this periodically so the table and
   * its partial index stay small. Unpublished rows are never touched.
   */
  async deletePublished(client: SqlClient, options: { publishedBefore: Date; limit?: number }): Promise<number> {
    const { rowCount } = await client.query(
      `DELETE FROM ${qualified(this.options.schema)}.outbox
        WHERE position IN (SELECT position FROM ${qualified(this.options.schema)}.outbox
                            WHERE published_at < $1 ORDER BY position LIMIT $2)`,
      [options.publishedBefore, options.limit ?? 10_000],
    );
    return rowCount ?? 0;
  }
}
