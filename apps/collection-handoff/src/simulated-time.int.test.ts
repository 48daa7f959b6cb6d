import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DunningEvent } from '@dunning/contracts';
import { kafkaBrokers, waitFor } from '@dunning/testing';
import { CollectionHandoffModule } from './collection-handoff.module';
import type { CollectionConfig } from './config';
import { handoffIdFor } from './ids';
import { invoiceOpened, paymentApplied } from '../test-support/postgres';
import { collectionTestBed } from '../test-support/test-bed';
import { ensureWireMock } from '../test-support/wiremock';

// collection-handoff on the simulated clock (DUNNING_CLOCK=simulated) against the real broker,
// PostgreSQL, WireMock as an API agency and a drop folder for a file agency with a daily cut-off:
// claims carry simulated dates, a cut-off that became due is written before PUT /admin/clock
// answers, so is a reconciliation, quiescence counts only work due at the clock's now, and the
// instant survives a restart (docs/simulated-time.md).

const START = '2026-05-11T10:00:00.000Z'; // a Monday; the file agency's cut-off is 16:00 UTC daily

interface Quiescence {
  quiet: boolean;
  pending: Record<string, number>;
}

const handoffRequested = (actionId: string, invoiceId: string, customerId: string, amountDue: { minor: number; currency: string }): DunningEvent =>
  ({
    specversion: '1.0',
    id: `req-${actionId}`,
    source: 'urn:dunning:dunning-orchestrator',
    type: 'dunning.handoff.requested.v1',
    time: START,
    data: { actionId, caseId: `dc-${invoiceId}`, invoiceId, customerId, requestedAt: START, amountDue, stepId: 'collection', policyVersion: 'se-consumer@3' },
  }) as DunningEvent;

