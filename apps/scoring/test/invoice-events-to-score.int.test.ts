import { readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeBinary, type InvoicingEvent, type ScoringEvent } from '@dunning/contracts';
import { uniqueName, waitFor } from '@dunning/testing';
import type { Producer } from 'kafkajs';
// The orchestrator's pure segmenting, to show what a published score changes. A test may cross the
// service boundary that production code may not: it checks the two services agree on the contract.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { classifyHistory, parsePolicy, selectSegment, type PaymentHistory, type SegmentationFacts } from '../../dunning-orchestrator/src/domain';
import { localDateOf } from '../src/domain';
import { loadArmsOfInvoices } from '../src/persistence/scoring-store';
import { armAssigned, CustomerScript, handoffRequested } from '../test-support/invoice-events';
import { startScoring, TestClock, type RunningScoring } from '../test-support/scoring-app';
import { connectScoreTraffic, type ScoreTraffic } from '../test-support/score-traffic';

// From invoice events on a real Kafka topic to a score on scoring.scores.v1 (real broker, real
// PostgreSQL, the whole service), and from that score to the orchestrator's segment.

const at = (date: string, hour = 10) => `${date}T${String(hour).padStart(2, '0')}:00:00.000Z`;
const month = (i: number) => `${2025 + Math.floor((i + 2) / 12)}-${String(((i + 2) % 12) + 1).padStart(2, '0')}`; // i = 0 → 2025-03

/** A year of invoices paid on time, then one unpaid past its due date (5 March 2026). */
function cleanCustomer(): CustomerScript {
  const script = new CustomerScript({ customerId: uniqueName('cust-clean') });
  for (let i = 0; i < 12; i++) script.open(`${script.customerId}-${i}`, at(`${month(i)}-01`, 6), `${month(i)}-05`, 29_900).pay(`${script.customerId}-${i}`, at(`${month(i)}-04`));
  return script.open(`${script.customerId}-now`, at('2026-02-20', 6), '2026-03-05', 29_900);
}

