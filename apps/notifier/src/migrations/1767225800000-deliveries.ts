import type { MigrationInterface, QueryRunner } from 'typeorm';
import { fullNotifierSchemaSql } from '../deliveries/schema';

/** The notifier's tables, outbox and consumed offsets, in the schema NOTIFIER_SCHEMA names (default `notifier`). */
export function createDeliveriesMigration(schema: string): new () => MigrationInterface {
  return class Deliveries1767225800000 implements MigrationInterface {
    readonly name = 'Deliveries1767225800000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(fullNotifierSchemaSql(schema));
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  };
}
