import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualified } from '@dunning/event-store';
import { deliveryTraceContextSql } from '../deliveries/schema';

/** deliveries.trace_context: the request's trace, which the later dispatch and its outcome events continue. */
export function createDeliveryTraceContextMigration(schema: string): new () => MigrationInterface {
  return class DeliveryTraceContext1767400000000 implements MigrationInterface {
    readonly name = 'DeliveryTraceContext1767400000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(deliveryTraceContextSql(schema));
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`ALTER TABLE ${qualified(schema)}.deliveries DROP COLUMN IF EXISTS trace_context`);
    }
  };
}
