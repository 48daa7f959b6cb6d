import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The overdue watch remembers the W3C trace context of the invoice event that put the invoice on
 * it, so the score published when the invoice falls overdue (days later, by the scanner) continues
 * that invoice's trace. Nullable: rows from before, or written with no active span, score in a
 * trace of their own.
 */
export class InvoiceWatchTraceContext1767300100000 implements MigrationInterface {
  name = 'InvoiceWatchTraceContext1767300100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE scoring.invoice_watch ADD COLUMN IF NOT EXISTS traceparent text, ADD COLUMN IF NOT EXISTS tracestate text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE scoring.invoice_watch DROP COLUMN IF EXISTS tracestate, DROP COLUMN IF EXISTS traceparent`);
  }
}
