// Statements per consumed input and per timer firing in the dunning orchestrator. Drives a few
// months of N customers (invoices opened, scores, payments, second invoices of some customers)
// through the service's own handler (caseProjector over CaseProcessor) and its TimerPoller, against
// a fresh database with the service's migrations, and counts every statement sent through a
// wrapping pool. The handler runs in chunks inside one transaction each, as the consumer runs it
// (the consumer's own BEGIN / offset / COMMIT statements are not counted: they are the library's).
// Not a test: run it with
//
//   BENCH_CUSTOMERS=300 node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/orchestrator-statements.ts
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { EventStore } from '@dunning/event-store';
import type { ConsumedEvent, SqlClient, SqlPool } from '@dunning/messaging';
import { createDatabase, dropDatabase, postgresDatabaseUrl, withPostgresAdmin } from '@dunning/testing';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Clock } from '../apps/dunning-orchestrator/src/clock/clock';
import { CaseProcessor } from '../apps/dunning-orchestrator/src/cases/case-processor';
import { caseProjector, inputDecoder } from '../apps/dunning-orchestrator/src/cases/case-projector';
import { DunningGateway } from '../apps/dunning-orchestrator/src/cases/dunning-gateway';
import type { OrchestratorInputEvent } from '../apps/dunning-orchestrator/src/cases/input-mapping';
import { DateHolidaysCalendar, parsePolicy } from '../apps/dunning-orchestrator/src/domain';
import { migrations } from '../apps/dunning-orchestrator/src/migrations';
import { observedPool } from '../apps/dunning-orchestrator/src/test-support/observed-pool';
import { inputRecord, invoiceOpened, paidInFull, scoreComputed, type InputRecord } from '../apps/dunning-orchestrator/src/test-support/orchestrator-inputs';
import { TimerPoller } from '../apps/dunning-orchestrator/src/timers/timer-poller';

const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 300);
const CHUNK = Number(process.env['BENCH_CHUNK'] ?? 20);
const POLICY = process.env['BENCH_POLICY'] ?? 'policies/main-job.yaml';
const DATABASE = `dunning_bench_orch_${process.pid}`;
const databaseUrl = postgresDatabaseUrl(DATABASE);
const topics = { invoices: 'b-invoices', scores: 'b-scores', deliveries: 'b-deliveries', collectionCases: 'b-collection', actions: 'b-actions' };

/** Counts statements by their first words (the shape), so the report says which ones ran. */
class Counter {
  total = 0;
  readonly byShape = new Map<string, number>();
  count(text: string): void {
    this.total++;
    const shape = text.replace(/\s+/g, ' ').trim().slice(0, 70);
    this.byShape.set(shape, (this.byShape.get(shape) ?? 0) + 1);
  }
  reset(): void {
    this.total = 0;
    this.byShape.clear();
  }
}

function counting(pool: Pool, counter: Counter): SqlPool {
  return observedPool(pool, (text, run) => {
    counter.count(text);
    return run();
  });
}


/** A second invoice of customer n (so that cases have siblings), opened on 2026-03-15. */
function secondInvoice(n: number): InputRecord {
  const amount = { minor: 29_900, currency: 'SEK' };
  return inputRecord('invoicing.invoice.opened.v1', `opened-${n}-2`, '2026-03-15T10:00:00Z', {
    invoiceId: `invoice-${n}-2`,
    customerId: `customer-${n}`,
    issuedAt: '2026-03-15T10:00:00Z',
    dueDate: '2026-04-14',
    amount,
    balance: amount,
    customer: { type: 'consumer', locale: 'sv-SE', timeZone: 'Europe/Stockholm', country: 'SE', reachableChannels: ['sms', 'email'] },
  });
}

