import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DunningAttributes as D, EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER } from '@dunning/telemetry';
import { uniqueName, waitFor } from '@dunning/testing';
import { header, NotifierHarness, type ReminderChannel, type TestCustomer } from '../test-support/notifier-process';
import { OtlpTraceReceiver, spanAttribute as attribute } from '../test-support/otlp-receiver';
import { mailTo, smsTo, startKannel, startSmtpCapture, uniqueEmail, uniquePhone } from '../test-support/peers';

// Promise 7 canary for the notifier's own telemetry: one customer with canary personal data (name,
// e-mail address, phone number, postal address) gets an e-mail (real SMTP capture server), an SMS
// (real Kannel, with delivery reports) and a letter (drop folder). The notifier runs as its own
// process exporting spans over OTLP/HTTP (JSON) to a receiver this test plays on 127.0.0.1, exactly
// as a deployment configures it with OTEL_* variables. Every exported byte — span attributes, events,
// links, status messages, resources — and every line the process logged is searched for the canaries.
// The spans must also show that the notifier never handed the attribute guard anything to clean up:
// its spans drop no attribute and carry no [email]/[phone] placeholder, so a slip in the notifier's
// code fails here even where the guard would have hidden it.

const harness = new NotifierHarness();
const receiver = new OtlpTraceReceiver();

const canary: Required<TestCustomer> & { readonly firstName: string; readonly lastName: string } = {
  customerId: uniqueName('cust-canary'),
  firstName: 'Kanarie',
  lastName: 'Fågelsångare',
  name: 'Kanarie Fågelsångare',
  email: uniqueEmail(),
  phone: uniquePhone(),
  postalAddress: { lines: ['Kanariegränd 7 B'], postalCode: '987 65', city: 'Fjäderby', country: 'SE' },
};

/** Every form a canary could leak in: whole values and their telling parts. */
function canaryValues(): string[] {
  const address = canary.postalAddress;
  return [
    canary.name,
    canary.firstName,
    canary.lastName,
    canary.email,
    canary.email.split('@')[0] ?? canary.email,
    canary.phone,
    canary.phone.replace(/^\+/, ''),
    ...address.lines,
    address.postalCode ?? '',
    address.city,
  ].filter((value) => value.length > 0);
}

function leaksIn(text: string): string[] {
  const lower = text.toLowerCase();
  return canaryValues().filter((value) => lower.includes(value.toLowerCase()));
}

