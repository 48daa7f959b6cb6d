import { withTransaction, type SqlClient, type SqlPool } from '@dunning/event-store';

/**
 * The SQL surface is the event store's (`@dunning/event-store`): one definition of the client,
 * pool and transaction for every library. Re-exported here so `@dunning/messaging` keeps its
 * public names. A `pg` PoolClient satisfies `SqlClient` and a `pg` Pool satisfies `SqlPool`;
 * the caller owns the pool (its size, its lifetime).
 */
export type { SqlClient, SqlPool, SqlPoolClient, SqlResult } from '@dunning/event-store';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Quotes a schema or table name after checking it is a plain identifier (names come from config). */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/**
 * Runs `work` in one read-committed transaction on a pooled connection; a connection whose
 * ROLLBACK failed is destroyed, not reused. The event store's `withTransaction` under the name
 * the consumers and apps use.
 */
export function inTransaction<T>(pool: SqlPool, work: (client: SqlClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, work);
}
