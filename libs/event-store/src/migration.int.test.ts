import { DataSource } from 'typeorm';
import { ensureTestDatabase, randomSuffix, TEST_DATABASE_URL } from '../test-support/postgres';
import { EventStore } from './event-store';
import { createEventStoreMigration } from './migration';
import { fromTypeOrmQueryRunner } from './sql-client';

describe('createEventStoreMigration through a TypeORM DataSource', () => {
  const schema = `es_migration_${randomSuffix()}`;
  // Each test run keeps its own TypeORM bookkeeping table, so parallel runs do not meet.
  const migrationsTableName = `migrations_${schema}`;
  let dataSource: DataSource;

  beforeAll(async () => {
    await ensureTestDatabase();
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) {
      await dataSource.query(`DROP TABLE IF EXISTS public."${migrationsTableName}"`);
      await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await dataSource.destroy();
    }
  });

  it('creates the tables at start-up (migrationsRun), records itself once, and reverts', async () => {
    const options = {
      type: 'postgres' as const,
      url: TEST_DATABASE_URL,
      migrations: [createEventStoreMigration(schema)],
      migrationsRun: true,
      migrationsTableName,
      poolSize: 2,
    };
    dataSource = await new DataSource(options).initialize();
    const tables = await dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema]);
    expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(['events', 'inbox', 'outbox', 'outbox_key_order', 'streams']);
    const recorded = await dataSource.query(`SELECT name FROM public."${migrationsTableName}"`);
    expect(recorded).toEqual([{ name: new (createEventStoreMigration(schema))().name }]);

    // A second app start finds nothing to do.
    const again = await new DataSource(options).initialize();
    expect(await again.query(`SELECT count(*)::int AS n FROM public."${migrationsTableName}"`)).toEqual([{ n: 1 }]);
    await again.destroy();

    // The store works inside a TypeORM transaction through the query-runner adapter.
    const store = new EventStore({ schema });
    await dataSource.transaction(async (manager) => {
      const client = fromTypeOrmQueryRunner(manager.queryRunner!);
      const appended = await store.append(client, 'invoice-1', 'no-stream', [{ type: 'Issued', data: { n: 1 } }], { outbox: [{ topic: 't', key: 'c-1', messageId: 'm-1', value: '{}' }] });
      expect(appended.nextExpectedVersion).toBe(1);
      expect((await store.readStream(client, 'invoice-1')).events.map((e) => e.type)).toEqual(['Issued']);
    });
    await expect(
      dataSource.transaction(async (manager) => {
        await store.append(fromTypeOrmQueryRunner(manager.queryRunner!), 'invoice-1', 1, [{ type: 'Paid', data: {} }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const queryRunner = dataSource.createQueryRunner();
    expect((await store.readStream(fromTypeOrmQueryRunner(queryRunner), 'invoice-1')).version).toBe(1);
    await queryRunner.release();

    await dataSource.undoLastMigration();
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`, [schema])).toEqual([{ n: 0 }]);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = $1`, [schema])).toEqual([{ n: 0 }]);
  });
});
