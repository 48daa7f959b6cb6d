// Notifier statements per unit of work: the notifier as its own process (main.ts) on the simulated
// clock against a fresh database, fed invoice events and reminder requests in waves the way the
// main job feeds it, probed for quiescence every 50 ms like the simulator does. Counts the
// statements its database ran from pg_stat_statements (a diff of two snapshots, never a reset: other
// work shares the server) and prints them per delivery and per consumed input, with the top
// statements. Not a test: run it with
//
//   BENCH_CUSTOMERS=300 node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/notifier-statements.ts
import { Client } from 'pg';
import { INVOICING_SOURCE, type CloudEventLike } from '@dunning/contracts';
import { uniqueName, waitFor } from '@dunning/testing';
import { NotifierHarness, type ReminderChannel, type TestCustomer } from '../apps/notifier/test-support/notifier-process';
import { startKannel, startSmtpCapture } from '../apps/notifier/test-support/peers';

const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 300);
const PROBE_MS = 50;
/** BENCH_ONE_BY_ONE=1: each record produced after the last was acknowledged, so the consumers see small chunks. */
const ONE_BY_ONE = process.env['BENCH_ONE_BY_ONE'] === '1';

/** Runs the producing steps together (the consumers see large chunks) or one after the other. */
async function produceAll<T>(steps: readonly (() => Promise<T>)[]): Promise<T[]> {
  if (!ONE_BY_ONE) return Promise.all(steps.map((step) => step()));
  const out: T[] = [];
  for (const step of steps) out.push(await step());
  return out;
}
// Monday 6 April 2026, 10:00 in Stockholm: inside the weekday window.
const START = '2026-04-06T08:00:00.000Z';

interface Statement {
  readonly queryid: string;
  readonly calls: number;
  readonly ms: number;
  readonly query: string;
}

/** How often pg_stat_statements evicted entries (it keeps 5,000; other work shares the server): a diff is only whole if this did not move. */
async function evictions(): Promise<number> {
  const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await client.connect();
  try {
    return Number((await client.query<{ dealloc: string }>('SELECT dealloc::text AS dealloc FROM pg_stat_statements_info')).rows[0]?.dealloc ?? 0);
  } finally {
    await client.end();
  }
}

async function snapshot(database: string): Promise<Map<string, Statement>> {
  const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await client.connect();
  try {
    const { rows } = await client.query<{ queryid: string; calls: string; ms: number; query: string }>(
      `SELECT s.queryid::text AS queryid, s.calls::text AS calls, s.total_exec_time AS ms, s.query
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1`,
      [database],
    );
    const out = new Map<string, Statement>();
    for (const row of rows) {
      const prior = out.get(row.queryid);
      out.set(row.queryid, { queryid: row.queryid, calls: Number(row.calls) + (prior?.calls ?? 0), ms: row.ms + (prior?.ms ?? 0), query: row.query });
    }
    return out;
  } finally {
    await client.end();
  }
}

function diff(before: Map<string, Statement>, after: Map<string, Statement>): Statement[] {
  return [...after.values()]
    .map((s) => ({ ...s, calls: s.calls - (before.get(s.queryid)?.calls ?? 0), ms: s.ms - (before.get(s.queryid)?.ms ?? 0) }))
    .filter((s) => s.calls > 0)
    .sort((a, b) => b.calls - a.calls);
}

