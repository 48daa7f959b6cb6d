import { quoteIdentifier } from '@dunning/messaging';

/**
 * collection-handoff's own tables, next to the event store (streams, events, outbox, inbox) and
 * consumer_offsets in the same schema. The collection case is event-sourced; `cases` is its
 * snapshot and work queue, written in the same transaction as every append.
 */
export function collectionTablesSql(schema: string): string {
  const s = quoteIdentifier(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

-- The invoice projection from invoicing.invoices.v1. A row is the lock both the projection update
-- (a payment) and the hand-off check take FOR UPDATE, so they never interleave (promise 2).
CREATE TABLE IF NOT EXISTS ${s}.invoice_projection (
  invoice_id     text        PRIMARY KEY,
  customer_id    text        NOT NULL,
  view           jsonb       NOT NULL,
  -- bumped by every change, the projection's and the hand-off's: the order in which they happened
  version        bigint      NOT NULL,
  -- the collection case holding this invoice at an agency (set by the hand-off, cleared when it ends)
  active_case_id text,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS invoice_projection_customer ON ${s}.invoice_projection (customer_id);

CREATE TABLE IF NOT EXISTS ${s}.customer_profiles (
  customer_id   text        PRIMARY KEY,
  profile       jsonb       NOT NULL,
  terminated_at timestamptz,
  updated_at    timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS ${s}.cases (
  collection_case_id text        PRIMARY KEY,
  handoff_id         text        NOT NULL UNIQUE,
  action_id          text        NOT NULL UNIQUE,
  invoice_id         text        NOT NULL,
  customer_id        text        NOT NULL,
  agency_id          text,
  status             text        NOT NULL,
  pending_work       text        NOT NULL,
  state              jsonb       NOT NULL,
  stream_version     integer     NOT NULL,
  attempts           integer     NOT NULL DEFAULT 0,
  next_attempt_at    timestamptz NOT NULL,
  last_error         text,
  requested_at       timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);
-- The last line of defence against two cases for one invoice at an agency.
CREATE UNIQUE INDEX IF NOT EXISTS cases_one_active_per_invoice ON ${s}.cases (invoice_id) WHERE status IN ('checked', 'handed-off', 'paid-at-agency');
CREATE INDEX IF NOT EXISTS cases_pending ON ${s}.cases (pending_work, next_attempt_at) WHERE pending_work <> 'none';
CREATE INDEX IF NOT EXISTS cases_agency ON ${s}.cases (agency_id, status);

-- One row per cut-off of a file agency: what goes in the file is fixed here before it is written,
-- so a crash between writing and recording re-writes the same file, not a second one.
CREATE TABLE IF NOT EXISTS ${s}.agency_batches (
  agency_id       text        NOT NULL,
  batch_id        text        NOT NULL,
  cutoff_at       timestamptz NOT NULL,
  case_ids        text[]      NOT NULL,
  recall_case_ids text[]      NOT NULL,
  status          text        NOT NULL CHECK (status IN ('pending', 'sent')),
  claim_count     integer,
  recall_count    integer,
  created_at      timestamptz NOT NULL,
  sent_at         timestamptz,
  PRIMARY KEY (agency_id, batch_id)
);

CREATE TABLE IF NOT EXISTS ${s}.reconciliation_runs (
  run_id        bigserial   PRIMARY KEY,
  agency_id     text        NOT NULL,
  ran_at        timestamptz NOT NULL,
  our_cases     integer     NOT NULL,
  agency_cases  integer     NOT NULL,
  discrepancies jsonb       NOT NULL,
  error         text
);
`;
}

/**
 * The hand-off request's W3C trace context on its case (added after the tables above, see
 * migration 1767225900000): the worker runs the case's later work under it.
 */
export function caseTraceContextSql(schema: string): string {
  return `ALTER TABLE ${quoteIdentifier(schema)}.cases ADD COLUMN IF NOT EXISTS traceparent text, ADD COLUMN IF NOT EXISTS tracestate text;`;
}
