import { quoteIdentifier, type SqlClient } from './sql';

export const DEFAULT_MESSAGING_SCHEMA = 'messaging';

/**
 * The consumed offsets, stored in the same transaction as the projection change they paid
 * for. PostgreSQL, not Kafka's group offsets, is the source of truth: Kafka's committed offset
 * only saves refetching. `last_offset` is the last offset handled (applied or dead-lettered);
 * -1 means "row exists, nothing handled yet".
 */
export function consumerOffsetsDdl(schema: string = DEFAULT_MESSAGING_SCHEMA): string {
  const s = quoteIdentifier(schema);
  return `CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.consumer_offsets (
  consumer_group text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  last_offset bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, partition)
);`;
}

export function dropConsumerOffsetsDdl(schema: string = DEFAULT_MESSAGING_SCHEMA): string {
  return `DROP TABLE IF EXISTS ${quoteIdentifier(schema)}.consumer_offsets;`;
}

export interface PartitionRef {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
}

/** SQL for one schema, built once so the hot path does no string work. */
export class OffsetStore {
  private readonly lockSql: string;
  private readonly storeSql: string;
  private readonly readSql: string;
  private readonly deleteSql: string;

  constructor(readonly schema: string = DEFAULT_MESSAGING_SCHEMA) {
    const table = `${quoteIdentifier(schema)}.consumer_offsets`;
    // An upsert that changes nothing still takes the row lock, and returns the stored offset in
    // one round trip. Every transaction for a partition starts here, so a zombie member that
    // lost the partition in a rebalance and a new owner serialise on this row, and the second
    // one sees what the first committed.
    this.lockSql = `INSERT INTO ${table} AS o (consumer_group, topic, partition, last_offset) VALUES ($1, $2, $3, -1)
ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET last_offset = o.last_offset
RETURNING last_offset::text AS last_offset`;
    this.storeSql = `UPDATE ${table} SET last_offset = $4, updated_at = now() WHERE consumer_group = $1 AND topic = $2 AND partition = $3`;
    this.readSql = `SELECT last_offset::text AS last_offset FROM ${table} WHERE consumer_group = $1 AND topic = $2 AND partition = $3`;
    this.deleteSql = `DELETE FROM ${table} WHERE consumer_group = $1 AND topic = ANY($2::text[])`;
  }

  /** Inside the caller's transaction: lock the partition's row and return the last handled offset (-1 if none). */
  async lock(client: SqlClient, ref: PartitionRef): Promise<bigint> {
    const result = await client.query<{ last_offset: string }>(this.lockSql, [ref.groupId, ref.topic, ref.partition]);
    const row = result.rows[0];
    if (!row) throw new Error('consumer_offsets upsert returned no row');
    return BigInt(row.last_offset);
  }

  async store(client: SqlClient, ref: PartitionRef, lastOffset: bigint): Promise<void> {
    await client.query(this.storeSql, [ref.groupId, ref.topic, ref.partition, lastOffset.toString()]);
  }

  /** The last handled offset, or undefined when this group never handled the partition. */
  async read(client: SqlClient, ref: PartitionRef): Promise<bigint | undefined> {
    const result = await client.query<{ last_offset: string }>(this.readSql, [ref.groupId, ref.topic, ref.partition]);
    const row = result.rows[0];
    return row ? BigInt(row.last_offset) : undefined;
  }

  /** For replay resets: forget what the group consumed on these topics. */
  async forget(client: SqlClient, groupId: string, topics: readonly string[]): Promise<number> {
    const result = await client.query(this.deleteSql, [groupId, topics]);
    return result.rowCount ?? 0;
  }
}
