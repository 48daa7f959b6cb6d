import { DunningAttributes } from '@dunning/telemetry';
import { waitFor } from '@dunning/testing';
import type { RunningPlatform } from './support/platform-processes';
import { SERVICE_NAMES } from './support/platform-processes';
import {
  awaitEvent,
  BillingProducer,
  canariesOf,
  canaryCustomer,
  ensurePeers,
  invoiceIssued,
  newTraceparent,
  startJourneyPlatform,
  zipkinTrace,
  zipkinTracesTagged,
  type ZipkinSpan,
} from './support/journey';

// The operator's view of one invoice: its journey is ONE trace in Zipkin (the real server from Maven
// Central, deploy/local/peers/zipkin.sh). The test produces the billing event with a traceparent of
// its own, so it knows the trace id before any service has seen the event, then fetches that trace
// (GET /api/v2/trace/{traceId}) and looks for spans of all five services — the chain runs through
// two outboxes: billing event → invoicing (outbox) → scoring / orchestrator / collection-handoff /
// notifier; orchestrator (outbox) → notifier. No span may carry the customer's personal data.

describe('one invoice’s journey is one trace across the five services (Zipkin)', () => {
  let platform: RunningPlatform;
  let billing: BillingProducer;
  const customer = canaryCustomer('e2e-email');
  const { traceId, traceparent } = newTraceparent();
  const diagnostics = () => platform.logTail();

  beforeAll(async () => {
    await ensurePeers(['smtp', 'kannel', 'wiremock', 'zipkin']);
    platform = await startJourneyPlatform('zipkin');
    billing = new BillingProducer(platform.topics.billingEvents);
    await billing.connect();
    await billing.produce(invoiceIssued(customer), traceparent);
  }, 300_000);

  afterAll(async () => {
    await billing?.disconnect();
    await platform?.stop();
  }, 120_000);

  it('carries the billing event’s trace context through every outbox onto the next topic', async () => {
    const opened = await awaitEvent(platform.topics.invoicingInvoices, 'invoicing.invoice.opened.v1', (data) => data['invoiceId'] === customer.invoiceId, { diagnostics });
    expect(opened.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const request = await awaitEvent(platform.topics.dunningActions, 'dunning.reminder.requested.v1', (data) => data['invoiceId'] === customer.invoiceId, { diagnostics });
    expect(request.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it('finds spans of all five services in the invoice’s trace, the notifier’s reached through the orchestrator’s outbox', async () => {
    // [service, span name]: what the journey leaves in each service, as one trace.
    const expected: [string, string][] = [
      ['invoicing', `process ${platform.topics.billingEvents}`],
      ...['scoring', 'dunning-orchestrator', 'notifier', 'collection-handoff'].map((consumer): [string, string] => [consumer, `process ${platform.topics.invoicingInvoices}`]),
      // Through the orchestrator's outbox:
      ['notifier', `process ${platform.topics.dunningActions}`],
      ['collection-handoff', `process ${platform.topics.dunningActions}`],
    ];
    const missingIn = (found: ZipkinSpan[]) => expected.filter(([service, name]) => !found.some((span) => span.localEndpoint?.serviceName === service && span.name === name));
    // A span is exported when it ends, and a parent (a consumer's batch span) ends after its
    // children: wait until every parent has arrived too, not only the spans named above.
    const orphanParents = (found: ZipkinSpan[]) => {
      const ids = new Set(found.map((span) => span.id));
      return found.filter((span) => span.parentId !== undefined && !ids.has(span.parentId)).map((span) => span.parentId);
    };
    const rootParent = traceparent.split('-')[2];
    const spans = await waitFor(
      async () => {
        const found = await zipkinTrace(traceId);
        const settled = missingIn(found).length === 0 && orphanParents(found).every((parent) => parent === rootParent);
        return settled ? found : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000, description: `trace ${traceId} in Zipkin with ${expected.map(([service, name]) => `${service}: ${name}`).join('; ')}` },
    ).catch(async (error: Error) => {
      const found = await zipkinTrace(traceId).catch(() => [] as ZipkinSpan[]);
      throw new Error(`${error.message}\nmissing: ${JSON.stringify(missingIn(found))}\nparents never exported: ${JSON.stringify(orphanParents(found).filter((parent) => parent !== rootParent))}\nspans in the trace:\n${found.map((s) => `  ${s.localEndpoint?.serviceName}: ${s.name}`).join('\n')}\n${diagnostics()}`);
    });

    expect(new Set(spans.map((span) => span.localEndpoint?.serviceName))).toEqual(new Set(SERVICE_NAMES));
    expect(spans.every((span) => span.traceId === traceId)).toBe(true);
    expect(missingIn(spans)).toEqual([]);

    // One connected tree: every span's parent is in the trace, except the root's, which is the
    // billing system's span (the test's traceparent), never exported.
    expect(orphanParents(spans)).toEqual([rootParent]);
  });

  it('is found in Zipkin by the invoice id, the way an operator looks for it', async () => {
    const traceIds = await waitFor(
      async () => {
        const ids = (await zipkinTracesTagged('invoicing', DunningAttributes.invoice.id, customer.invoiceId)).map((trace) => trace[0]?.traceId);
        return ids.length > 0 ? ids : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000, description: `a trace tagged ${DunningAttributes.invoice.id}=${customer.invoiceId}` },
    );
    expect(traceIds).toEqual([traceId]);
  });

  it('has no personal data in any span of the trace (promise 7)', async () => {
    const spans = await zipkinTrace(traceId);
    expect(spans.length).toBeGreaterThanOrEqual(6);
    const exported = JSON.stringify(spans);
    for (const canary of canariesOf(customer)) expect(exported).not.toContain(canary);
    // The scan can see: the spans do carry the customer's (pseudonymous) ids.
    expect(exported).toContain(customer.invoiceId);
    expect(exported).toContain(customer.customerId);
  });
});
