import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A timer remembers the W3C trace context active when it was scheduled, so a reminder that fires
 * days later continues the invoice's trace instead of starting a new one. Nullable: timers written
 * before this migration (or with no active span) fire in a trace of their own, as before.
 */
export class TimerTraceContext1767225800000 implements MigrationInterface {
  name = 'TimerTraceContext1767225800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE orchestrator.timers ADD COLUMN traceparent text, ADD COLUMN tracestate text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE orchestrator.timers DROP COLUMN IF EXISTS tracestate, DROP COLUMN IF EXISTS traceparent`);
  }
}
