import { DunningAttributes as D, EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER } from '@dunning/telemetry';
import { uniqueName, waitFor } from '@dunning/testing';
import { mailTo, smsTo, startKannel, startSmtpCapture, uniqueEmail, uniquePhone } from '../test-support/peers';
import { NotifierHarness, type RunningNotifier } from '../test-support/notifier-process';
import { OtlpTraceReceiver, spanAttribute } from '../test-support/otlp-receiver';

// End to end: the notifier as its own process (main.ts, NestJS), real Kafka, real PostgreSQL, the
// real SMTP capture server and the real Kannel. Requests and invoice events go in on Kafka; mail
// arrives at the capture server, SMS at fakesmsc; outcomes come out on the deliveries topic.
// The crash runs set NOTIFIER_FAULT_INJECTION=after-provider-accepted: the process kills itself
// with SIGKILL right after a provider took a message and before `sent` is recorded.
// Every run exports its spans to an OTLP receiver, so the canary at the end covers the spans of the
// reconciliation and of a skipped message too (notifier-telemetry-canary.int.test.ts covers sending).

const harness = new NotifierHarness();
const receiver = new OtlpTraceReceiver();
const startNotifier = (options: { fault?: boolean } = {}): Promise<RunningNotifier> => harness.start({ ...options, env: receiver.env() });
const deliveryState = (actionId: string) => harness.deliveryState(actionId);
const outcomesFor = (actionId: string, minRecords: number) => harness.outcomesFor(actionId, minRecords);
const at = (offsetMs = 0): string => new Date(Date.now() + offsetMs).toISOString();

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

