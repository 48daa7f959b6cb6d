import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DunningEvent } from '@dunning/contracts';
import { Client } from 'pg';
import { kafkaBrokers, readTopicWithKcat, waitFor } from '@dunning/testing';
import { CollectionHandoffModule } from './collection-handoff.module';
import type { CollectionConfig } from './config';
import { ReconciliationJob } from './reconciling/reconciliation-job';
import { handoffIdFor } from './ids';
import { invoiceOpened, paymentApplied } from '../test-support/postgres';
import { collectionTestBed } from '../test-support/test-bed';
import { ensureWireMock } from '../test-support/wiremock';

// The whole service against the real broker, PostgreSQL, the WireMock agency and a drop folder:
// hand-off requests and invoice events in from Kafka, claims out to the agencies, recalls on
// payment, agency callbacks over HTTP (out of order, duplicated), events out on collection.cases.v1.

const SPEED = 30; // the service's clock runs 30× faster, so the one-minute cut-off comes every 2 s
const start = Date.now();
const base = Date.parse('2026-05-10T06:00:00Z');
const clock = () => new Date(base + (Date.now() - start) * SPEED);

function handoffRequested(actionId: string, invoiceId: string, customerId: string, amountDue: { minor: number; currency: string }): DunningEvent {
  return {
    specversion: '1.0',
    id: `req-${actionId}`,
    source: 'urn:dunning:dunning-orchestrator',
    type: 'dunning.handoff.requested.v1',
    time: '2026-05-10T05:59:00Z',
    data: { actionId, caseId: `dc-${invoiceId}`, invoiceId, customerId, requestedAt: '2026-05-10T05:59:00Z', amountDue, stepId: 'collection', policyVersion: 'se-consumer@3' },
  } as DunningEvent;
}

const reminderRequested = (customerId: string): DunningEvent =>
  ({
    specversion: '1.0',
    id: `rem-${customerId}`,
    source: 'urn:dunning:dunning-orchestrator',
    type: 'dunning.reminder.requested.v1',
    time: '2026-05-01T05:59:00Z',
    data: { actionId: `rem-${customerId}`, caseId: 'dc-x', invoiceId: 'inv-x', customerId, requestedAt: '2026-05-01T05:59:00Z', channel: 'sms', templateId: 't1', locale: 'sv-SE', stepId: 'r1', policyVersion: 'p@1' },
  }) as DunningEvent;

