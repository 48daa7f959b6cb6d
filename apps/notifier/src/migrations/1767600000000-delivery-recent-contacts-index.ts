import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualified } from '@dunning/event-store';
import { deliveryRecentContactsIndexSql } from '../deliveries/schema';

/** deliveries_recent_contacts: the contact cap's read per dispatch, by customer instead of a scan. */
export function createDeliveryRecentContactsIndexMigration(schema: string): new () => MigrationInterface {
  return class DeliveryRecentContactsIndex1767600000000 implements MigrationInterface {
    readonly name = 'DeliveryRecentContactsIndex1767600000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(deliveryRecentContactsIndexSql(schema));
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP INDEX IF EXISTS ${qualified(schema)}.deliveries_recent_contacts`);
    }
  };
}