async function main(): Promise<void> {
  await dropDatabase(DATABASE);
  await createDatabase(DATABASE);
  const source = new DataSource({ type: 'postgres', url: databaseUrl, migrations, migrationsRun: false, logging: false });
  await source.initialize();
  await source.runMigrations({ transaction: 'each' });
  await source.destroy();

  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  const counter = new Counter();
  const sql = counting(pool, counter);
  const policy = parsePolicy(readFileSync(path.join(__dirname, '../apps/dunning-orchestrator', POLICY), 'utf8'));
  const processor = new CaseProcessor({ eventStore: new EventStore({ schema: 'orchestrator' }), schema: 'orchestrator', gateway: new DunningGateway(topics.actions), policy, calendar: new DateHolidaysCalendar() });
  let current = new Date('2026-03-01T10:00:00Z');
  const clock: Clock = { now: () => current };
  const handle = caseProjector(processor, clock);
  const decode = inputDecoder(topics);
  const poller = new TimerPoller({ pool: sql, processor, clock, schema: 'orchestrator', intervalMs: 60_000 });

  let offset = 0;
  let inputs = 0;
  let chunks = 0;
  let handlerStatements = 0;
  const handlerShapes = new Map<string, number>();
  const consume = async (topic: string, records: readonly InputRecord[]): Promise<void> => {
    for (let i = 0; i < records.length; i += CHUNK) {
      const events: ConsumedEvent<OrchestratorInputEvent>[] = records.slice(i, i + CHUNK).map((record) => {
        const kafkaRecord = { topic, partition: 0, offset: String(offset++), key: record.key, value: record.value, headers: record.headers as Record<string, string>, timestamp: '0' };
        const decoded = decode(kafkaRecord);
        if (!decoded.ok || !('value' in decoded)) throw new Error(`bench record did not decode: ${JSON.stringify(decoded)}`);
        return { ...kafkaRecord, value: decoded.value, traceContext: ROOT_CONTEXT };
      });
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        counter.reset();
        const tx: SqlClient = {
          query: ((text: string, values?: unknown[]) => {
            counter.count(text);
            return client.query(text, values);
          }) as SqlClient['query'],
        };
        await handle(events, tx, { mode: 'live', groupId: 'bench', topic, partition: 0, heartbeat: async () => undefined });
        handlerStatements += counter.total;
        for (const [shape, n] of counter.byShape) handlerShapes.set(shape, (handlerShapes.get(shape) ?? 0) + n);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
      inputs += events.length;
      chunks++;
    }
  };

  let firings = 0;
  let pollerStatements = 0;
  let polls = 0;
  const pollerShapes = new Map<string, number>();
  const fireDue = async (): Promise<void> => {
    counter.reset();
    firings += await poller.fireDue();
    polls++;
    pollerStatements += counter.total;
    for (const [shape, n] of counter.byShape) pollerShapes.set(shape, (pollerShapes.get(shape) ?? 0) + n);
  };

  // A second count, by the server: pg_stat_statements (where enabled) for this database, diffed
  // around the workload (never reset: others use it).
  const serverCalls = (): Promise<{ calls: number; ms: number } | undefined> =>
    withPostgresAdmin(async (admin) => {
      try {
        const { rows } = await admin.query<{ calls: string | null; ms: number | null }>(
          `SELECT sum(s.calls)::text AS calls, sum(s.total_exec_time)::float8 AS ms FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1`,
          [DATABASE],
        );
        return { calls: Number(rows[0]?.calls ?? 0), ms: rows[0]?.ms ?? 0 };
      } catch {
        return undefined;
      }
    });
  const serverBefore = await serverCalls();
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const started = Date.now();
  await consume(topics.invoices, range(CUSTOMERS).map((n) => invoiceOpened(n)));
  current = new Date('2026-03-02T10:00:00Z');
  await consume(topics.scores, range(CUSTOMERS).map((n) => scoreComputed(n)));
  // Idle polls: nothing due yet.
  let idleStatements = 0;
  for (let i = 0; i < 20; i++) {
    counter.reset();
    await poller.fireDue();
    idleStatements += counter.total;
  }
  for (let day = Date.parse('2026-03-03T09:00:00Z'); day <= Date.parse('2026-05-20T09:00:00Z'); day += 86_400_000) {
    const today = new Date(day);
    current = today;
    await fireDue();
    const iso = today.toISOString().slice(0, 10);
    if (iso === '2026-03-15') await consume(topics.invoices, range(CUSTOMERS).filter((n) => n % 4 === 0).map(secondInvoice));
    if (iso === '2026-03-25') await consume(topics.invoices, range(CUSTOMERS).filter((n) => n % 3 === 0).map((n) => paidInFull(n, today.toISOString())));
    if (iso === '2026-04-10') await consume(topics.invoices, range(CUSTOMERS).filter((n) => n % 3 === 1).map((n) => paidInFull(n, today.toISOString())));
    await fireDue();
  }
  const seconds = (Date.now() - started) / 1000;
  const serverAfter = await serverCalls();

  const check = await pool.query<{ events: string; outbox: string; fired: string; pending: string }>(
    `SELECT (SELECT count(*) FROM orchestrator.events) AS events, (SELECT count(*) FROM orchestrator.outbox) AS outbox,
            (SELECT count(*) FROM orchestrator.timers WHERE status = 'fired') AS fired, (SELECT count(*) FROM orchestrator.timers WHERE status = 'pending') AS pending`,
  );
  // A fingerprint of everything the run decided (not ids or wall-clock times): equal before and after a change = same behaviour.
  const fingerprint = await pool.query<{ cases: string; timers: string; events: string; outbox: string; customers: string }>(
    `SELECT (SELECT md5(string_agg(concat_ws('|', case_id, customer_id, status, stream_version, state::text), ',' ORDER BY case_id)) FROM orchestrator.cases) AS cases,
            (SELECT md5(string_agg(concat_ws('|', timer_id, case_id, fire_at, purpose, status, fired_at, fire_count), ',' ORDER BY timer_id)) FROM orchestrator.timers) AS timers,
            (SELECT md5(string_agg(concat_ws('|', stream_id, stream_version, event_type, data::text), ',' ORDER BY stream_id, stream_version)) FROM orchestrator.events) AS events,
            (SELECT md5(string_agg(concat_ws('|', topic, message_key, message_id, encode(payload, 'hex')), ',' ORDER BY message_key, position)) FROM orchestrator.outbox) AS outbox,
            (SELECT md5(string_agg(concat_ws('|', customer_id, payment_dates::text, terminated_at), ',' ORDER BY customer_id)) FROM orchestrator.customers) AS customers`,
  );
  const top = (shapes: Map<string, number>, per: number) =>
    [...shapes.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([shape, n]) => `  ${(n / per).toFixed(2).padStart(6)}  ${n.toString().padStart(6)}  ${shape}`)
      .join('\n');
  console.log(`customers ${CUSTOMERS}, chunk ${CHUNK}, policy ${POLICY}, ${seconds.toFixed(1)} s`);
  console.log(`result: ${JSON.stringify(check.rows[0])}`);
  console.log(`fingerprint: ${JSON.stringify(fingerprint.rows[0])}`);
  console.log(`inputs ${inputs}: ${handlerStatements} handler statements = ${(handlerStatements / inputs).toFixed(2)} per input`);
  console.log(top(handlerShapes, inputs));
  console.log(`timer firings ${firings} in ${polls} polls: ${pollerStatements} statements = ${(pollerStatements / Math.max(1, firings)).toFixed(2)} per firing (incl. BEGIN/COMMIT and empty polls)`);
  console.log(top(pollerShapes, Math.max(1, firings)));
  console.log(`idle poll (nothing due): ${(idleStatements / 20).toFixed(2)} statements`);
  if (serverBefore !== undefined && serverAfter !== undefined) {
    // The client count plus the bench's own BEGIN/COMMIT around each chunk.
    console.log(`pg_stat_statements in ${DATABASE} during the workload: ${serverAfter.calls - serverBefore.calls} calls, ${(serverAfter.ms - serverBefore.ms).toFixed(0)} ms executing (client-side count incl. the chunks' BEGIN/COMMIT: ${handlerStatements + pollerStatements + idleStatements + 2 * chunks})`);
  }
  await pool.end();
  await dropDatabase(DATABASE);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
