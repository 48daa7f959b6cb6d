// Statements per ingested billing event in invoicing: a month-like workload (every customer gets
// an invoice; most pay; some update their details, dispute, get a credit or a payment plan; a few
// records are redelivered or name an unknown invoice) driven through the real Kafka handler
// (billingEventsConsumer(...).handle with the real IngestBillingEvent) in chunks, each chunk one
// transaction with the consumer's own statements (offset lock/store, BEGIN/COMMIT) as
// libs/messaging runs them, against a fresh database. Counted twice: by a wrapping client, and
// as the pg_stat_statements diff of that database. Prints a fingerprint of the resulting state
// (streams, outbox per key, read models, inbox, dead letters) so two code versions can be
// compared on behaviour as well. Not a test: run it with
//
//   BENCH_CUSTOMERS=500 BENCH_CHUNK=25 node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/invoicing-ingest-statements.ts
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { Client } from 'pg';
import { withTransaction } from '@dunning/event-store';
import { OffsetStore, type ConsumedEvent, type KafkaRecord } from '@dunning/messaging';
import { withPostgresAdmin } from '@dunning/testing';
import { context as otelContext } from '@opentelemetry/api';
import { decodeBillingKafkaRecord, type BillingRecord } from '../apps/invoicing/src/ingesting-billing-events/kafka-consumer';
import { billingConsumerOf, dropDatabase, startInvoicing } from '../apps/invoicing/src/testing/harness';
import {
  customerUpdated,
  disputeResolved,
  invoiceCredited,
  invoiceDisputed,
  invoiceIssued,
  paymentPlanAgreed,
  paymentReceived,
  type CanaryCustomer,
  type CloudEventJson,
} from '../apps/invoicing/src/testing/fixtures';

const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 500);
const CHUNK = Math.max(1, Number(process.env['BENCH_CHUNK'] ?? 25));
const KEEP = process.env['BENCH_KEEP_DB'] === '1';

/** A small deterministic PRNG, so every run ingests the same records in the same order. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function workload(customers: number): CloudEventJson[] {
  const random = prng(42);
  let next = 0;
  const withId = (event: CloudEventJson): CloudEventJson => ({ ...event, id: `evt-${String(++next).padStart(7, '0')}` });
  const people: CanaryCustomer[] = Array.from({ length: customers }, (_, i) => {
    const tag = String(i).padStart(6, '0');
    return { customerId: `cust-${tag}`, name: `Bench Person ${tag}`, email: `bench.${tag}@example.org`, phone: `+4670${tag}00`, street: `Benchgatan ${i}` };
  });
  // Per customer, its events in order; then interleaved at random across customers (a key's order kept).
  const perCustomer = people.map((c, i): CloudEventJson[] => {
    const events: CloudEventJson[] = [];
    const inv = `INV-${c.customerId}-1`;
    events.push(withId(invoiceIssued(c, inv, 10_000 + i)));
    const roll = random();
    if (roll < 0.05) events.push(withId(customerUpdated(c.customerId, { email: `new.${c.email}` })));
    else if (roll < 0.1) events.push(withId(customerUpdated(c.customerId, { name: c.name })));
    if (random() < 0.05) {
      events.push(withId(invoiceDisputed(c.customerId, inv, { reason: `wrong amount says ${c.name}` })));
      events.push(withId(disputeResolved(c.customerId, inv, 'rejected')));
    }
    if (random() < 0.04) events.push(withId(invoiceCredited(c.customerId, `CN-${c.customerId}`, inv, 1_000, { reason: 'goodwill' })));
    if (random() < 0.03) events.push(withId(paymentPlanAgreed(c.customerId, `PLAN-${c.customerId}`, inv, [['2026-04-30', 4_000], ['2026-05-31', 4_000]])));
    else if (random() < 0.9) {
      const payment = withId(paymentReceived(c.customerId, `PAY-${c.customerId}`, 4_000, { invoiceId: inv }));
      events.push(payment);
      if (random() < 0.03) events.push(payment); // redelivered
    }
    if (random() < 0.02) events.push(withId(paymentReceived(c.customerId, `PAY-${c.customerId}-x`, 500, { invoiceId: `INV-${c.customerId}-later` }))); // held
    if (random() < 0.01) events.push(withId(paymentReceived(c.customerId, `PAY-${c.customerId}-f`, 500, { invoiceId: `INV-${people[(i + 1) % customers]!.customerId}-1` }))); // another's invoice
    if (random() < 0.3) events.push(withId(invoiceIssued(c, `INV-${c.customerId}-2`, 5_000)));
    return events;
  });
  const out: CloudEventJson[] = [];
  const cursors = perCustomer.map(() => 0);
  let open = perCustomer.map((_, i) => i);
  while (open.length > 0) {
    const pick = Math.floor(random() * open.length);
    const c = open[pick]!;
    out.push(perCustomer[c]![cursors[c]!]!);
    cursors[c]!++;
    if (cursors[c]! >= perCustomer[c]!.length) open = open.filter((x) => x !== c);
  }
  return out;
}

/** Calls per statement text in `database` (pg_stat_statements is never reset: diff two snapshots). */
async function statementCalls(database: string): Promise<Map<string, number>> {
  const { rows } = await withPostgresAdmin((admin) =>
    admin.query<{ query: string; calls: string }>(
      `SELECT s.query, sum(s.calls)::text AS calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 GROUP BY s.query`,
      [database],
    ),
  );
  const calls = new Map<string, number>();
  for (const row of rows) {
    const text = row.query.replace(/\s+/g, ' ').slice(0, 110);
    calls.set(text, (calls.get(text) ?? 0) + Number(row.calls));
  }
  return calls;
}

