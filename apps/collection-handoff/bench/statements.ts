// Statements collection-handoff sends to PostgreSQL: per idle second, per quiet clock move (one
// simulated day, as the simulator does) and per consumed invoicing event. It boots the whole
// service (simulated clock, the main job's agencies: one API agency, one file agency with a daily
// cut-off) against a fresh database and fresh topics, and diffs pg_stat_statements for that
// database (never resets it: other people read it). The bench's own probes carry `bench-probe`
// and are left out.
//
//   node -r ts-node/register/transpile-only -r tsconfig-paths/register apps/collection-handoff/bench/statements.ts
//   BENCH_WORKER_POLL_MS (50, the main job's value before; 1000 after), BENCH_IDLE_S (10), BENCH_DAYS (5), BENCH_CUSTOMERS (300)
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import type { InvoicingEvent } from '@dunning/contracts';
import { kafkaBrokers, waitFor } from '@dunning/testing';
import { CollectionHandoffModule } from '../src/collection-handoff.module';
import type { CollectionConfig } from '../src/config';
import { invoiceOpened, paymentApplied, TEST_DATABASE_URL } from '../test-support/postgres';
import { collectionTestBed } from '../test-support/test-bed';

const pollMs = Number(process.env['BENCH_WORKER_POLL_MS'] ?? 50);
const idleSeconds = Number(process.env['BENCH_IDLE_S'] ?? 10);
const days = Number(process.env['BENCH_DAYS'] ?? 5);
const customers = Number(process.env['BENCH_CUSTOMERS'] ?? 300);
const START = '2026-05-11T10:00:00.000Z';

const customerUpdated = (customerId: string, n: number): InvoicingEvent =>
  ({
    specversion: '1.0',
    id: `cu-${customerId}-${n}`,
    source: 'urn:dunning:invoicing',
    type: 'invoicing.customer.updated.v1',
    time: START,
    data: { customerId, updatedAt: START, customer: { type: 'consumer', locale: 'sv-SE', timeZone: 'Europe/Stockholm', country: 'SE', reachableChannels: ['sms'] } },
  }) as unknown as InvoicingEvent;