function newTraceparent(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

beforeAll(async () => {
  startSmtpCapture();
  startKannel();
  await harness.setUp();
  await receiver.start();
}, 120_000);

afterAll(async () => {
  await receiver.stop();
  await harness.tearDown();
});

describe('promise 7 canary: the notifier’s spans and logs hold no personal data', () => {
  const requests: { channel: ReminderChannel; invoiceId: string; actionId: string; traceId: string }[] = [];

  beforeAll(async () => {
    for (const channel of ['email', 'sms', 'letter'] as const) {
      const invoiceId = uniqueName(`INV-CANARY-${channel}`);
      const { traceId, traceparent } = newTraceparent();
      await harness.openInvoice(canary, invoiceId, 'sv-SE', 'SE', 'SEK');
      // The orchestrator's span as the request carries it: the notifier's work must continue it.
      const actionId = await harness.requestReminder(canary, invoiceId, channel, 'sv-SE', {}, { traceparent });
      requests.push({ channel, invoiceId, actionId, traceId });
    }
    const notifier = await harness.start({ env: { ...receiver.env(), OTEL_SERVICE_NAME: 'notifier' } });
    try {
      const byChannel = (channel: ReminderChannel) => requests.find((r) => r.channel === channel)?.actionId ?? '';
      await waitFor(
        async () => {
          const [email, sms, letter] = await Promise.all([harness.deliveryState(byChannel('email')), harness.deliveryState(byChannel('sms')), harness.deliveryState(byChannel('letter'))]);
          // The SMS must be `delivered`: Kannel's delivery reports are a code path of their own.
          return email?.state === 'sent' && sms?.state === 'delivered' && letter?.state === 'sent' ? true : undefined;
        },
        { timeoutMs: 90_000, description: 'e-mail and letter sent, SMS delivered' },
      );
    } finally {
      await harness.stop(notifier); // SIGTERM: the shutdown hook flushes the last spans
    }
    await waitFor(() => (receiver.spans().some((span) => span.name === 'notifier delivery report') ? true : undefined), { timeoutMs: 20_000, description: 'the spans exported' });
  }, 240_000);

  it('sent the canary customer real messages, so there was personal data to leak', async () => {
    const mails = await mailTo(canary.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(canary.name);
    expect(smsTo(canary.phone)).toHaveLength(1);
    const manifests = readdirSync(harness.letters).filter((file) => file.endsWith('.json'));
    expect(manifests).toHaveLength(1);
    expect(readFileSync(join(harness.letters, manifests[0]!), 'utf8')).toContain(canary.postalAddress.lines[0]);
  });

  it('exported the notifier’s spans: intake, send-time checks, every provider call, delivery reports', () => {
    const spans = receiver.spans();
    expect(spans.length).toBeGreaterThanOrEqual(25);
    const names = new Set(spans.map((span) => span.name));
    for (const name of ['notifier accept reminder request', 'notifier apply invoice event', 'notifier dispatch', 'notifier contact lookup', 'notifier send-time checks', 'notifier delivery report']) {
      expect(names).toContain(name);
    }
    for (const [provider, request] of [['smtp', requests[0]], ['kannel', requests[1]], ['letter-drop', requests[2]]] as const) {
      const send = spans.filter((span) => span.name === `notifier send ${provider}`);
      expect(send).toHaveLength(1);
      expect(attribute(send[0]!, D.delivery.status)).toBe('accepted');
      expect(attribute(send[0]!, D.delivery.channel)).toBe(request?.channel);
      // The provider call happens inside the dispatch that sent it (an earlier pass may have deferred
      // it, e.g. before the invoice arrived), in the trace the request came with.
      const dispatch = spans.find((span) => span.spanId === send[0]!.parentSpanId);
      expect(dispatch?.name).toBe('notifier dispatch');
      expect(dispatch && attribute(dispatch, D.action.id)).toBe(request?.actionId);
      expect(dispatch && attribute(dispatch, D.delivery.status)).toBe('sent');
      expect(send[0]!.traceId).toBe(request?.traceId);
      expect(dispatch?.traceId).toBe(request?.traceId);
    }
    const outcomes = spans.filter((span) => span.name === 'notifier send-time checks').map((span) => attribute(span, D.decision.outcome));
    expect(outcomes.filter((outcome) => outcome === 'send')).toHaveLength(3);
    expect(outcomes.every((outcome) => outcome === 'send' || outcome === 'defer')).toBe(true);
  });

  it('carries each request’s trace on to its outcome event (the outbox row took the dispatch’s context)', async () => {
    for (const request of requests) {
      const records = await harness.outcomeRecordsFor(request.actionId, 4);
      const sent = records.find((record) => header(record, 'ce_type') === 'notifier.message.sent.v1');
      expect(sent && header(sent, 'traceparent')).toMatch(new RegExp(`^00-${request.traceId}-[0-9a-f]{16}-01$`));
    }
  });

  it('has no canary value in any span attribute, event, link, status message or resource', () => {
    const strings = receiver.strings();
    // The scan sees what the spans do carry: pseudonymous ids.
    expect(strings).toContain(canary.customerId);
    expect(strings).toContain(requests[0]!.invoiceId);
    expect(strings.flatMap(leaksIn)).toEqual([]);
    expect(receiver.bodies.flatMap(leaksIn)).toEqual([]);
  });

  it('handed the attribute guard nothing to clean up: no unregistered attribute, no scrubbed address or number', () => {
    const own = receiver.spans().filter((span) => span.name.startsWith('notifier '));
    expect(own.length).toBeGreaterThanOrEqual(15);
    expect(own.filter((span) => (span.droppedAttributesCount ?? 0) > 0).map((span) => span.name)).toEqual([]);
    const placeholders = receiver.strings().filter((value) => value.includes(EMAIL_PLACEHOLDER) || value.includes(PHONE_PLACEHOLDER));
    expect(placeholders).toEqual([]);
  });

  it('logged no canary value', () => {
    const logs = harness.output.join('');
    expect(logs).toContain('send-time decision'); // the scan has the process's log lines
    expect(leaksIn(logs)).toEqual([]);
  });
});
