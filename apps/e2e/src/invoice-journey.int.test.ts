import { waitFor } from '@dunning/testing';
import type { RunningPlatform } from './support/platform-processes';
import {
  agencyRequests,
  awaitEvent,
  BillingProducer,
  canariesOf,
  canaryCustomer,
  ensurePeers,
  eventsOn,
  invoiceIssued,
  mailTo,
  paymentReceived,
  smsTextTo,
  startJourneyPlatform,
  type Customer,
} from './support/journey';

// The five services as separate processes, wired by scripts/platform.sh for a platform instance of
// this run (own topics, consumer groups, databases, secrets), against the real broker, PostgreSQL,
// SMTP capture server, Kannel and the WireMock agency. Billing events go in on billing.events.v1;
// every step is read where the next service reads it: on its topic, at the mail server, at the SMSC.
//
// Time: the orchestrator runs on its simulated clock, five days after the due date, so the policy's
// first overdue step is due at once (apps/e2e/fixtures/journey-policy.yaml); the other services use
// the real clock, to which the invoice is long overdue.

describe('an invoice’s journey through invoicing, scoring, the orchestrator, the notifier and collection-handoff', () => {
  let platform: RunningPlatform;
  let billing: BillingProducer;
  const byEmail = canaryCustomer('e2e-email');
  const bySms = canaryCustomer('e2e-sms');
  const toCollection = canaryCustomer('e2e-collection');
  const diagnostics = () => platform.logTail();

  beforeAll(async () => {
    await ensurePeers(['smtp', 'kannel', 'wiremock']);
    platform = await startJourneyPlatform('none');
    billing = new BillingProducer(platform.topics.billingEvents);
    await billing.connect();
    for (const customer of [byEmail, bySms, toCollection]) await billing.produce(invoiceIssued(customer));
  }, 300_000);

  afterAll(async () => {
    await billing?.disconnect();
    await platform?.stop();
  }, 120_000);

  const forInvoice = (customer: Customer) => (data: Record<string, unknown>) => data['invoiceId'] === customer.invoiceId;

  it('opens the invoice, scores it, asks for an e-mail reminder, the mail arrives and its delivery is reported', async () => {
    const opened = await awaitEvent(platform.topics.invoicingInvoices, 'invoicing.invoice.opened.v1', forInvoice(byEmail), { diagnostics });
    expect(opened.key).toBe(byEmail.customerId);
    expect(opened.data).toMatchObject({ invoiceId: byEmail.invoiceId, amount: { minor: byEmail.amountMinor, currency: 'SEK' }, customer: { country: 'SE', timeZone: 'Europe/Stockholm' } });

    const score = await awaitEvent(platform.topics.scoringScores, 'scoring.score.computed.v1', forInvoice(byEmail), { diagnostics });
    expect(score.data['modelVersion']).toBe('prior-v1');
    expect(score.data['probabilityPaysWithoutCollection']).toEqual(expect.any(Number));

    const request = await awaitEvent(platform.topics.dunningActions, 'dunning.reminder.requested.v1', forInvoice(byEmail), { diagnostics });
    expect(request.data).toMatchObject({ channel: 'email', templateId: 'reminder', stepId: 'email-reminder', policyVersion: 'e2e-journey@1', locale: 'sv-SE' });

    const mails = await waitFor(async () => {
      const found = await mailTo(byEmail.email);
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500, description: `mail to ${byEmail.email} at the SMTP capture server` });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain(byEmail.paymentReference);

    const sent = await awaitEvent(platform.topics.notifierDeliveries, 'notifier.message.sent.v1', (data) => data['actionId'] === request.data['actionId'], { diagnostics });
    expect(sent.data).toMatchObject({ invoiceId: byEmail.invoiceId, channel: 'email', provider: expect.stringMatching(/smtp/i) });
    // The notifier's Message-ID names the delivery: the mail that arrived is the one reported.
    expect(mails[0]?.messageId).toContain(String(sent.data['deliveryId']));
  });

  it('sends an SMS through Kannel for the SMS flow and reports it sent, then delivered (DLR)', async () => {
    const request = await awaitEvent(platform.topics.dunningActions, 'dunning.reminder.requested.v1', forInvoice(bySms), { diagnostics });
    expect(request.data['channel']).toBe('sms');

    const text = await waitFor(() => smsTextTo(bySms.phone) || undefined, { timeoutMs: 60_000, intervalMs: 500, description: `an SMS to ${bySms.phone} at fakesmsc` });
    expect(text).toContain(bySms.paymentReference);

    const isOurs = (data: Record<string, unknown>) => data['actionId'] === request.data['actionId'];
    await awaitEvent(platform.topics.notifierDeliveries, 'notifier.message.sent.v1', isOurs, { diagnostics });
    const delivered = await awaitEvent(platform.topics.notifierDeliveries, 'notifier.message.delivered.v1', isOurs, { diagnostics });
    expect(delivered.data).toMatchObject({ invoiceId: bySms.invoiceId, channel: 'sms' });
  });

  it('hands the collection flow’s case to the agency, and recalls it when the customer pays', async () => {
    const request = await awaitEvent(platform.topics.dunningActions, 'dunning.handoff.requested.v1', forInvoice(toCollection), { diagnostics });
    expect(request.data).toMatchObject({ amountDue: { minor: toCollection.amountMinor, currency: 'SEK' } });

    const opened = await awaitEvent(platform.topics.collectionCases, 'collection.case.opened.v1', forInvoice(toCollection), { diagnostics });
    expect(opened.data).toMatchObject({ actionId: request.data['actionId'], agencyId: 'inkasso-se', customerId: toCollection.customerId });
    // The claim reached the agency's API with our token, and the debtor's contact that
    // collection-handoff fetched from invoicing with its own key (personal data goes to the agency only).
    const [claim] = await agencyRequests('/inkasso-se/v1/claims', toCollection.invoiceId);
    expect(claim?.headers['Authorization']).toBe(`Bearer ${platform.secret('agency-inkasso-se-token')}`);
    expect(JSON.parse(claim?.body ?? '{}')).toMatchObject({ invoiceId: toCollection.invoiceId, debtor: { name: toCollection.name, email: toCollection.email } });
    // Invoicing and the orchestrator take the hand-off in.
    await awaitEvent(platform.topics.invoicingInvoices, 'invoicing.invoice.handed-off.v1', forInvoice(toCollection), { diagnostics });

    await billing.produce(paymentReceived(toCollection));
    await awaitEvent(platform.topics.invoicingInvoices, 'invoicing.invoice.settled.v1', forInvoice(toCollection), { diagnostics });
    const recalled = await awaitEvent(platform.topics.collectionCases, 'collection.case.recalled.v1', forInvoice(toCollection), { diagnostics });
    expect(recalled.data).toMatchObject({ collectionCaseId: opened.data['collectionCaseId'], agencyId: 'inkasso-se' });
    expect(await agencyRequests(`/inkasso-se/v1/claims/${claim?.headers['Idempotency-Key'] ?? '?'}/recall`)).toHaveLength(1);
    const closed = await awaitEvent(platform.topics.dunningActions, 'dunning.case.closed.v1', forInvoice(toCollection), { diagnostics });
    expect(closed.data['outcomeCode']).toBe('paid');
  });

  it('keeps the customers’ personal data off every platform topic (promise 7)', async () => {
    const canaries = [byEmail, bySms, toCollection].flatMap(canariesOf);
    const outputTopics = [platform.topics.invoicingInvoices, platform.topics.scoringScores, platform.topics.dunningActions, platform.topics.notifierDeliveries, platform.topics.collectionCases];
    let records = 0;
    for (const topic of outputTopics) {
      for (const event of await eventsOn(topic)) {
        records += 1;
        const wire = JSON.stringify(event.raw);
        for (const canary of canaries) expect(wire).not.toContain(canary);
      }
    }
    // The scan looked at something: the three journeys above put at least this much on the topics.
    expect(records).toBeGreaterThanOrEqual(12);
  });
});
