import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * invoicing's own tables, beside the event store, outbox and inbox (libs/event-store) and the
 * consumed offsets (libs/messaging) in the same schema:
 * - invoices: the current state of every invoice, a projection of the account streams;
 * - customer_keys: one AES-256 key per customer (wrapped by the KEK when one is configured);
 *   destroying it makes every sealed value of the customer unreadable (crypto-shredding);
 * - customer_contacts: the customer's current contact, sealed with that key;
 * - held_events: events waiting for their invoice, with the original record for the DLQ;
 * - account_deadlines: when each account next needs a look (a hold expiring, an installment due);
 * - dead_letters: every rejected input with its reason (Kafka and HTTP), for operators;
 * - http_idempotency: responses of HTTP requests by Idempotency-Key.
 */
export function createReadModelsMigration(schema: string): new () => MigrationInterface {
  const s = `"${schema}"`;
  return class InvoicingReadModels implements MigrationInterface {
    readonly name = 'InvoicingReadModels1767225700000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await queryRunner.query(`
CREATE TABLE ${s}.invoices (
  invoice_id     text PRIMARY KEY,
  customer_id    text NOT NULL,
  status         text NOT NULL,
  currency       char(3) NOT NULL,
  amount_minor   bigint NOT NULL,
  balance_minor  bigint NOT NULL CHECK (balance_minor >= 0),
  due_date       date NOT NULL,
  issued_at      timestamptz NOT NULL,
  state          jsonb NOT NULL,
  stream_version integer NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX invoices_by_customer ON ${s}.invoices (customer_id, issued_at, invoice_id);

CREATE TABLE ${s}.customer_keys (
  customer_id  text PRIMARY KEY,
  key_id       uuid NOT NULL,
  key_material bytea,
  wrapped_with text NOT NULL,
  created_at   timestamptz NOT NULL,
  destroyed_at timestamptz,
  CHECK ((key_material IS NULL) = (destroyed_at IS NOT NULL))
);

CREATE TABLE ${s}.customer_contacts (
  customer_id    text PRIMARY KEY,
  key_id         uuid NOT NULL,
  sealed_contact text NOT NULL,
  updated_at     timestamptz NOT NULL
);

CREATE TABLE ${s}.held_events (
  customer_id    text NOT NULL,
  hold_id        text NOT NULL,
  invoice_id     text,
  held_at        timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  origin         jsonb NOT NULL,
  record_key     text,
  record_value   bytea,
  record_headers jsonb NOT NULL,
  PRIMARY KEY (customer_id, hold_id)
);

CREATE TABLE ${s}.account_deadlines (
  customer_id text PRIMARY KEY,
  due_at      timestamptz NOT NULL
);
CREATE INDEX account_deadlines_due ON ${s}.account_deadlines (due_at);

CREATE TABLE ${s}.dead_letters (
  id               bigserial PRIMARY KEY,
  dead_lettered_at timestamptz NOT NULL,
  channel          text NOT NULL CHECK (channel IN ('kafka', 'http', 'hold')),
  topic            text,
  kafka_partition  integer,
  kafka_offset     bigint,
  event_source     text,
  event_id         text,
  event_type       text,
  customer_id      text,
  error_class      text NOT NULL,
  code             text NOT NULL,
  reason           text NOT NULL,
  headers          jsonb NOT NULL DEFAULT '{}',
  payload          bytea,
  payload_erased   boolean NOT NULL DEFAULT false
);
CREATE INDEX dead_letters_by_customer ON ${s}.dead_letters (customer_id);
CREATE INDEX dead_letters_by_code ON ${s}.dead_letters (code, id);

CREATE TABLE ${s}.http_idempotency (
  principal       text NOT NULL,
  idempotency_key text NOT NULL,
  request_hash    text NOT NULL,
  status_code     integer NOT NULL,
  response        jsonb NOT NULL,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (principal, idempotency_key)
);`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(
        `DROP TABLE IF EXISTS ${s}.http_idempotency, ${s}.dead_letters, ${s}.account_deadlines, ${s}.held_events, ${s}.customer_contacts, ${s}.customer_keys, ${s}.invoices`,
      );
    }
  };
}