describe('collection-handoff end to end (Kafka, PostgreSQL, WireMock agency, drop folder)', () => {
  const bed = collectionTestBed('coll', 'coll_e2e');
  const { run, topics, databaseUrl, mock, send } = bed;
  let dropDir: string;
  let app: INestApplication;
  let url: string;

  const ids = {
    a: { invoiceId: `inv-a-${run}`, customerId: `cust-a-${run}`, actionId: `act-a-${run}` },
    b: { invoiceId: `inv-b-${run}`, customerId: `cust-b-${run}`, actionId: `act-b-${run}` },
    c: { invoiceId: `inv-c-${run}`, customerId: `cust-c-${run}`, actionId: `act-c-${run}` },
    d: { invoiceId: `inv-d-${run}`, customerId: `cust-d-${run}`, actionId: `act-d-${run}` },
  };
  const handoff = (key: keyof typeof ids) => handoffIdFor(ids[key].actionId);
  const callback = (agencyId: string, token: string, body: unknown) =>
    fetch(`${url}/agencies/${agencyId}/callbacks`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const casesOnTopic = async (min: number) =>
    (await readTopicWithKcat(topics.cases, { minRecords: min, timeoutMs: 90_000 })).map((r) => ({
      key: r.key,
      type: Object.fromEntries(r.headers)['ce_type'],
      id: Object.fromEntries(r.headers)['ce_id'],
      data: JSON.parse(r.value ?? '{}') as Record<string, unknown>,
    }));

  beforeAll(async () => {
    await ensureWireMock();
    await mock.stub({ method: 'POST', url: '/claims', status: 201, jsonBody: { reference: 'AG-REF' } });
    await mock.stub({ method: 'POST', urlPattern: '/claims/.*/recall', status: 202 });
    ({ dropDir } = await bed.setUp());

    const config: CollectionConfig = {
      service: { serviceName: 'collection-handoff', kafkaBrokers: kafkaBrokers(), databaseUrl, httpHost: '127.0.0.1', httpPort: 0 },
      schema: 'collection',
      topics,
      consumerGroups: { invoices: `${run}.g.invoices`, actions: `${run}.g.actions` },
      agencies: [
        { agencyId: 'agency-se', countries: ['SE'], channel: 'api', daysToPay: 10, api: { baseUrl: mock.baseUrl, timeoutMs: 2_000, maxAttempts: 3 }, callbackTokenEnv: 'SE_CB' },
        {
          agencyId: 'agency-de',
          countries: ['DE'],
          channel: 'batch',
          daysToPay: 14,
          creditor: { name: 'Telco GmbH', address: 'Beispielstraße 1, 10115 Berlin', registrationId: 'HRB 1' },
          batch: { dropDir, cutoff: { everyMinutes: 1 } },
          callbackTokenEnv: 'DE_CB',
        },
      ],
      runBackgroundWork: true,
      workerPollMs: 100,
      maxWaitForInvoiceMs: 3_600_000 * SPEED,
      recheckAfterMs: 100,
      reconciliationDailyAtUtc: '03:00',
      secrets: { SE_CB: 'se-callback-token', DE_CB: 'de-callback-token' },
    };
    app = await NestFactory.create(CollectionHandoffModule.forRoot(config, { clock }), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await bed.tearDown(app);
  });

  it('hands off, refuses the paid one, recalls on payment, folds callbacks once, and says so on collection.cases.v1', async () => {
    const { a, b, c, d } = ids;
    await send(topics.invoices, [
      invoiceOpened(a.invoiceId, a.customerId),
      invoiceOpened(b.invoiceId, b.customerId),
      paymentApplied(b.invoiceId, b.customerId, 29_900, 0),
      invoiceOpened(c.invoiceId, c.customerId),
      invoiceOpened(d.invoiceId, d.customerId, { country: 'DE', currency: 'EUR', minor: 100_000, type: 'business', timeZone: 'Europe/Berlin', dueDate: '2026-04-20' }),
    ]);
    const request = (x: typeof a, amount = { minor: 29_900, currency: 'SEK' }) => handoffRequested(x.actionId, x.invoiceId, x.customerId, amount);
    await send(topics.actions, [reminderRequested(a.customerId), request(a), request(b), request(c), request(d, { minor: 100_000, currency: 'EUR' })]);

    // A and C reach the API agency with their hand-off ids as idempotency keys; D goes out in a cut-off file.
    const claims = await waitFor(async () => {
      const requests = await mock.requests('POST', '/claims');
      return requests.filter((r) => !r.url.includes('/recall')).length >= 2 ? requests : undefined;
    }, { timeoutMs: 60_000, description: 'two claims at the API agency' });
    expect(claims.map((r) => r.headers['idempotency-key']).sort()).toEqual([handoff('a'), handoff('c')].sort());
    const deLine = await waitFor(async () => {
      for (const name of await fs.readdir(dropDir)) {
        if (!name.endsWith('.jsonl')) continue;
        const line = (await fs.readFile(path.join(dropDir, name), 'utf8')).split('\n').find((l) => l.includes(handoff('d')));
        if (line) return JSON.parse(line) as { total: { minor: number }; interest: { amount: { minor: number } }; creditor: { name: string } };
      }
      return undefined;
    }, { timeoutMs: 60_000, description: 'the DE claim in a cut-off file' });
    expect(deLine.creditor.name).toBe('Telco GmbH');
    expect(deLine.total.minor).toBe(100_000 + deLine.interest.amount.minor + 4_000);

    // The same request redelivered: no second case.
    await send(topics.actions, [request(a)]);
    // C is paid after hand-off: recalled at the agency.
    await send(topics.invoices, [paymentApplied(c.invoiceId, c.customerId, 29_900, 0, '2026-05-11T09:00:00Z')]);
    await waitFor(async () => (await mock.requests('POST', `/claims/${handoff('c')}/recall`)).length === 1 || undefined, { timeoutMs: 60_000, description: 'the recall of C' });

    // Agency callbacks for A: closed before paid (out of order), then paid again (duplicate).
    const closed = { type: 'closed', callbackId: 'cb-a-close', handoffId: handoff('a'), occurredAt: '2026-06-07T10:00:00Z', outcome: 'paid-in-full' };
    const paid = { type: 'paid', callbackId: 'cb-a-pay', handoffId: handoff('a'), occurredAt: '2026-06-05T10:00:00Z', amount: { minor: 29_900, currency: 'SEK' } };
    await waitFor(async () => ((await callback('agency-se', 'se-callback-token', closed)).status === 200 ? true : undefined), { timeoutMs: 30_000, description: 'A handed off (callback accepted)' });
    const answers = [await callback('agency-se', 'se-callback-token', paid), await callback('agency-se', 'se-callback-token', paid), await callback('agency-se', 'se-callback-token', closed)];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await Promise.all(answers.map(async (r) => ((await r.json()) as { status: string }).status))).toEqual(['applied', 'duplicate', 'duplicate']);
    expect((await callback('agency-se', 'wrong-token', paid)).status).toBe(403);
    expect((await callback('agency-se', 'se-callback-token', { ...paid, handoffId: handoff('d') })).status).toBe(404); // D is another agency's case
    expect((await callback('agency-se', 'se-callback-token', { ...paid, amount: { minor: 1.5, currency: 'SEK' } })).status).toBe(422);

    const expected = [
      [a.customerId, 'collection.case.opened.v1'],
      [a.customerId, 'collection.case.closed.v1'],
      [a.customerId, 'collection.case.paid-at-agency.v1'],
      [b.customerId, 'collection.handoff.cancelled.v1'],
      [c.customerId, 'collection.case.opened.v1'],
      [c.customerId, 'collection.case.recalled.v1'],
      [d.customerId, 'collection.case.opened.v1'],
    ];
    const events = await casesOnTopic(expected.length).catch(async (error: unknown) => {
      const db = new Client({ connectionString: databaseUrl });
      await db.connect();
      const outbox = await db.query(`SELECT position, headers->>'ce_type' AS type, published_at, transaction_id::text, pg_snapshot_xmin(pg_current_snapshot())::text AS xmin FROM collection.outbox ORDER BY position`);
      const onTopic = await readTopicWithKcat(topics.cases);
      await db.end();
      throw new Error(`${String(error)}\noutbox: ${JSON.stringify(outbox.rows)}\ntopic: ${JSON.stringify(onTopic.map((r) => Object.fromEntries(r.headers)['ce_type']))}`);
    });
    expect(events.map((e) => [e.key, e.type]).sort()).toEqual(expected.sort());
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.find((e) => e.type === 'collection.handoff.cancelled.v1')?.data['reasonCode']).toBe('invoice-settled');
    expect(events.find((e) => e.type === 'collection.case.recalled.v1')?.data['reasonCode']).toBe('paid');

    // Reconciliation: the agency still lists C as open although we recalled it; D's agency sent no status file.
    await mock.stub({ method: 'GET', url: '/claims', status: 200, jsonBody: { claims: [{ handoffId: handoff('a'), status: 'closed' }, { handoffId: handoff('c'), status: 'open' }] } });
    await app.get(ReconciliationJob).runAll();
    const latest = (await (await fetch(`${url}/reconciliation/latest`)).json()) as { runs: { agencyId: string; discrepancies: { handoffId: string; kind: string }[]; error?: string }[] };
    const se = latest.runs.find((r) => r.agencyId === 'agency-se');
    expect(se?.discrepancies).toEqual([{ handoffId: handoff('c'), collectionCaseId: expect.any(String), kind: 'status-differs', ours: 'recalled', theirs: 'open' }]);
    expect(latest.runs.find((r) => r.agencyId === 'agency-de')?.error).toMatch(/inbound folder|status file/);
  });
});