describe('collection-handoff on the simulated clock', () => {
  const bed = collectionTestBed('collsim', 'coll_sim');
  const { run, topics, databaseUrl, mock, send } = bed;
  let dropDir: string;
  let app: INestApplication | undefined;
  let url = '';

  const se = { invoiceId: `inv-se-${run}`, customerId: `cust-se-${run}`, actionId: `act-se-${run}` };
  const de = { invoiceId: `inv-de-${run}`, customerId: `cust-de-${run}`, actionId: `act-de-${run}` };
  const slow = { invoiceId: `inv-slow-${run}`, customerId: `cust-slow-${run}`, actionId: `act-slow-${run}` };

  const config = (start: string): CollectionConfig => ({
    service: { serviceName: 'collection-handoff', kafkaBrokers: kafkaBrokers(), databaseUrl, httpHost: '127.0.0.1', httpPort: 0 },
    schema: 'collection',
    topics,
    consumerGroups: { invoices: `${run}.g.invoices`, actions: `${run}.g.actions` },
    agencies: [
      { agencyId: 'agency-se', countries: ['SE'], channel: 'api', daysToPay: 10, api: { baseUrl: mock.baseUrl, timeoutMs: 20_000, maxAttempts: 1 } },
      {
        agencyId: 'agency-de',
        countries: ['DE'],
        channel: 'batch',
        daysToPay: 14,
        creditor: { name: 'Telco GmbH', address: 'Beispielstraße 1, 10115 Berlin', registrationId: 'HRB 1' },
        batch: { dropDir, cutoff: { dailyAtUtc: '16:00' } },
      },
    ],
    runBackgroundWork: true,
    // Far longer than any wait below: work must start from the wake-up after the consumer committed, not a poll.
    workerPollMs: 60_000,
    maxWaitForInvoiceMs: 24 * 3_600_000,
    recheckAfterMs: 30_000,
    reconciliationDailyAtUtc: '03:00',
    clock: { mode: 'simulated', start: new Date(start) },
    secrets: {},
  });

  const startApp = async (start: string): Promise<void> => {
    app = await NestFactory.create(CollectionHandoffModule.forRoot(config(start)), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  };
  const clock = async (): Promise<{ mode: string; now: string }> => (await fetch(`${url}/admin/clock`)).json() as Promise<{ mode: string; now: string }>;
  const setClock = (now: string): Promise<Response> => fetch(`${url}/admin/clock`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now }) });
  const quiescence = async (): Promise<Quiescence> => (await fetch(`${url}/admin/quiescence`)).json() as Promise<Quiescence>;
  const quiet = (): Promise<Quiescence> => waitFor(async () => ((await quiescence()).quiet ? quiescence() : undefined), { timeoutMs: 60_000, description: 'collection-handoff to be quiet' });
  const claimLines = async (): Promise<{ file: string; handoffId?: string; recordType?: string }[]> => {
    const lines = [];
    for (const file of (await fs.readdir(dropDir)).filter((name) => name.endsWith('.jsonl'))) {
      for (const line of (await fs.readFile(path.join(dropDir, file), 'utf8')).split('\n').filter(Boolean)) lines.push({ file, ...(JSON.parse(line) as { handoffId?: string; recordType?: string }) });
    }
    return lines;
  };
  const apiClaims = async (): Promise<{ handoffId: string; handedOffOn: string; payBy: string }[]> =>
    (await mock.requests('POST', '/claims')).filter((r) => !r.url.includes('/recall')).map((r) => JSON.parse(r.body) as { handoffId: string; handedOffOn: string; payBy: string });

  beforeAll(async () => {
    await ensureWireMock();
    await mock.stub({ method: 'POST', url: '/claims', status: 201, jsonBody: { reference: 'AG-REF' } });
    await mock.stub({ method: 'POST', urlPattern: '/claims/.*/recall', status: 202 });
    await mock.stub({ method: 'GET', url: '/claims', status: 200, jsonBody: { claims: [] } });
    // One claim the agency answers slowly: the work is in flight while the test looks.
    await mock.stub({ method: 'POST', url: '/claims', headers: { 'Idempotency-Key': { equalTo: handoffIdFor(slow.actionId) } }, status: 201, jsonBody: { reference: 'AG-SLOW' }, fixedDelayMilliseconds: 3_000, priority: 1 });
    ({ dropDir } = await bed.setUp());
    await startApp(START);
  }, 120_000);

  afterAll(async () => {
    await bed.tearDown(app);
  });

  it('hands off on simulated dates; the cut-off and the reconciliation that became due run before the PUT answers', async () => {
    expect(await clock()).toEqual({ mode: 'simulated', now: START });
    // At start the file agency's latest cut-off (yesterday 16:00) is caught up and the day's reconciliation ran.
    await quiet();
    expect((await fs.readdir(dropDir)).filter((f) => f.endsWith('.jsonl'))).toEqual(['agency-de_20260510T1600Z.jsonl']);

    await send(topics.invoices, [
      invoiceOpened(se.invoiceId, se.customerId),
      invoiceOpened(de.invoiceId, de.customerId, { country: 'DE', currency: 'EUR', minor: 100_000, type: 'business', timeZone: 'Europe/Berlin', dueDate: '2026-04-20' }),
    ]);
    await send(topics.actions, [handoffRequested(se.actionId, se.invoiceId, se.customerId, { minor: 29_900, currency: 'SEK' }), handoffRequested(de.actionId, de.invoiceId, de.customerId, { minor: 100_000, currency: 'EUR' })]);

    // The API agency gets its claim at once, dated by the simulated clock; the file agency's claim
    // waits for today's 16:00 cut-off, which is not due yet: quiet.
    const [claim] = await waitFor(async () => ((await apiClaims()).length > 0 ? apiClaims() : undefined), { timeoutMs: 60_000, description: 'the SE claim' });
    expect(claim).toMatchObject({ handoffId: handoffIdFor(se.actionId), handedOffOn: '2026-05-11', payBy: '2026-05-21' });
    expect(await quiet()).toEqual({ quiet: true, pending: { consumerLag: 0, outboxPending: 0, handoffWorkDue: 0, reconciliationDue: 0 } });
    expect((await claimLines()).some((l) => l.handoffId === handoffIdFor(de.actionId))).toBe(false);

    // 16:30: the cut-off is written (one claim) before the answer.
    const afterCutoff = await setClock('2026-05-11T16:30:00Z');
    expect(afterCutoff.status).toBe(200);
    expect(await afterCutoff.json()).toEqual({ now: '2026-05-11T16:30:00.000Z', work: { handoffs: 2, reconciliations: 0 } });
    expect((await claimLines()).filter((l) => l.handoffId === handoffIdFor(de.actionId)).map((l) => l.file)).toEqual(['agency-de_20260511T1600Z.jsonl']);

    // The next morning after 03:00: the reconciliation runs before the answer, at the simulated instant.
    const nextMorning = await setClock('2026-05-12T03:30:00Z');
    expect(await nextMorning.json()).toEqual({ now: '2026-05-12T03:30:00.000Z', work: { handoffs: 0, reconciliations: 2 } });
    const latest = (await (await fetch(`${url}/reconciliation/latest`)).json()) as { runs: { agencyId: string; ranAt: string }[] };
    expect(latest.runs.map((r) => [r.agencyId, r.ranAt]).sort()).toEqual([
      ['agency-de', '2026-05-12T03:30:00.000Z'],
      ['agency-se', '2026-05-12T03:30:00.000Z'],
    ]);

    expect((await setClock('2026-05-11T00:00:00Z')).status).toBe(409);
    expect((await setClock('soon')).status).toBe(400);
    await quiet();
  });

  it('is busy while a claim is on its way to the agency, quiet once it is confirmed; a recall after payment goes out without a clock move', async () => {
    await send(topics.invoices, [invoiceOpened(slow.invoiceId, slow.customerId)]);
    await send(topics.actions, [handoffRequested(slow.actionId, slow.invoiceId, slow.customerId, { minor: 29_900, currency: 'SEK' })]);
    // The agency holds the request three seconds: the case's delivery is due and unconfirmed meanwhile.
    const busy = await waitFor(async () => {
      const q = await quiescence();
      return (q.pending['handoffWorkDue'] ?? 0) > 0 ? q : undefined;
    }, { timeoutMs: 60_000, description: 'the slow claim to count as due' });
    expect(busy.quiet).toBe(false);
    await quiet();
    expect((await apiClaims()).filter((c) => c.handoffId === handoffIdFor(slow.actionId))).toHaveLength(1);

    // Paid after the hand-off: the recall goes out on its own (due at once), then quiet again.
    await send(topics.invoices, [paymentApplied(se.invoiceId, se.customerId, 29_900, 0, '2026-05-12T03:40:00Z')]);
    await waitFor(async () => ((await mock.requests('POST', `/claims/${handoffIdFor(se.actionId)}/recall`)).length === 1 ? true : undefined), { timeoutMs: 60_000, description: 'the recall' });
    expect(await quiet()).toEqual({ quiet: true, pending: { consumerLag: 0, outboxPending: 0, handoffWorkDue: 0, reconciliationDue: 0 } });
  });

  it('keeps its simulated instant through a restart', async () => {
    await app?.close();
    app = undefined;
    await startApp('2030-01-01T00:00:00.000Z');
    expect(await clock()).toEqual({ mode: 'simulated', now: '2026-05-12T03:30:00.000Z' });
    await quiet();
  });
});
