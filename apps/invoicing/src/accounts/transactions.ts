import { EventStoreConcurrencyError, withTransaction } from '@dunning/event-store';
import type { Pool, PoolClient } from 'pg';

/**
 * One transaction, run again (on fresh state) when another writer appended to the same account
 * first. Used by the HTTP API and the deadline sweeper; the Kafka consumer retries whole chunks.
 */
export async function withAccountTransaction<T>(pool: Pool, work: (tx: PoolClient) => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(pool, work);
    } catch (error) {
      if (!(error instanceof EventStoreConcurrencyError) || attempt >= attempts) throw error;
    }
  }
}
