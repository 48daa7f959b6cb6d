import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Throwaway PostgreSQL databases for integration tests and benches: one per test file or run,
 * created on the local server and dropped WITH (FORCE) at teardown, so a pool a failed test left
 * open never keeps the drop (and the next run) waiting.
 */

/** The maintenance database URL: TEST_POSTGRES_ADMIN_URL, default the local trust-auth server. */
export function postgresAdminUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env['TEST_POSTGRES_ADMIN_URL']?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The URL of `database` on the admin URL's server, with the admin URL's user and options. */
export function postgresDatabaseUrl(database: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(postgresAdminUrl(env));
  url.pathname = `/${assertDatabaseName(database)}`;
  return url.toString();
}

/**
 * A database name no other test (or earlier run) uses: the prefix lower-cased with every other
 * character than [a-z0-9_] made `_`, and a time and random suffix. Unquoted, so SQL can name it.
 */
export function uniqueDatabaseName(prefix: string): string {
  const safe = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^([^a-z_])/, '_$1');
  // 63 bytes is PostgreSQL's identifier limit; longer names are cut silently, and two cut names could meet.
  return `${safe.slice(0, 40)}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

function assertDatabaseName(database: string): string {
  // The name is spliced into CREATE/DROP DATABASE (identifiers cannot be bound parameters).
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`not a safe unquoted database name: ${JSON.stringify(database)}`);
  return database;
}

/** Runs `use` with a fresh connection to the admin database and closes it after. */
export async function withPostgresAdmin<T>(use: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: postgresAdminUrl() });
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.end();
  }
}

/** Runs one statement on the admin database (CREATE/DROP DATABASE cannot run in a transaction). */
export async function onPostgresAdmin(sql: string): Promise<void> {
  await withPostgresAdmin((admin) => admin.query(sql));
}

export async function createDatabase(database: string): Promise<void> {
  await onPostgresAdmin(`CREATE DATABASE ${assertDatabaseName(database)}`);
}

/** Drops the database if it is there, ending the sessions still connected to it. */
export async function dropDatabase(database: string): Promise<void> {
  await onPostgresAdmin(`DROP DATABASE IF EXISTS ${assertDatabaseName(database)} WITH (FORCE)`);
}

export interface FreshDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops the database WITH (FORCE); safe to call more than once. */
  drop(): Promise<void>;
}

/** Creates an empty database named after `prefix` (made unique and safe). */
export async function freshDatabase(prefix: string): Promise<FreshDatabase> {
  const name = uniqueDatabaseName(prefix);
  await createDatabase(name);
  return { name, url: postgresDatabaseUrl(name), drop: () => dropDatabase(name) };
}
