import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { DunningAttributes as D, EMAIL_PLACEHOLDER, GeneralAttributes as G, PHONE_PLACEHOLDER, startTelemetry, type TelemetryHandle } from '@dunning/telemetry';
import { waitFor } from '@dunning/testing';
import { canaryCustomer, ce, invoiceIssued, postEvent, type CanaryCustomer } from '../testing/fixtures';
import { dropDatabase, startInvoicing, TEST_KEYS, type RunningInvoicing } from '../testing/harness';
import { HTTP_INGEST_SPAN } from './telemetry';

/**
 * HTTP ingestion has a span per request, like a consumed Kafka record: the real invoicing app (in
 * this process, real PostgreSQL), telemetry started here with an in-memory exporter behind the
 * platform's attribute guard. Every attribute comes from libs/telemetry's registry and the guard
 * has nothing to clean up: no attribute dropped, no [email]/[phone] placeholder, no canary value.
 */
describe('spans of HTTP billing-event ingestion (real app and database)', () => {
  let telemetry: TelemetryHandle;
  let exporter: InMemorySpanExporter;
  let service: RunningInvoicing | undefined;

  beforeAll(async () => {
    exporter = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'invoicing-http-spans-test', env: {}, spanExporters: [exporter] });
    service = await startInvoicing({ background: false });
  });

  afterAll(async () => {
    await service?.stop();
    if (service) await dropDatabase(service.database);
    await telemetry?.shutdown();
  });

  beforeEach(() => exporter.reset());

  const ingestSpan = () =>
    waitFor(() => exporter.getFinishedSpans().filter((span) => span.name === HTTP_INGEST_SPAN)[0], { timeoutMs: 5_000, description: 'the HTTP ingestion span' });

  /** What the guard would have had to clean up, and any canary value that got through. */
  function leaks(span: ReadableSpan, customer: CanaryCustomer): string[] {
    const exported = JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events, links: span.links, status: span.status });
    const found = [customer.name, customer.email, customer.phone, customer.street, EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER].filter((value) => exported.includes(value));
    return span.droppedAttributesCount > 0 ? [...found, `${span.droppedAttributesCount} dropped attributes`] : found;
  }

  /** A span's attributes for a request to POST /billing-events refused with `status` and `code`. */
  const rejected = (status: number, code: unknown) => ({
    [G.httpRequestMethod]: 'POST',
    [G.httpRoute]: '/billing-events',
    [G.httpResponseStatusCode]: status,
    [D.ingest.outcome]: 'rejected',
    [D.ingest.rejectionReason]: code,
  });

  it('an accepted event: route, status, outcome, type and pseudonymous ids; the outbox rows continue its trace', async () => {
    const customer = canaryCustomer();
    const answer = await postEvent(service!.baseUrl, TEST_KEYS.writer, invoiceIssued(customer, 'INV-SPAN-1', 10_000));
    expect(answer.status).toBe(200);
    const span = await ingestSpan();
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.attributes).toEqual({
      [G.httpRequestMethod]: 'POST',
      [G.httpRoute]: '/billing-events',
      [G.httpResponseStatusCode]: 200,
      [D.ingest.outcome]: 'accepted',
      [D.event.type]: 'billing.invoice.issued',
      [D.invoice.id]: 'INV-SPAN-1',
      [D.customer.id]: customer.customerId,
    });
    expect(leaks(span, customer)).toEqual([]);
    const { rows } = await service!.db.query<{ traceparent: string | null }>(`SELECT headers->>'traceparent' AS traceparent FROM "${service!.config.schema}".outbox`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.traceparent?.split('-')[1]).toBe(span.spanContext().traceId);
  });

  it('a rejected event: the rejection code, never the offending value or the refused body', async () => {
    const customer = canaryCustomer();
    const negative = invoiceIssued(customer, 'INV-SPAN-2', 10_000);
    negative.data['amount'] = { minor: -1, currency: 'SEK' };
    const answer = await postEvent(service!.baseUrl, TEST_KEYS.writer, negative);
    expect(answer.status).toBe(400);
    const span = await ingestSpan();
    expect(span.attributes).toEqual({ ...rejected(400, answer.body['code']), [D.event.type]: 'billing.invoice.issued' });
    expect(leaks(span, customer)).toEqual([]);
  });

  it("a refused request whose type is not the contract's (here an e-mail address): no type on the span, nothing for the guard to scrub", async () => {
    const customer = canaryCustomer();
    const answer = await postEvent(service!.baseUrl, TEST_KEYS.writer, ce(customer.email, { customerId: customer.customerId, name: customer.name }));
    expect(answer.status).toBe(400);
    const span = await ingestSpan();
    expect(span.attributes).toEqual(rejected(400, answer.body['code']));
    expect(leaks(span, customer)).toEqual([]);
  });

  it('the data-only route: its template, not the type from the path', async () => {
    const customer = canaryCustomer();
    const response = await fetch(`${service!.baseUrl}/billing-events/billing.customer.terminated`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_KEYS.writer}`, 'idempotency-key': `term-${customer.customerId}` },
      body: JSON.stringify({ customerId: customer.customerId, terminatedAt: '2026-03-02T10:00:00Z' }),
    });
    const span = await ingestSpan();
    expect(span.attributes).toMatchObject({ [G.httpRoute]: '/billing-events/{type}', [G.httpResponseStatusCode]: response.status, [D.event.type]: 'billing.customer.terminated', [D.customer.id]: customer.customerId });
    expect(leaks(span, customer)).toEqual([]);
  });
});
