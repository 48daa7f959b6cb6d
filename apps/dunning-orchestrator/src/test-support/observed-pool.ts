import type { Pool } from 'pg';
import type { SqlClient, SqlPool, SqlPoolClient } from '@dunning/messaging';

/**
 * A pool whose every statement, on the pool and on the clients it hands out, goes through
 * `observe` (which must call `run` to send it): for tests and benches that count statements or
 * record how they failed, with the service code unchanged. Test support only.
 */
export function observedPool(pool: Pool, observe: (text: string, run: () => Promise<unknown>) => Promise<unknown>): SqlPool {
  const wrap = (client: SqlClient): SqlClient => ({
    query: ((text: string, values?: unknown[]) => observe(text, () => client.query(text, values))) as SqlClient['query'],
  });
  return {
    query: wrap(pool).query,
    async connect(): Promise<SqlPoolClient> {
      const client = await pool.connect();
      return { ...wrap(client), release: (error?: Error | boolean) => client.release(error) } as SqlPoolClient;
    },
  };
}