describe('notifier end to end (Kafka in, SMTP capture + Kannel out, outcomes on Kafka)', () => {
  const sweden = { customerId: uniqueName('cust-se'), name: 'Åsa Öberg', email: uniqueEmail(), phone: uniquePhone() };
  const germany = { customerId: uniqueName('cust-de'), name: 'Jürgen Groß', email: uniqueEmail(), phone: uniquePhone() };
  const paidMeanwhile = { customerId: uniqueName('cust-paid'), name: 'Per Betald', email: uniqueEmail(), phone: uniquePhone() };
  let smsAction = '';
  let emailAction = '';

  it('exactly once when killed between the provider accepting and the notifier recording it (SMS via Kannel, e-mail via SMTP)', async () => {
    const seInvoice = uniqueName('INV-SE');
    await harness.openInvoice(sweden, seInvoice, 'sv-SE', 'SE', 'SEK');
    const deInvoice = uniqueName('INV-DE');
    await harness.openInvoice(germany, deInvoice, 'de-DE', 'DE', 'EUR');
    smsAction = await harness.requestReminder(sweden, seInvoice, 'sms', 'sv-SE');
    emailAction = await harness.requestReminder(germany, deInvoice, 'email', 'de-DE');
    // The same request again (a redelivery upstream): still one delivery.
    await harness.requestReminder(germany, deInvoice, 'email', 'de-DE');

    // Run 1 and run 2 each die right after a provider took a message (SIGKILL, nothing recorded).
    const first = await startNotifier({ fault: true });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const second = await startNotifier({ fault: true });
    expect(await second.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Run 3 is healthy: it reconciles the attempt left in `sending` and must not send it again.
    const third = await startNotifier();
    try {
      await waitFor(async () => {
        const [sms, email] = await Promise.all([deliveryState(smsAction), deliveryState(emailAction)]);
        return sms && email && ['sent', 'delivered'].includes(sms.state) && ['sent', 'delivered'].includes(email.state) ? true : undefined;
      }, { timeoutMs: 60_000, description: 'both deliveries recorded as sent' });

      const mails = await mailTo(germany.email);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe(`Zahlungserinnerung: Rechnung ${deInvoice}`);
      expect(mails[0]!.text).toContain('Hallo Jürgen Groß,');
      expect(mails[0]!.text).toContain('499,00\u00a0€');
      expect(mails[0]!.envelope.to).toEqual([germany.email]);

      const sms = await waitFor(() => (smsTo(sweden.phone).length > 0 ? smsTo(sweden.phone) : undefined), { timeoutMs: 10_000, description: 'the SMS' });
      expect(sms).toHaveLength(1);
      expect(sms[0]!.text).toContain(`Hej Åsa Öberg! Det här är Telco. Faktura ${seInvoice} (499,00 kr) förföll 31 mars 2026.`);

      // Delivery reports (retried by smsbox while the notifier was down) complete the SMS.
      await waitFor(async () => ((await deliveryState(smsAction))?.state === 'delivered' ? true : undefined), { timeoutMs: 30_000, description: 'the SMS delivered' });
      expect(await outcomesFor(smsAction, 3)).toEqual(['notifier.message.sent.v1', 'notifier.message.delivered.v1']);
      expect(await outcomesFor(emailAction, 3)).toEqual(['notifier.message.sent.v1']);
      expect(mails).toHaveLength((await mailTo(germany.email)).length); // still one, after everything settled
      expect(smsTo(sweden.phone)).toHaveLength(1);
    } finally {
      await harness.stop(third);
    }
  }, 300_000);

  it('promise 1: a payment that arrives after the request but before sending means no message', async () => {
    const invoiceId = uniqueName('INV-PAID');
    // The notifier is up first: its start (slow on a busy machine) must not eat the send window.
    const notifier = await startNotifier();
    try {
      await harness.openInvoice(paidMeanwhile, invoiceId, 'sv-SE', 'SE', 'SEK');
      // The request may not go out for a few seconds (its send window), and the payment lands meanwhile.
      const actionId = await harness.requestReminder(paidMeanwhile, invoiceId, 'email', 'sv-SE', { sendWindow: { notBefore: at(12_000), notAfter: at(3_600_000) } });
      await waitFor(async () => ((await deliveryState(actionId))?.outcome_code === 'deferred-not-before' ? true : undefined), { timeoutMs: 30_000, description: 'the request accepted and waiting' });
      await harness.settleInvoice(paidMeanwhile, invoiceId);
      const final = await waitFor(async () => {
        const state = await deliveryState(actionId);
        return state?.state === 'skipped' || state?.state === 'sent' ? state : undefined;
      }, { timeoutMs: 30_000, description: 'the delivery decided' });
      expect(final).toEqual({ state: 'skipped', outcome_code: 'invoice-closed' });
      expect(await mailTo(paidMeanwhile.email)).toHaveLength(0);
      // The topic already holds the first test's outcomes: wait for this action's own (the relay publishes it after the commit).
      const outcomes = await waitFor(async () => {
        const found = await outcomesFor(actionId, 1);
        return found.length > 0 ? found : undefined;
      }, { timeoutMs: 30_000, description: 'the skipped outcome on the deliveries topic' });
      expect(outcomes).toEqual(['notifier.message.skipped.v1']);
    } finally {
      await harness.stop(notifier);
    }
  }, 180_000);

  it('promise 7 canary: the notifier\'s logs and spans hold no name, e-mail address or phone number', async () => {
    const logs = harness.output.join('');
    expect(logs.length).toBeGreaterThan(0);
    const canaries = [sweden, germany, paidMeanwhile].flatMap((customer) => [customer.name, customer.email, customer.phone]);
    for (const value of canaries) expect(logs).not.toContain(value);

    // The healthy runs' spans: the reconciliation of the attempts the killed runs left, and the skip.
    await waitFor(() => (receiver.spans().some((span) => span.name === 'notifier reconcile') ? true : undefined), { timeoutMs: 10_000, description: 'the reconciliation spans exported' });
    const spans = receiver.spans();
    // Run 3 at least reconciles the attempt run 2 was killed after (run 2's spans may die with it).
    const reconciled = spans.filter((span) => span.name === 'notifier reconcile' && [smsAction, emailAction].includes(String(spanAttribute(span, D.action.id))));
    expect(reconciled.map((span) => [spanAttribute(span, D.delivery.status), spanAttribute(span, D.delivery.reason)])).toContainEqual(['sent', 'reconciled']);
    const verdicts = spans.filter((span) => span.name === 'notifier reconcile smtp' || span.name === 'notifier reconcile kannel').map((span) => spanAttribute(span, D.delivery.reconcileVerdict));
    expect(verdicts).toContain('accepted');
    const skips = spans.filter((span) => span.name === 'notifier send-time checks' && spanAttribute(span, D.decision.outcome) === 'skip');
    expect(skips.map((span) => spanAttribute(span, D.decision.reason))).toContain('invoice-closed');

    const strings = receiver.strings();
    expect(strings).toContain(germany.customerId); // the scan sees the (pseudonymous) ids the spans carry
    for (const value of canaries) expect(strings.filter((text) => text.includes(value))).toEqual([]);
    expect(strings.filter((text) => text.includes(EMAIL_PLACEHOLDER) || text.includes(PHONE_PLACEHOLDER))).toEqual([]);
    expect(spans.filter((span) => span.name.startsWith('notifier ') && (span.droppedAttributesCount ?? 0) > 0).map((span) => span.name)).toEqual([]);
  });
});
