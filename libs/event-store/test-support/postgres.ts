import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { waitFor } from '@dunning/testing';
import { eventStoreSchemaSql } from '../src/schema';

/** Integration tests share one database and isolate themselves with a fresh schema each. */
export const TEST_DATABASE_URL = process.env['EVENT_STORE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/dunning_test';

let ensured: Promise<void> | undefined;

/** Creates the test database if it is missing (two test files racing to create it is fine). */
export function ensureTestDatabase(): Promise<void> {
  ensured ??= (async () => {
    const url = new URL(TEST_DATABASE_URL);
    const database = url.pathname.slice(1);
    url.pathname = '/postgres';
    const admin = new Client({ connectionString: url.toString() });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (!rowCount) {
        await admin.query(`CREATE DATABASE "${database}"`).catch((error: { code?: string }) => {
          if (error.code !== '42P04' && error.code !== '23505') throw error; // created meanwhile
        });
      }
    } finally {
      await admin.end();
    }
  })();
  return ensured;
}

export async function testPool(max = 4): Promise<Pool> {
  await ensureTestDatabase();
  return new Pool({ connectionString: TEST_DATABASE_URL, max, idleTimeoutMillis: 5_000 });
}

export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** A fresh schema with the event store's tables in it. */
export async function freshEventStoreSchema(pool: Pool, prefix = 'es_test'): Promise<string> {
  const schema = `${prefix}_${randomSuffix()}`;
  await pool.query(eventStoreSchemaSql(schema));
  return schema;
}

export async function dropSchema(pool: Pool, schema: string): Promise<void> {
  // A test that failed with a transaction still open must not hang the clean-up forever.
  const client = await pool.connect();
  try {
    await client.query(`SET lock_timeout = '10s'`);
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    client.release(true);
  }
}

async function xid(pool: Pool, sql: string): Promise<bigint> {
  const { rows } = await pool.query<{ x: string }>(sql);
  const value = rows[0]?.x;
  if (value === undefined) throw new Error(`no row from: ${sql}`);
  return BigInt(value);
}

/**
 * Waits until log readers (readAll, the relay) can see everything committed so far: until every
 * transaction that had an id when this was called has ended — or, given `transactionId`, every
 * transaction older than that one. The server is shared with other test suites, whose open
 * transactions hold the horizon back for a while, so tests wait for it instead of assuming it.
 */
export async function waitForLogHorizon(pool: Pool, transactionId?: bigint): Promise<void> {
  const target = transactionId ?? (await xid(pool, 'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x'));
  await waitFor(async () => (await xid(pool, 'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x')) >= target, {
    timeoutMs: 90_000,
    intervalMs: 20,
    description: `the snapshot horizon to pass transaction ${target}`,
  });
}
