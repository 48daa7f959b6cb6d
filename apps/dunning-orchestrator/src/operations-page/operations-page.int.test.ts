import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { SCORING_SOURCE } from '@dunning/contracts';
import { kafkaBrokers, readTopicWithKcat, waitFor } from '@dunning/testing';
import { invoiceDisputed, paidInFull, scoreComputed, seedsInvoiceOpened } from '../test-support/orchestrator-inputs';
import { orchestratorInfrastructure, repoRoot, startOrchestrator, type OrchestratorProcess } from '../test-support/orchestrator-process';

/**
 * The operations page in a real browser (Debian's Chromium, headless, driven by playwright-core)
 * against the real service, broker and database: a month of a 12-customer seeds experiment is fed
 * through Kafka and the simulated clock, two poison records go to a dead-letter topic, and one
 * partition is held behind (its offset row locked by the test) so there is lag to see. Every
 * figure the page shows is checked against what the test reads itself from PostgreSQL and Kafka.
 */
const CUSTOMERS = 12;
const infrastructure = orchestratorInfrastructure('ops');
const { databaseUrl, topics, group } = infrastructure;
const inputTopics = [topics.invoices, topics.scores, topics.deliveries, topics.collectionCases];
const screenshotPath = path.join(repoRoot, 'tmp/reports/ops-page.png');


const opened = seedsInvoiceOpened;

/** Records retained per partition of a topic, or undefined when the broker has no such topic. */
async function topicOffsets(admin: Admin, topic: string): Promise<{ partition: number; low: number; high: number }[] | undefined> {
  if (!(await admin.listTopics()).includes(topic)) return undefined;
  return (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }));
}

