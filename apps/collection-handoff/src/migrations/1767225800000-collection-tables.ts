import type { MigrationInterface, QueryRunner } from 'typeorm';
import { collectionTablesSql } from '../persistence/schema';

/** The projection, case snapshot/work queue, agency batches and reconciliation tables in `schema`. */
export function createCollectionTablesMigration(schema: string): new () => MigrationInterface {
  const up = collectionTablesSql(schema);
  return class CollectionTables implements MigrationInterface {
    readonly name = `CollectionTables${schema.replace(/[^A-Za-z0-9]/g, '')}1767225800000`;
    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(up);
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE IF EXISTS "${schema}".reconciliation_runs, "${schema}".agency_batches, "${schema}".cases, "${schema}".customer_profiles, "${schema}".invoice_projection`);
    }
  };
}
