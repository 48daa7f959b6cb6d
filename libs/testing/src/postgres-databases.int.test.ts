import { Client } from 'pg';
import { freshDatabase, postgresDatabaseUrl, uniqueDatabaseName, withPostgresAdmin } from './postgres-databases';

async function databaseExists(name: string): Promise<boolean> {
  return withPostgresAdmin(async (admin) => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}

describe('throwaway PostgreSQL databases (real server)', () => {
  it('creates an empty database that takes writes, and drops it even while a session is still connected', async () => {
    const database = await freshDatabase('Testing.Fresh-DB');
    expect(database.name).toMatch(/^testing_fresh_db_[a-z0-9]+_[0-9a-f]{8}$/);
    expect(new URL(database.url).pathname).toBe(`/${database.name}`);
    expect(await databaseExists(database.name)).toBe(true);

    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      expect((await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db).toBe(database.name);
      await client.query('CREATE TABLE t (n int)');
      await client.query('INSERT INTO t VALUES (1), (2)');
      expect((await client.query<{ total: number }>('SELECT sum(n)::int AS total FROM t')).rows[0]?.total).toBe(3);

      // The session is still open: WITH (FORCE) ends it instead of failing on "being accessed by other users".
      client.on('error', () => undefined);
      await database.drop();
      expect(await databaseExists(database.name)).toBe(false);
      await database.drop();
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  it('gives every call its own name', () => {
    expect(uniqueDatabaseName('same')).not.toBe(uniqueDatabaseName('same'));
    expect(uniqueDatabaseName('x'.repeat(100)).length).toBeLessThanOrEqual(63);
  });

  it('refuses a name that is not a plain identifier before it reaches SQL', () => {
    expect(() => postgresDatabaseUrl('x; DROP DATABASE postgres')).toThrow(/not a safe/);
    expect(postgresDatabaseUrl('ok_1', { TEST_POSTGRES_ADMIN_URL: 'postgres://u@10.0.0.1:6543/postgres?sslmode=disable' })).toBe('postgres://u@10.0.0.1:6543/ok_1?sslmode=disable');
  });
});
