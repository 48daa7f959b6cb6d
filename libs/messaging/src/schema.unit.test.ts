import type { QueryRunner } from 'typeorm';
import { createMessagingMigration, MESSAGING_MIGRATION_TIMESTAMP } from './migration';
import { consumerOffsetsDdl, OffsetStore } from './offset-store';
import { quoteIdentifier } from './sql';

describe('consumer_offsets schema', () => {
  it('quotes plain identifiers and refuses anything else', () => {
    expect(quoteIdentifier('invoicing')).toBe('"invoicing"');
    for (const bad of ['', 'a b', 'x"; DROP TABLE y; --', '1abc', 'a'.repeat(64)]) expect(() => quoteIdentifier(bad)).toThrow(/plain SQL identifier/);
    expect(() => new OffsetStore('bad-name')).toThrow();
  });

  it('creates the table in the configured schema', () => {
    const ddl = consumerOffsetsDdl('scoring');
    expect(ddl).toContain('CREATE SCHEMA IF NOT EXISTS "scoring"');
    expect(ddl).toContain('CREATE TABLE IF NOT EXISTS "scoring".consumer_offsets');
    expect(ddl).toContain('PRIMARY KEY (consumer_group, topic, partition)');
  });

  it('is a TypeORM migration with a timestamped name, running the DDL up and dropping the table down', async () => {
    const Migration = createMessagingMigration('notifier');
    const migration = new Migration();
    expect(migration.name).toBe(`MessagingConsumerOffsets${MESSAGING_MIGRATION_TIMESTAMP}`);
    expect(migration.name).toMatch(/\d{13}$/);
    const queries: string[] = [];
    const runner = { query: async (sql: string) => void queries.push(sql) } as unknown as QueryRunner;
    await migration.up(runner);
    await migration.down(runner);
    expect(queries).toEqual([consumerOffsetsDdl('notifier'), 'DROP TABLE IF EXISTS "notifier".consumer_offsets;']);
  });
});
