import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The orchestrator's own tables, next to its event store (same schema, created by the event-store
 * migration that runs first). The case streams in the event store are the record; `cases` and
 * `customers` are projections a replay rebuilds; `timers` are the durable wake-ups.
 */
export class OrchestratorTables1767225700000 implements MigrationInterface {
  name = 'OrchestratorTables1767225700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE SCHEMA IF NOT EXISTS orchestrator;
      CREATE TABLE orchestrator.cases (
        case_id        text PRIMARY KEY,
        customer_id    text NOT NULL,
        invoice_id     text,
        status         text NOT NULL,
        stream_version integer NOT NULL,
        state          jsonb NOT NULL,
        segment_id     text,
        experiment_id  text,
        arm_id         text,
        updated_at     timestamptz NOT NULL
      );
      CREATE INDEX cases_by_customer ON orchestrator.cases (customer_id);
      CREATE INDEX cases_by_experiment ON orchestrator.cases (experiment_id, arm_id) WHERE experiment_id IS NOT NULL;
      -- Which input events a case has taken in: a replay (or a redelivery) never appends one twice.
      CREATE TABLE orchestrator.case_inputs (
        case_id   text NOT NULL,
        input_key text NOT NULL,
        PRIMARY KEY (case_id, input_key)
      );
      CREATE TABLE orchestrator.customers (
        customer_id   text PRIMARY KEY,
        payment_dates jsonb NOT NULL DEFAULT '[]'::jsonb,
        terminated_at timestamptz
      );
      CREATE TABLE orchestrator.timers (
        timer_id   text PRIMARY KEY,
        case_id    text NOT NULL,
        fire_at    timestamptz NOT NULL,
        purpose    text NOT NULL,
        status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'cancelled')),
        created_at timestamptz NOT NULL,
        fired_at   timestamptz,
        fire_count integer NOT NULL DEFAULT 0
      );
      CREATE INDEX timers_due ON orchestrator.timers (fire_at) WHERE status = 'pending';
      CREATE TABLE orchestrator.simulated_clock (
        id  integer PRIMARY KEY CHECK (id = 1),
        now timestamptz NOT NULL
      );
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE IF EXISTS orchestrator.simulated_clock;
      DROP TABLE IF EXISTS orchestrator.timers;
      DROP TABLE IF EXISTS orchestrator.customers;
      DROP TABLE IF EXISTS orchestrator.case_inputs;
      DROP TABLE IF EXISTS orchestrator.cases;
    `);
  }
}
