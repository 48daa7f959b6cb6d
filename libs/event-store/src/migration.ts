import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertSchemaName, dropEventStoreSchemaSql, eventStoreSchemaSql } from './schema';

/** TypeORM orders migrations by the 13-digit timestamp at the end of their name. */
const EVENT_STORE_V1_TIMESTAMP = '1767225600000'; // 2026-01-01T00:00:00Z: before any app migration

function pascalCase(schema: string): string {
  return schema
    .split('_')
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * A TypeORM migration class that creates the event store in `schema`. Apps list it first in
 * `migrations` and start with `migrationsRun: true`:
 *
 *   new DataSource({ ..., migrations: [createEventStoreMigration('invoicing'), ...appMigrations], migrationsRun: true })
 *
 * The name carries the schema, so one database can hold several event stores.
 */
export function createEventStoreMigration(schema: string): new () => MigrationInterface {
  assertSchemaName(schema);
  const migrationName = `EventStore${pascalCase(schema)}${EVENT_STORE_V1_TIMESTAMP}`;
  return class EventStoreMigration implements MigrationInterface {
    readonly name = migrationName;

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(eventStoreSchemaSql(schema));
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(dropEventStoreSchemaSql(schema));
    }
  };
}
