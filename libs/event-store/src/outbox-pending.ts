import { qualified } from './schema';
import type { SqlClient } from './sql-client';

/**
 * How many outbox rows in `schema` are not published yet (a quiescence probe). Counts through the
 * partial index on unpublished rows, so it stays cheap however long the published history is.
 */
export async function outboxPending(db: SqlClient, schema: string): Promise<number> {
  const { rows } = await db.query<{ pending: number }>(`SELECT count(*)::int AS pending FROM ${qualified(schema)}.outbox WHERE published_at IS NULL`);
  return rows[0]?.pending ?? 0;
}
