import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * scoring's own tables, in schema `scoring` (next to its outbox and consumer offsets):
 * customer histories (the feature state), the overdue watch (what to score when), experiment arms,
 * the model registry, training runs, and every score published.
 */
export class ScoringTables1767300000000 implements MigrationInterface {
  name = 'ScoringTables1767300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
CREATE SCHEMA IF NOT EXISTS scoring;

CREATE TABLE IF NOT EXISTS scoring.customer_histories (
  customer_id text PRIMARY KEY,
  history     jsonb NOT NULL,
  updated_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS scoring.invoice_watch (
  invoice_id    text PRIMARY KEY,
  customer_id   text NOT NULL,
  overdue_at    timestamptz NOT NULL,
  window_end    timestamptz NOT NULL,
  status        text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'scored', 'skipped', 'paid-before-overdue')),
  status_reason text,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS invoice_watch_due ON scoring.invoice_watch (overdue_at) WHERE status = 'waiting';
CREATE INDEX IF NOT EXISTS invoice_watch_window ON scoring.invoice_watch (window_end);

CREATE TABLE IF NOT EXISTS scoring.experiment_arms (
  invoice_id    text PRIMARY KEY,
  customer_id   text NOT NULL,
  experiment_id text NOT NULL,
  arm           text NOT NULL,
  assigned_at   timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS scoring.arm_actions (
  experiment_id text NOT NULL,
  arm           text NOT NULL,
  invoice_id    text NOT NULL,
  treatment     text NOT NULL,
  PRIMARY KEY (experiment_id, arm, invoice_id, treatment)
);

CREATE TABLE IF NOT EXISTS scoring.model_versions (
  version              text PRIMARY KEY,
  content_hash         text NOT NULL,
  classifier           text NOT NULL,
  role                 text NOT NULL CHECK (role IN ('champion', 'challenger', 'retired')),
  feature_names        jsonb NOT NULL,
  training_window_from timestamptz NOT NULL,
  training_window_to   timestamptz NOT NULL,
  training_rows        integer NOT NULL,
  seed                 integer NOT NULL,
  metrics              jsonb NOT NULL,
  model_card           text NOT NULL,
  probability_model    jsonb NOT NULL,
  uplift_model         jsonb,
  role_reason          text NOT NULL,
  trained_at           timestamptz NOT NULL,
  training_ms          integer NOT NULL,
  role_changed_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS model_versions_one_champion ON scoring.model_versions (role) WHERE role = 'champion';
CREATE UNIQUE INDEX IF NOT EXISTS model_versions_one_challenger ON scoring.model_versions (role) WHERE role = 'challenger';

CREATE TABLE IF NOT EXISTS scoring.training_runs (
  run_id        bigserial PRIMARY KEY,
  started_at    timestamptz NOT NULL,
  trigger       text NOT NULL CHECK (trigger IN ('on-demand', 'schedule')),
  outcome_count integer NOT NULL,
  result        text NOT NULL CHECK (result IN ('trained', 'unchanged', 'insufficient')),
  version       text,
  reason        text NOT NULL
);

CREATE TABLE IF NOT EXISTS scoring.scores (
  score_id               text PRIMARY KEY,
  invoice_id             text NOT NULL,
  customer_id            text NOT NULL,
  computed_at            timestamptz NOT NULL,
  trigger                text NOT NULL CHECK (trigger IN ('overdue', 'request')),
  model_version          text NOT NULL,
  basis                  text NOT NULL CHECK (basis IN ('model', 'prior')),
  probability            double precision NOT NULL,
  uplift                 jsonb NOT NULL,
  reasons                jsonb NOT NULL,
  features               jsonb NOT NULL,
  challenger_version     text,
  challenger_probability double precision
);
CREATE INDEX IF NOT EXISTS scores_by_invoice ON scoring.scores (invoice_id, computed_at);
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TABLE IF EXISTS scoring.scores, scoring.training_runs, scoring.model_versions, scoring.arm_actions, scoring.experiment_arms, scoring.invoice_watch, scoring.customer_histories`,
    );
  }
}
