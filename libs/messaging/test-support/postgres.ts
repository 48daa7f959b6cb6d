import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { consumerOffsetsDdl } from '../src/offset-store';

export const TEST_DATABASE = 'dunning_test';
const serverUrl = (database: string): string => `postgres://postgres@127.0.0.1:5432/${database}`;

/** Creates the shared test database once; concurrent creators race harmlessly. */
export async function ensureTestDatabase(): Promise<void> {
  const admin = new Client({ connectionString: serverUrl('postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEST_DATABASE]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${TEST_DATABASE}`).catch((error: { code?: string }) => {
        // 42P04 duplicate_database, 23505 unique_violation: another test created it first.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await admin.end();
  }
}

export function testPool(max = 10): Pool {
  return new Pool({ connectionString: serverUrl(TEST_DATABASE), max });
}

/** A schema no other test uses, holding `consumer_offsets`. */
export async function createFreshSchema(pool: Pool, prefix = 'msg'): Promise<string> {
  const schema = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await pool.query(consumerOffsetsDdl(schema));
  return schema;
}

export async function dropSchema(pool: Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
