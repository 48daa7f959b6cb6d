import { createEventStoreMigration } from './migration';
import { assertSchemaName, dropEventStoreSchemaSql, eventStoreSchemaSql } from './schema';

describe('event-store schema SQL', () => {
  it('accepts plain lower-case identifiers only, since the name is spliced into SQL', () => {
    expect(assertSchemaName('invoicing')).toBe('invoicing');
    expect(assertSchemaName('es_test_0a1b')).toBe('es_test_0a1b');
    for (const bad of ['', 'Invoicing', '1abc', 'a-b', 'a"; DROP TABLE x; --', 'x'.repeat(64)]) {
      expect(() => assertSchemaName(bad)).toThrow(/Invalid event-store schema name/);
    }
  });

  it('qualifies every table with the schema and reads the log below the snapshot horizon by (transaction_id, position)', () => {
    const sql = eventStoreSchemaSql('billing');
    for (const table of ['streams', 'events', 'outbox', 'outbox_key_order', 'inbox']) {
      expect(sql).toContain(`CREATE TABLE IF NOT EXISTS "billing".${table} (`);
    }
    expect(sql).toMatch(/transaction_id\s+xid8\s+NOT NULL DEFAULT pg_current_xact_id\(\)/);
    expect(sql).toContain('ON "billing".events (transaction_id, global_position)');
    expect(sql).toContain('ON "billing".outbox (transaction_id, position) WHERE published_at IS NULL');
    expect(sql).toContain('UNIQUE (stream_id, stream_version)');
    expect(sql).not.toMatch(/CREATE TABLE (?!IF NOT EXISTS "billing")/);
    expect(dropEventStoreSchemaSql('billing')).toContain('DROP TABLE IF EXISTS "billing".inbox');
  });
});

describe('createEventStoreMigration', () => {
  it('names the migration after the schema with a 13-digit timestamp, as TypeORM requires', () => {
    const Migration = createEventStoreMigration('dunning_orchestrator');
    const migration = new Migration();
    expect(migration.name).toMatch(/^EventStoreDunningOrchestrator\d{13}$/);
    expect(new (createEventStoreMigration('invoicing'))().name).not.toBe(migration.name);
    expect(() => createEventStoreMigration('Bad Name')).toThrow(/Invalid event-store schema name/);
  });

  it('runs the schema SQL on up and the drop SQL on down', async () => {
    const executed: string[] = [];
    const queryRunner = { query: async (sql: string) => void executed.push(sql) };
    const migration = new (createEventStoreMigration('notifier'))();
    await migration.up(queryRunner as never);
    await migration.down(queryRunner as never);
    expect(executed).toEqual([eventStoreSchemaSql('notifier'), dropEventStoreSchemaSql('notifier')]);
  });
});
