import { quoteIdentifier } from '@dunning/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { caseTraceContextSql } from '../persistence/schema';

/**
 * A case remembers the W3C trace context of the hand-off request that opened it, so the checks,
 * claims and recalls the worker runs later continue that invoice's trace. Nullable: cases from
 * before (or opened with no active span) are worked in traces of their own.
 */
export function createCaseTraceContextMigration(schema: string): new () => MigrationInterface {
  const cases = `${quoteIdentifier(schema)}.cases`;
  return class CaseTraceContext implements MigrationInterface {
    readonly name = `CaseTraceContext${schema.replace(/[^A-Za-z0-9]/g, '')}1767225900000`;
    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(caseTraceContextSql(schema));
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`ALTER TABLE ${cases} DROP COLUMN IF EXISTS tracestate, DROP COLUMN IF EXISTS traceparent`);
    }
  };
}