async function main(): Promise<void> {
  const bed = collectionTestBed('collbench', 'coll_bench');
  const { dropDir } = await bed.setUp();
  const database = new URL(bed.databaseUrl).pathname.slice(1);
  const stats = new Client({ connectionString: Object.assign(new URL(TEST_DATABASE_URL), { pathname: '/postgres' }).toString() });
  await stats.connect();
  const probe = new Client({ connectionString: bed.databaseUrl });
  await probe.connect();
  let app: INestApplication | undefined;
  try {
    const config: CollectionConfig = {
      service: { serviceName: 'collection-handoff', kafkaBrokers: kafkaBrokers(), databaseUrl: bed.databaseUrl, httpHost: '127.0.0.1', httpPort: 0 },
      schema: 'collection',
      topics: bed.topics,
      consumerGroups: { invoices: `${bed.run}.g.invoices`, actions: `${bed.run}.g.actions` },
      agencies: [
        { agencyId: 'inkasso-se', countries: ['SE'], channel: 'api', daysToPay: 10, api: { baseUrl: 'http://127.0.0.1:9/never-called', timeoutMs: 1_000, maxAttempts: 1 } },
        {
          agencyId: 'inkasso-de',
          countries: ['DE', '*'],
          channel: 'batch',
          daysToPay: 14,
          creditor: { name: 'Telco GmbH', address: 'Beispielstraße 1, 10115 Berlin', registrationId: 'HRB 1' },
          batch: { dropDir, cutoff: { dailyAtUtc: '16:00' } },
        },
      ],
      runBackgroundWork: true,
      workerPollMs: pollMs,
      maxWaitForInvoiceMs: 24 * 3_600_000,
      recheckAfterMs: 30_000,
      reconciliationDailyAtUtc: '03:00',
      clock: { mode: 'simulated', start: new Date(START) },
      secrets: {},
    };
    app = await NestFactory.create(CollectionHandoffModule.forRoot(config), { logger: ['error', 'warn'] });
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const quiet = () => waitFor(async () => ((await (await fetch(`${url}/admin/quiescence`)).json()) as { quiet: boolean }).quiet || undefined, { timeoutMs: 60_000, description: 'quiet' });
    await quiet();

    const snapshot = async (): Promise<Map<string, number>> => {
      const { rows } = await stats.query<{ query: string; calls: string }>(
        `SELECT s.query, sum(s.calls)::text AS calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
          WHERE d.datname = $1 AND s.query NOT LIKE '%bench-probe%' GROUP BY s.query`,
        [database],
      );
      return new Map(rows.map((r) => [r.query, Number(r.calls)]));
    };
    const diff = (before: Map<string, number>, after: Map<string, number>): { total: number; top: [string, number][] } => {
      const changes: [string, number][] = [...after].map(([q, n]) => [q, n - (before.get(q) ?? 0)] as [string, number]).filter(([, n]) => n > 0);
      changes.sort((a, b) => b[1] - a[1]);
      return { total: changes.reduce((s, [, n]) => s + n, 0), top: changes.slice(0, Number(process.env["BENCH_TOP"] ?? 8)) };
    };
    const show = (label: string, d: { total: number; top: [string, number][] }, per: number, unit: string): void => {
      console.log(`\n${label}: ${d.total} statements = ${(d.total / per).toFixed(2)} per ${unit}`);
      for (const [q, n] of d.top) console.log(`  ${String(n).padStart(6)}  ${q.replace(/\s+/g, ' ').slice(0, 150)}`);
    };

    // 1. Idle: nothing to do, nothing arrives.
    let before = await snapshot();
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1_000));
    show(`idle ${idleSeconds} s (worker poll ${pollMs} ms)`, diff(before, await snapshot()), idleSeconds, 'idle second');

    // 2. Quiet clock moves: one simulated day each (each crosses the file agency's 16:00 cut-off).
    before = await snapshot();
    let now = Date.parse(START);
    const moveStarted = Date.now();
    for (let day = 0; day < days; day++) {
      now += 86_400_000;
      const answer = await fetch(`${url}/admin/clock`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now: new Date(now).toISOString() }) });
      if (answer.status !== 200) throw new Error(`clock move answered ${answer.status}`);
    }
    const moveMs = Date.now() - moveStarted;
    show(`${days} clock moves of a day (${moveMs} ms wall, idle polling included)`, diff(before, await snapshot()), days, 'clock move');

    // 2b. The simulator's quiescence probe, asked every round of its quiet wait.
    const probes = 50;
    before = await snapshot();
    for (let i = 0; i < probes; i++) await fetch(`${url}/admin/quiescence`);
    const probeDiff = diff(before, await snapshot());
    show(`${probes} quiescence probes (idle polling included)`, probeDiff, probes, 'probe');

    // 3. Invoicing events: per customer a profile, an invoice, a part payment, a settling payment.
    const events: InvoicingEvent[] = [];
    for (let c = 0; c < customers; c++) {
      const customerId = `cust-${c}`;
      const invoiceId = `inv-${c}`;
      events.push(customerUpdated(customerId, c), invoiceOpened(invoiceId, customerId), paymentApplied(invoiceId, customerId, 9_900, 20_000), paymentApplied(invoiceId, customerId, 20_000, 0));
    }
    before = await snapshot();
    const consumeStarted = Date.now();
    for (let i = 0; i < events.length; i += 500) await bed.send(bed.topics.invoices, events.slice(i, i + 500));
    const offsets = await waitFor(
      async () => {
        const { rows } = await probe.query<{ n: string }>(`SELECT /* bench-probe */ coalesce(sum(last_offset + 1), 0)::text AS n FROM collection.consumer_offsets WHERE topic = $1`, [bed.topics.invoices]);
        return Number(rows[0]?.n ?? 0) >= events.length ? rows[0]?.n : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 20, description: 'the invoicing events to be consumed' },
    );
    const consumeMs = Date.now() - consumeStarted;
    const consumed = diff(before, await snapshot());
    show(`${events.length} invoicing events (${customers} customers; offsets ${offsets}; ${consumeMs} ms wall, idle polling included)`, consumed, events.length, 'event');
    // 4. The same in a trickle: one customer's four events at a time, each consumed before the next
    // (small chunks, where the per-chunk costs of the consumer's transaction dominate).
    const trickle = Math.min(50, customers);
    const consumedSoFar = events.length;
    before = await snapshot();
    for (let c = 0; c < trickle; c++) {
      const customerId = `trickle-${c}`;
      const invoiceId = `inv-trickle-${c}`;
      await bed.send(bed.topics.invoices, [customerUpdated(customerId, c), invoiceOpened(invoiceId, customerId), paymentApplied(invoiceId, customerId, 9_900, 20_000), paymentApplied(invoiceId, customerId, 20_000, 0)]);
      await waitFor(
        async () => {
          const { rows } = await probe.query<{ n: string }>(`SELECT /* bench-probe */ coalesce(sum(last_offset + 1), 0)::text AS n FROM collection.consumer_offsets WHERE topic = $1`, [bed.topics.invoices]);
          return Number(rows[0]?.n ?? 0) >= consumedSoFar + 4 * (c + 1) || undefined;
        },
        { timeoutMs: 60_000, intervalMs: 5, description: 'the trickle to be consumed' },
      );
    }
    show(`${trickle * 4} invoicing events in a trickle of ${trickle} sends (idle polling included)`, diff(before, await snapshot()), trickle * 4, 'event');
    const projected = await probe.query<{ n: string }>(`SELECT /* bench-probe */ count(*)::text AS n FROM collection.invoice_projection WHERE view->>'status' = 'settled'`);
    console.log(`\nsettled invoices in the projection: ${projected.rows[0]?.n} of ${customers + trickle}`);
  } finally {
    await probe.end();
    await stats.end();
    await bed.tearDown(app);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