describe('scoring: invoice events in, scores out', () => {
  const clock = new TestClock(new Date('2026-03-01T12:00:00.000Z'));
  let scoring: RunningScoring;
  let producer: Producer;
  let traffic: ScoreTraffic;
  const published: ScoringEvent[] = [];

  beforeAll(async () => {
    scoring = await startScoring(clock);
    traffic = await connectScoreTraffic(scoring, 'scoring-it', (event) => published.push(event));
    producer = traffic.producer;
  });

  afterAll(async () => {
    await traffic?.close();
    await scoring?.close();
  });

  const send = (events: readonly InvoicingEvent[]) =>
    producer.send({ topic: scoring.settings.topics.invoices, acks: -1, messages: events.map((event) => encodeBinary(event)) });

  it('publishes a prior-v1 score when the invoice becomes overdue, and the orchestrator segments the case differently because of it', async () => {
    const clean = cleanCustomer();
    const paidEarly = new CustomerScript({ customerId: uniqueName('cust-early') }).open('early-1', at('2026-02-20', 6), '2026-03-05', 10_000).pay('early-1', at('2026-03-03'));
    await send([...clean.events, ...paidEarly.events]);
    const invoiceId = `${clean.customerId}-now`;

    // Before the due date passes nothing is scored, however often the scanner runs.
    await waitFor(async () => (await scoring.runtime.pool.query(`SELECT count(*)::int AS n FROM scoring.invoice_watch`)).rows[0].n === 14, { description: 'both customers consumed' });
    expect(published).toHaveLength(0);

    clock.set('2026-03-06T09:00:00.000Z'); // the start of 6 March in Stockholm has passed: overdue
    const event = await waitFor(() => published.find((e) => e.data.invoiceId === invoiceId), { description: 'a score on scoring.scores.v1', timeoutMs: 30_000 });
    expect(event.type).toBe('scoring.score.computed.v1');
    expect(event.data.customerId).toBe(clean.customerId);
    expect(event.data.modelVersion).toBe('prior-v1');
    expect(event.data.probabilityPaysWithoutCollection).toBeGreaterThan(0.85);
    expect(event.data.uplift).toEqual([]);
    expect(event.data.topReasons[0]?.feature).toBe('first-time-late');
    expect(event.data.computedAt).toBe('2026-03-06T09:00:00.000Z');

    // The invoice paid before its due date is never scored; its watch row says why.
    const early = await scoring.runtime.pool.query(`SELECT status FROM scoring.invoice_watch WHERE invoice_id = 'early-1'`);
    expect(early.rows[0].status).toBe('paid-before-overdue');
    expect(published.filter((e) => e.data.invoiceId === 'early-1')).toHaveLength(0);

    // The orchestrator's segment for this case, without and with the score.
    const policy = parsePolicy(readFileSync(path.resolve(__dirname, '../../dunning-orchestrator/policies/default.yaml'), 'utf8'));
    const invoices = clean.events.filter((e) => e.type === 'invoicing.invoice.opened.v1');
    const settled = new Map(clean.events.filter((e) => e.type === 'invoicing.invoice.settled.v1').map((e) => [e.data.invoiceId, localDateOf(e.time, 'Europe/Stockholm')]));
    const history: PaymentHistory = {
      invoices: invoices.map((e) => ({ invoiceId: e.data.invoiceId, dueDate: (e.data as { dueDate: string }).dueDate, ...(settled.has(e.data.invoiceId) ? { settledOn: settled.get(e.data.invoiceId)! } : {}) })),
      paymentDates: [...settled.values()],
    };
    const classification = classifyHistory(history, '2026-03-07', invoiceId, policy.segmentation.history);
    const facts: SegmentationFacts = { historyClass: classification.historyClass, outstanding: { minor: 29_900, currency: 'SEK' }, customerType: 'consumer', country: 'SE', ...(classification.tenureMonths !== undefined ? { tenureMonths: classification.tenureMonths } : {}) };
    const withoutScore = selectSegment(policy, facts);
    const withScore = selectSegment(policy, {
      ...facts,
      score: { modelVersion: event.data.modelVersion, probabilityPayWithoutCollection: event.data.probabilityPaysWithoutCollection, scoredAt: event.data.computedAt },
    });
    expect(classification.historyClass).toBe('occasionally-late'); // a year of history is not yet "years of paying on time"
    expect([withoutScore.segmentId, withoutScore.flowId]).toEqual(['everyone-else', 'standard']);
    expect([withScore.segmentId, withScore.flowId]).toEqual(['likely-to-pay', 'gentle']);
  });

  it('scores on request (POST /scores), publishes that score too, and refuses invoices that need none', async () => {
    const clean = cleanCustomer();
    const paid = new CustomerScript({ customerId: uniqueName('cust-paid') }).open('paid-1', at('2026-02-20', 6), '2026-03-05', 10_000).pay('paid-1', at('2026-03-01'));
    await send([...clean.events, ...paid.events]);
    const invoiceId = `${clean.customerId}-now`;
    await waitFor(async () => (await scoring.runtime.pool.query(`SELECT 1 FROM scoring.invoice_watch WHERE invoice_id = $1`, [invoiceId])).rowCount === 1, { description: 'the invoice consumed' });
    await waitFor(async () => (await scoring.runtime.pool.query(`SELECT 1 FROM scoring.invoice_watch WHERE invoice_id = 'paid-1'`)).rowCount === 1, { description: 'the paid invoice consumed' });

    const response = await fetch(`${scoring.baseUrl}/scores`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ invoiceId }) });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { event: ScoringEvent; basis: string; reasons: { feature: string; text: string }[] };
    expect(body.basis).toBe('prior');
    expect(body.event.data.modelVersion).toBe('prior-v1');
    expect(body.reasons[0]?.text).toBe('First time late after a clean payment history: raises the chance of paying without collection');
    const onTopic = await waitFor(() => published.find((e) => e.id === body.event.id), { description: 'the requested score on the topic' });
    expect(onTopic.data).toEqual(body.event.data);

    const refused = await fetch(`${scoring.baseUrl}/scores`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ invoiceId: 'paid-1' }) });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { reason: string }).reason).toBe('settled');
    const unknown = await fetch(`${scoring.baseUrl}/scores`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ invoiceId: 'no-such-invoice' }) });
    expect(unknown.status).toBe(404);
    const malformed = await fetch(`${scoring.baseUrl}/scores`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ invoice: 1 }) });
    expect(malformed.status).toBe(400);
  });

  it('records experiment arms from dunning.actions.v1 and names their treatment; a malformed invoice record is dead-lettered and the rest flows', async () => {
    const invoiceA = uniqueName('arm-inv-a');
    const invoiceB = uniqueName('arm-inv-b');
    await producer.send({
      topic: scoring.settings.topics.actions,
      acks: -1,
      messages: [
        armAssigned('cust-arms', invoiceA, 'exp-it', 'collection', '2026-03-07T08:00:00.000Z'),
        armAssigned('cust-arms', invoiceB, 'exp-it', 'no-action', '2026-03-07T08:00:00.000Z'),
        handoffRequested('cust-arms', invoiceA, 'exp-it', 'collection', '2026-04-20T08:00:00.000Z'),
      ].map((event) => encodeBinary(event)),
    });
    const arms = await waitFor(
      async () => {
        const found = await loadArmsOfInvoices(scoring.runtime.pool, {});
        return found.arms.has(invoiceA) && found.arms.has(invoiceB) ? found.arms : undefined;
      },
      { description: 'both arms recorded' },
    );
    expect(arms.get(invoiceA)).toEqual({ experimentId: 'exp-it', arm: 'collection', treatment: 'collection-handoff' });
    expect(arms.get(invoiceB)).toEqual({ experimentId: 'exp-it', arm: 'no-action', treatment: 'no-action' });

    const after = new CustomerScript({ customerId: 'cust-poison' }).open(uniqueName('after-poison'), at('2026-03-01', 6), '2026-03-20', 5_000);
    await producer.send({ topic: scoring.settings.topics.invoices, acks: -1, messages: [{ key: 'cust-poison', value: '{not json', headers: { 'content-type': 'application/json', ce_specversion: '1.0' } }] });
    await send(after.events);
    const afterId = (after.events[0]!.data as { invoiceId: string }).invoiceId;
    await waitFor(async () => (await scoring.runtime.pool.query(`SELECT 1 FROM scoring.invoice_watch WHERE invoice_id = $1`, [afterId])).rowCount === 1, { description: 'the record after the poison consumed' });
  });
});
