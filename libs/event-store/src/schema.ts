const schemaNamePattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Schema names end up inside SQL text (identifiers cannot be bound as parameters), so only plain
 * lower-case identifiers are accepted; anything else is a programming error caught at start-up.
 */
export function assertSchemaName(schema: string): string {
  if (!schemaNamePattern.test(schema)) {
    throw new Error(`Invalid event-store schema name "${schema}": use lower-case letters, digits and _ (max 63)`);
  }
  return schema;
}

/** The schema name, validated and double-quoted, ready to prefix a table name. */
export function qualified(schema: string): string {
  return `"${assertSchemaName(schema)}"`;
}

/**
 * DDL of the event store, outbox and inbox in `schema`. Idempotent (IF NOT EXISTS), so running it
 * twice, or from two app instances starting at once under TypeORM's migration lock, is harmless.
 *
 * - `streams` holds each stream's current version and the id of the transaction that last
 *   appended to it: its row lock serialises appenders of one stream, and the transaction id lets
 *   an append refuse to break the log order (see docs/event-store.md, "Why the order holds").
 * - `events.transaction_id` and `outbox.transaction_id` record the writing transaction
 *   (`pg_current_xact_id()`); readers order by (transaction_id, position) and only read below
 *   `pg_snapshot_xmin(pg_current_snapshot())`, so a slow transaction is never skipped.
 * - `outbox_key_order` does for outbox message keys what `streams` does for streams.
 */
export function eventStoreSchemaSql(schema: string): string {
  const s = qualified(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.streams (
  stream_id           text    PRIMARY KEY,
  version             integer NOT NULL CHECK (version > 0),
  last_transaction_id xid8    NOT NULL
);

CREATE TABLE IF NOT EXISTS ${s}.events (
  global_position bigserial   PRIMARY KEY,
  stream_id       text        NOT NULL,
  stream_version  integer     NOT NULL CHECK (stream_version > 0),
  event_id        uuid        NOT NULL UNIQUE,
  event_type      text        NOT NULL,
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  recorded_at     timestamptz NOT NULL,
  transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
  CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS events_log_order ON ${s}.events (transaction_id, global_position);

CREATE TABLE IF NOT EXISTS ${s}.outbox (
  position       bigserial   PRIMARY KEY,
  transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
  topic          text        NOT NULL,
  message_key    text,
  message_id     text        NOT NULL,
  payload        bytea       NOT NULL,
  headers        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at     timestamptz NOT NULL,
  published_at   timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON ${s}.outbox (transaction_id, position) WHERE published_at IS NULL;

CREATE TABLE IF NOT EXISTS ${s}.outbox_key_order (
  topic               text NOT NULL,
  message_key         text NOT NULL,
  last_transaction_id xid8 NOT NULL,
  PRIMARY KEY (topic, message_key)
);

CREATE TABLE IF NOT EXISTS ${s}.inbox (
  consumer     text        NOT NULL,
  message_id   text        NOT NULL,
  processed_at timestamptz NOT NULL,
  PRIMARY KEY (consumer, message_id)
);
`;
}

/** Reverses {@link eventStoreSchemaSql}: drops the tables (and the schema if it is left empty). */
export function dropEventStoreSchemaSql(schema: string): string {
  const s = qualified(schema);
  return `
DROP TABLE IF EXISTS ${s}.inbox, ${s}.outbox_key_order, ${s}.outbox, ${s}.events, ${s}.streams;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${assertSchemaName(schema)}') THEN
    EXECUTE 'DROP SCHEMA IF EXISTS ${s}';
  END IF;
END $$;
`;
}