describe('the operations page in headless Chromium (real service, broker and database)', () => {
  const db = new Client({ connectionString: databaseUrl });
  const kafka = new Kafka({ clientId: 'it-ops-page', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let service: OrchestratorProcess | undefined;
  let browser: Browser | undefined;
  let holder: Client | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    await infrastructure.create(3);
    await db.connect();
    await admin.connect();
    service = await startOrchestrator(infrastructure, { env: { DUNNING_POLICY_FILE: 'policies/seeds-experiment.yaml' } });
    baseUrl = service.baseUrl;
  });

  afterAll(async () => {
    await browser?.close();
    await holder?.query('ROLLBACK').catch(() => undefined);
    await holder?.end().catch(() => undefined);
    await service?.stop(10_000);
    await admin.disconnect();
    await db.end();
    await infrastructure.drop();
  });

  const count = async (sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  const setClock = (now: string) => service!.setClock(now);

  it('shows cases by state, actions per day, dead letters, consumer lag and experiment results as the database and broker hold them', async () => {
    await service?.ready();

    // --- A month of cases, through the orchestrator's real consumer path ---
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: topics.invoices, messages: Array.from({ length: CUSTOMERS }, (_, i) => opened(i)) });
    const poison = { key: 'poison', value: Buffer.from('{ not json'), headers: { ce_specversion: '1.0', ce_id: 'poison', ce_source: SCORING_SOURCE, ce_type: 'scoring.score.computed.v1', 'content-type': 'application/json' } };
    await producer.send({
      topic: topics.scores,
      messages: [
        ...Array.from({ length: CUSTOMERS }, (_, i) => scoreComputed(i)),
        poison,
        { ...poison, key: 'poison-2', headers: { ...poison.headers, ce_id: 'poison-2' } },
      ],
    });
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM orchestrator.cases WHERE status = 'open'`)) === CUSTOMERS, { timeoutMs: 60_000, description: 'the cases opened' });
    await setClock('2026-03-17T10:00:00Z');
    await setClock('2026-03-20T08:00:00Z');
    await setClock('2026-03-23T09:00:00Z');
    await producer.send({
      topic: topics.invoices,
      messages: [
        ...[0, 1, 2].map((i) => paidInFull(i, '2026-03-23T09:00:00Z')),
        invoiceDisputed(3, '2026-03-23T09:00:00Z'),
      ],
    });
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM orchestrator.cases WHERE status = 'closed'`)) === 3, { timeoutMs: 30_000, description: 'three cases closed' });
    await setClock('2026-04-02T09:00:00Z');
    await setClock('2026-04-15T09:00:00Z');
    await waitFor(async () => (await readTopicWithKcat(`${topics.scores}.dlq`)).length === 2, { timeoutMs: 30_000, description: 'two dead letters on the scores DLQ' });

    // --- Hold one partition behind: lock its stored offset, then give it one more record ---
    const { rows: offsetRows } = await db.query<{ partition: number; last_offset: string }>(
      `SELECT partition, last_offset FROM messaging.consumer_offsets WHERE consumer_group = $1 AND topic = $2 ORDER BY partition LIMIT 1`,
      [group, topics.invoices],
    );
    const held = offsetRows[0];
    if (!held) throw new Error('no stored offset for the invoices topic');
    holder = new Client({ connectionString: databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM messaging.consumer_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE`, [group, topics.invoices, held.partition]);
    await producer.send({ topic: topics.invoices, messages: [{ ...opened(99), partition: held.partition }] });
    await producer.disconnect();

    // --- What the test reads itself ---
    const expectedCases = Object.fromEntries(
      (await db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM orchestrator.cases GROUP BY status`)).rows.map((row) => [row.status, Number(row.n)]),
    );
    const expectedActions: Record<string, number> = {};
    for (const { data } of (await db.query<{ data: { action: { requestedAt: string; kind: string; channel?: string } } }>(`SELECT data FROM orchestrator.events WHERE event_type = 'ActionRequested'`)).rows) {
      const key = `${data.action.requestedAt.slice(0, 10)}|${data.action.kind}|${data.action.channel ?? ''}`;
      expectedActions[key] = (expectedActions[key] ?? 0) + 1;
    }
    const expectedDlq: Record<string, string> = {};
    for (const topic of [...inputTopics, topics.actions]) {
      const partitions = await topicOffsets(admin, `${topic}.dlq`);
      expectedDlq[`${topic}.dlq`] = partitions ? String(partitions.reduce((sum, p) => sum + p.high - p.low, 0)) : 'no topic';
    }
    const stored = new Map(
      (await db.query<{ topic: string; partition: number; last_offset: string }>(`SELECT topic, partition, last_offset FROM messaging.consumer_offsets WHERE consumer_group = $1`, [group])).rows.map(
        (row) => [`${row.topic}/${row.partition}`, Number(row.last_offset)],
      ),
    );
    const expectedLag: Record<string, { last: string; high: string; lag: string }> = {};
    for (const topic of inputTopics) {
      for (const p of (await topicOffsets(admin, topic)) ?? []) {
        const last = stored.get(`${topic}/${p.partition}`);
        expectedLag[`${topic}/${p.partition}`] = { last: last === undefined ? '–' : String(last), high: String(p.high), lag: String(p.high - (last === undefined ? p.low : last + 1)) };
      }
    }
    const experiment = (await (await fetch(`${baseUrl}/experiments/collection-vs-friendly/results`)).json()) as { arms: { armId: string; cases: number }[] };

    // --- What the browser shows ---
    mkdirSync(path.dirname(screenshotPath), { recursive: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const response = await page.goto(`${baseUrl}/ops?refresh=0`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toContain('text/html');
    await page.screenshot({ path: screenshotPath, fullPage: true });

    const cells = (selector: string, attributes: string[], cell: string) =>
      page.$$eval(
        selector,
        (rows, [names, cellSelector]) =>
          rows.map((row) => [(names as string[]).map((name) => row.getAttribute(name) ?? '').join('|'), row.querySelector(cellSelector as string)?.textContent?.trim() ?? '']),
        [attributes, cell] as const,
      );
    const shownCases = Object.fromEntries((await cells('#cases-by-state tbody tr[data-state]', ['data-state'], '[data-testid=cases]')).map(([state, n]) => [state, Number(n)]));
    expect(shownCases).toEqual(expectedCases);
    expect(Object.values(expectedCases).reduce((sum, n) => sum + n, 0)).toBe(CUSTOMERS);
    expect(Number(await page.textContent('[data-testid=cases-total]'))).toBe(CUSTOMERS);

    const shownActions = Object.fromEntries((await cells('#actions-per-day tbody tr[data-day]', ['data-day', 'data-kind', 'data-channel'], '[data-testid=actions]')).map(([key, n]) => [key, Number(n)]));
    expect(shownActions).toEqual(expectedActions);
    expect(new Set(Object.keys(expectedActions).map((key) => key.slice(0, 10))).size).toBeGreaterThan(1);

    const shownDlq = Object.fromEntries(await cells('#dead-letters tbody tr[data-topic]', ['data-topic'], '[data-testid=dlq-records]'));
    expect(shownDlq).toEqual(expectedDlq);
    expect(shownDlq[`${topics.scores}.dlq`]).toBe('2');

    const lagRows = await page.$$eval('#consumer-lag tbody tr[data-topic]', (rows) =>
      rows.map((row) => [
        `${row.getAttribute('data-topic')}/${row.getAttribute('data-partition')}`,
        {
          last: row.querySelector('[data-testid=last-offset]')?.textContent ?? '',
          high: row.querySelector('[data-testid=high-watermark]')?.textContent ?? '',
          lag: row.querySelector('[data-testid=lag]')?.textContent ?? '',
        },
      ]),
    );
    expect(Object.fromEntries(lagRows)).toEqual(expectedLag);
    expect(Object.keys(expectedLag)).toHaveLength(inputTopics.length * 3);
    expect(expectedLag[`${topics.invoices}/${held.partition}`]?.lag).toBe('1');
    expect(await page.textContent('[data-testid=lag-total]')).toBe('1');

    const shownArms: Record<string, number> = Object.fromEntries(
      (await cells(`[data-experiment="collection-vs-friendly"] tbody tr[data-arm]`, ['data-arm'], '[data-testid=arm-cases]')).map(([arm, n]): [string, number] => [arm ?? '', Number(n)]),
    );
    expect(shownArms).toEqual(Object.fromEntries(experiment.arms.map((arm) => [arm.armId, arm.cases])));
    expect(Object.values(shownArms).reduce((sum, n) => sum + n, 0)).toBe(CUSTOMERS);

    // Nothing but the page itself was loaded; no customer id is on it.
    expect(requested).toEqual([`${baseUrl}/ops?refresh=0`]);
    expect(await page.content()).not.toMatch(/customer-\d|invoice-\d/);

    // The JSON has the same figures.
    const data = (await (await fetch(`${baseUrl}/ops/data`)).json()) as { casesByState: { state: string; cases: number }[]; consumerLag: { lag: number }[] };
    expect(Object.fromEntries(data.casesByState.map((row) => [row.state, row.cases]))).toEqual(expectedCases);

    // Released, the consumer catches up and the page says so.
    await holder.query('ROLLBACK');
    await waitFor(async () => ((await (await fetch(`${baseUrl}/ops/data`)).json()) as typeof data).consumerLag.every((row) => row.lag === 0), {
      timeoutMs: 60_000,
      description: 'the held partition caught up',
    });
    await page.reload();
    expect(await page.textContent('[data-testid=lag-total]')).toBe('0');
    expect(Number(await page.textContent('[data-testid=cases-total]'))).toBe(CUSTOMERS + 1);
  });
});