async function main(): Promise<void> {
  startSmtpCapture();
  startKannel();
  const harness = new NotifierHarness();
  await harness.setUp();
  const db = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${harness.database}` });
  let probing = true;
  let rounds = 0;
  try {
    const notifier = await harness.start({
      env: {
        DUNNING_CLOCK: 'simulated',
        DUNNING_CLOCK_START: START,
        NOTIFIER_POLL_MS: '50',
        NOTIFIER_CONTACT_CAP: '10',
        NOTIFIER_SMS_RECONCILE_GRACE_MS: '120000',
        NOTIFIER_LEASE_MS: '60000',
      },
    });
    await db.connect();
    // Who waits for a lock, and on whom: sampled with the probes (statement texts only, no values).
    const waits = new Map<string, number>();
    const locks = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await locks.connect();
    const probe = (async () => {
      while (probing) {
        const { rows } = await locks.query<{ waiting: string; holder: string }>(
          `SELECT w.query AS waiting, h.query AS holder FROM pg_stat_activity w JOIN pg_stat_activity h ON h.pid = ANY(pg_blocking_pids(w.pid))
            WHERE w.datname = $1 AND w.wait_event_type = 'Lock'`,
          [harness.database],
        );
        for (const row of rows) {
          const key = `${row.waiting.replace(/\s+/g, ' ').slice(0, 70)}  <=  ${row.holder.replace(/\s+/g, ' ').slice(0, 90)}`;
          waits.set(key, (waits.get(key) ?? 0) + 1);
        }
        await fetch(`${harness.baseUrl}/admin/quiescence`).catch(() => undefined);
        rounds += 1;
        await new Promise((r) => setTimeout(r, PROBE_MS));
      }
    })();
    const quiet = () =>
      waitFor(async () => ((rounds += 1), ((await (await fetch(`${harness.baseUrl}/admin/quiescence`)).json()) as { quiet: boolean }).quiet) || undefined, {
        timeoutMs: 120_000,
        description: 'quiescence',
      });
    await quiet();

    const run = uniqueName('b');
    const customers: TestCustomer[] = Array.from({ length: CUSTOMERS }, (_, i) => ({
      customerId: `${run}-c${i}`,
      name: `Kund ${i}`,
      email: `kund${i}.${run}@example.com`,
      phone: `+4670${String(1_000_000 + i).slice(-7)}`,
      postalAddress: { lines: [`Gatan ${i}`], postalCode: '11111', city: 'Stockholm', country: 'SE' },
    }));
    const invoiceOf = (i: number) => `${run}-INV${i}`;
    const channels: ReminderChannel[] = ['email', 'sms', 'email', 'letter'];
    const evictedBefore = await evictions();
    const before = await snapshot(harness.database);
    const started = Date.now();
    let inputs = 0;
    const invoiceEvent = (type: string, id: string, data: Record<string, unknown>): CloudEventLike =>
      ({ specversion: '1.0', id, source: INVOICING_SOURCE, type, time: START, data }) as CloudEventLike;

    // Wave 1: invoices open (customer profile with them).
    await produceAll(customers.map((c, i) => () => harness.openInvoice(c, invoiceOf(i), 'sv-SE', 'SE', 'SEK')));
    inputs += CUSTOMERS;
    await quiet();
    // Wave 2: profile updates, partial payments, some settled in full.
    await produceAll(
      customers.flatMap((c, i) => {
        const events = [
          () => harness.produce(harness.topics.invoices, invoiceEvent('invoicing.customer.updated.v1', `${c.customerId}-upd`, { customerId: c.customerId, customer: { type: 'consumer', locale: 'sv-SE', timeZone: 'Europe/Stockholm', country: 'SE', reachableChannels: ['sms', 'email'] } })),
          () => harness.produce(harness.topics.invoices, invoiceEvent('invoicing.payment.applied.v1', `${invoiceOf(i)}-pay`, { invoiceId: invoiceOf(i), customerId: c.customerId, paymentId: `${invoiceOf(i)}-p`, appliedAmount: { minor: 9_900, currency: 'SEK' }, remainingBalance: { minor: 40_000, currency: 'SEK' }, receivedAt: START, matchedBy: 'invoice-id' })),
        ];
        if (i % 5 === 0) events.push(() => harness.settleInvoice(c, invoiceOf(i)));
        return events;
      }),
    );
    inputs += CUSTOMERS * 2 + Math.ceil(CUSTOMERS / 5);
    await quiet();
    const afterInvoices = await snapshot(harness.database);
    const invoiceRounds = rounds;
    // Wave 3: one reminder per invoice (the settled ones are skipped at send time).
    const actions = await produceAll(customers.map((c, i) => () => harness.requestReminder(c, invoiceOf(i), channels[i % channels.length]!, 'sv-SE')));
    inputs += CUSTOMERS;
    await quiet();
    // SMS delivery reports come back from Kannel: wait for every delivery to reach its last state.
    await waitFor(
      async () => {
        const { rows } = await db.query<{ open: string }>(`SELECT count(*)::text AS open FROM notifier.deliveries WHERE state IN ('pending', 'sending') OR (state = 'sent' AND channel = 'sms')`);
        return rows[0]?.open === '0' || undefined;
      },
      { timeoutMs: 120_000, description: 'every delivery in its last state' },
    );
    await quiet();
    const seconds = (Date.now() - started) / 1000;
    probing = false;
    await probe;
    await locks.end();
    console.log(`lock waits seen by the sampler: ${[...waits.values()].reduce((a, b) => a + b, 0)}`);
    for (const [key, n] of waits) console.log(`  ${n}x ${key}`);
    const after = await snapshot(harness.database);
    const evicted = (await evictions()) - evictedBefore;
    const { rows: states } = await db.query<{ state: string; n: string }>(`SELECT state, count(*)::text AS n FROM notifier.deliveries GROUP BY state ORDER BY state`);
    const deliveries = actions.length;
    await harness.stop(notifier);

    const statements = diff(before, after);
    const count = (list: Statement[], which: (s: Statement) => boolean = () => true) => list.filter(which).reduce((sum, s) => sum + s.calls, 0);
    const begin = (s: Statement) => /^begin/i.test(s.query.trim());
    // The quiescence probe's statements (deliveries due, outbox pending, stored offsets for the lag) run
    // per probe, not per unit of work: counted apart, so the work figures do not depend on the run's length.
    const probeStatement = (s: Statement) => /AS due,|count\(\*\)::int AS pending FROM|AS outbox$|AS due_work|consumer_group = ANY/.test(s.query);
    const work = (s: Statement) => !probeStatement(s);
    const invoicePhase = diff(before, afterInvoices);
    const reminderPhase = diff(afterInvoices, after);
    const invoiceInputs = inputs - CUSTOMERS;
    console.log(`customers ${CUSTOMERS}, consumed inputs ${inputs} (${invoiceInputs} invoice events, ${CUSTOMERS} reminder requests), deliveries ${deliveries} (${states.map((r) => `${r.state} ${r.n}`).join(', ')}), ${seconds.toFixed(1)} s, ${rounds} probe rounds`);
    if (evicted > 0) console.log(`WARNING: pg_stat_statements evicted entries ${evicted} time(s) during the run: the counts below may be short; run again`);
    console.log(`all statements ${count(statements)} (BEGIN ${count(statements, begin)}), of them quiescence probe statements ${count(statements, probeStatement)} (${(count(statements, probeStatement) / rounds).toFixed(2)} per probe round)`);
    console.log(`work statements ${count(statements, work)}: per delivery ${(count(statements, work) / deliveries).toFixed(2)}, per consumed input ${(count(statements, work) / inputs).toFixed(2)}`);
    console.log(`  invoice events only: ${count(invoicePhase, work)} statements (BEGIN ${count(invoicePhase, begin)}) = ${(count(invoicePhase, work) / invoiceInputs).toFixed(2)} per invoice event (${invoiceRounds} probe rounds meanwhile)`);
    console.log(`  reminders → deliveries (accept, dispatch, send, DLR, outbox relay): ${count(reminderPhase, work)} statements (BEGIN ${count(reminderPhase, begin)}) = ${(count(reminderPhase, work) / deliveries).toFixed(2)} per delivery`);
    console.log('calls     ms  query');
    for (const s of statements.slice(0, 30)) console.log(`${String(s.calls).padStart(6)} ${s.ms.toFixed(0).padStart(6)}  ${s.query.replace(/\s+/g, ' ').slice(0, 150)}`);
  } finally {
    probing = false;
    await db.end().catch(() => undefined);
    await harness.tearDown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
