import { randomBytes } from 'node:crypto';
import { encodeBinary } from '@dunning/contracts';
import { startTelemetry, type TelemetryHandle } from '@dunning/telemetry';
import { uniqueName, waitFor } from '@dunning/testing';
import type { Producer } from 'kafkajs';
import { CustomerScript } from '../test-support/invoice-events';
import { startScoring, TestClock, type RunningScoring } from '../test-support/scoring-app';
import { connectScoreTraffic, type ScoreTraffic } from '../test-support/score-traffic';

// The overdue scanner publishes a score days after the invoice event, outside any consumer span.
// The watch row keeps the trace context of the event that opened the invoice, and the score is
// published in it: the record on scoring.scores.v1 carries the invoice's trace id.

const traceIdOf = (traceparent: string | null | undefined): string | undefined => traceparent?.split('-')[1];

describe('scoring: the overdue score continues the invoice trace', () => {
  const clock = new TestClock(new Date('2026-03-01T12:00:00.000Z'));
  let telemetry: TelemetryHandle;
  let scoring: RunningScoring;
  let producer: Producer;
  let traffic: ScoreTraffic;
  const published: { invoiceId: string; traceparent: string | undefined }[] = [];

  beforeAll(async () => {
    // Tracer provider and context manager for this process; no exporter variable, so silent.
    telemetry = startTelemetry({ serviceName: 'scoring-trace-it' });
    scoring = await startScoring(clock);
    traffic = await connectScoreTraffic(scoring, 'scoring-trace-it', (event, message) =>
      published.push({ invoiceId: event.data.invoiceId, traceparent: message.headers?.['traceparent']?.toString() }),
    );
    producer = traffic.producer;
  });

  afterAll(async () => {
    await traffic?.close();
    await scoring?.close();
    await telemetry?.shutdown();
  });

  it("publishes the overdue score in the trace of the event that opened the invoice", async () => {
    const customerId = uniqueName('cust-traced');
    const invoiceId = `${customerId}-now`;
    const script = new CustomerScript({ customerId }).open(invoiceId, '2026-02-20T06:00:00.000Z', '2026-03-05', 29_900);
    const invoiceTraceId = randomBytes(16).toString('hex');
    const invoiceTraceparent = `00-${invoiceTraceId}-${randomBytes(8).toString('hex')}-01`;
    await producer.send({
      topic: scoring.settings.topics.invoices,
      acks: -1,
      messages: script.events.map((event) => {
        const record = encodeBinary(event);
        return { ...record, headers: { ...record.headers, traceparent: invoiceTraceparent } };
      }),
    });

    const watched = await waitFor(
      async () => (await scoring.runtime.pool.query<{ traceparent: string | null }>(`SELECT traceparent FROM scoring.invoice_watch WHERE invoice_id = $1`, [invoiceId])).rows[0],
      { description: 'the invoice on the overdue watch' },
    );
    expect(traceIdOf(watched.traceparent)).toBe(invoiceTraceId);
    expect(published).toHaveLength(0);

    clock.set('2026-03-06T09:00:00.000Z'); // overdue: the scanner scores it on its next pass
    const score = await waitFor(() => published.find((p) => p.invoiceId === invoiceId), { description: 'the overdue score on scoring.scores.v1', timeoutMs: 30_000 });
    expect(traceIdOf(score.traceparent)).toBe(invoiceTraceId);
    expect(score.traceparent).not.toBe(invoiceTraceparent); // a child span (the scan's), not the producer's span itself
  });
});
