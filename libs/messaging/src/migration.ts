import type { MigrationInterface, QueryRunner } from 'typeorm';
import { consumerOffsetsDdl, dropConsumerOffsetsDdl, DEFAULT_MESSAGING_SCHEMA } from './offset-store';

/** TypeORM wants a 13-digit timestamp at the end of a migration name; this one is fixed. */
export const MESSAGING_MIGRATION_TIMESTAMP = 1763800000000;

/**
 * A TypeORM migration class creating `<schema>.consumer_offsets`. Apps add it to their
 * DataSource's `migrations` array: `migrations: [createMessagingMigration('invoicing'), ...]`.
 */
export function createMessagingMigration(schema: string = DEFAULT_MESSAGING_SCHEMA): new () => MigrationInterface {
  const up = consumerOffsetsDdl(schema);
  const down = dropConsumerOffsetsDdl(schema);
  return class MessagingConsumerOffsets implements MigrationInterface {
    readonly name = `MessagingConsumerOffsets${MESSAGING_MIGRATION_TIMESTAMP}`;
    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(up);
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(down);
    }
  };
}