function diffCalls(before: Map<string, number>, after: Map<string, number>): [string, number][] {
  const diff = new Map<string, number>();
  for (const [query, calls] of after) {
    const delta = calls - (before.get(query) ?? 0);
    if (delta > 0) diff.set(query, (diff.get(query) ?? 0) + delta);
  }
  return [...diff].sort((a, b) => b[1] - a[1]);
}

async function fingerprint(db: { query: Client['query'] }, schema: string): Promise<Record<string, string>> {
  const digest = async (sql: string): Promise<string> => {
    const { rows } = await db.query(sql);
    if (process.env['BENCH_DUMP']) appendFileSync(process.env['BENCH_DUMP'], `${sql}\n${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
    return `${rows.length} rows ${createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 12)}`;
  };
  const s = `"${schema}"`;
  return {
    streams: await digest(`SELECT stream_id, version FROM ${s}.streams ORDER BY stream_id`),
    events: await digest(`SELECT stream_id, stream_version, event_type, data - 'contact' - 'reason' - 'holdId' - 'heldAt' AS data FROM ${s}.events ORDER BY stream_id, stream_version`),
    outboxPerKey: await digest(
      `SELECT regexp_replace(topic, '^[^.]*[.]', '') AS topic, message_key, array_agg(headers->>'ce_type' ORDER BY position) AS types FROM ${s}.outbox GROUP BY topic, message_key ORDER BY 1, 2`,
    ),
    invoices: await digest(`SELECT * FROM ${s}.invoices ORDER BY invoice_id`),
    deadlines: await digest(`SELECT customer_id, due_at FROM ${s}.account_deadlines ORDER BY customer_id`),
    held: await digest(`SELECT customer_id, invoice_id FROM ${s}.held_events ORDER BY customer_id, invoice_id`),
    contacts: await digest(`SELECT customer_id, (key_id = (SELECT key_id FROM ${s}.customer_keys k WHERE k.customer_id = c.customer_id)) AS current_key FROM ${s}.customer_contacts c ORDER BY customer_id`),
    keys: await digest(`SELECT customer_id, key_material IS NOT NULL AS live FROM ${s}.customer_keys ORDER BY customer_id`),
    inbox: await digest(`SELECT consumer, message_id FROM ${s}.inbox ORDER BY consumer, message_id`),
    deadLetters: await digest(`SELECT channel, kafka_offset, event_id, code FROM ${s}.dead_letters ORDER BY id`),
  };
}

async function main(): Promise<void> {
  const service = await startInvoicing({ background: false });
  const { config, database } = service;
  // A fixed instant: the state (hold expiries, deadlines, timestamps) is then the same on every run.
  service.clock.now = () => new Date('2026-03-15T12:00:00Z');
  try {
    const records: KafkaRecord[] = workload(CUSTOMERS).map((event, i) => ({
      topic: config.topics.billingEvents,
      partition: 0,
      offset: String(i),
      key: event.data.customerId,
      value: Buffer.from(JSON.stringify(event)),
      headers: { 'content-type': 'application/cloudevents+json' },
      timestamp: '0',
    }));
    const consumer = billingConsumerOf(service);
    const offsets = new OffsetStore(config.schema);
    const ref = { groupId: config.consumerGroups.billing, topic: config.topics.billingEvents, partition: 0 };
    const pool = service.db;
    let counted = 0;
    let chunks = 0;
    let rejected = 0;
    const before = await statementCalls(database);
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (let start = 0; start < records.length; start += CHUNK) {
      const chunk = records.slice(start, start + CHUNK);
      const events: ConsumedEvent<BillingRecord>[] = chunk.map((record) => ({ ...record, value: decodeBillingKafkaRecord(record).value, traceContext: otelContext.active() }));
      counted += 2; // BEGIN, COMMIT
      await withTransaction(pool, async (tx) => {
        const counting = { query: (text: string, values?: unknown[]) => ((counted += 1), tx.query(text, values)) } as typeof tx;
        await offsets.lock(counting, ref);
        const result = await consumer.handle(events, counting, { mode: 'live', groupId: ref.groupId, topic: ref.topic, partition: 0, heartbeat: async () => undefined });
        rejected += result?.rejected?.length ?? 0;
        await offsets.store(counting, ref, BigInt(chunk.at(-1)!.offset));
      });
      chunks++;
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const diff = diffCalls(before, await statementCalls(database));
    const total = diff.reduce((sum, [, calls]) => sum + calls, 0);
    const n = records.length;
    console.log(`invoicing ingest: ${n} billing records, ${CUSTOMERS} customers, ${chunks} chunks of <= ${CHUNK}, ${rejected} rejected, ${seconds.toFixed(1)} s wall, ${((used.user + used.system) / 1000).toFixed(0)} ms CPU in this process`);
    console.log(`  counted by the wrapping client: ${counted} statements = ${(counted / n).toFixed(2)} per record (incl. 4 per chunk: BEGIN, offset lock, offset store, COMMIT)`);
    console.log(`  pg_stat_statements diff:        ${total} statements = ${(total / n).toFixed(2)} per record`);
    for (const [query, calls] of diff) console.log(`    ${String(calls).padStart(6)}  ${(calls / n).toFixed(2)}  ${query}`);
    const print = await fingerprint(pool as unknown as Client, config.schema);
    for (const [name, value] of Object.entries(print)) console.log(`  ${name.padEnd(13)} ${value}`);
  } finally {
    await service.stop();
    if (!KEEP) await dropDatabase(database);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
