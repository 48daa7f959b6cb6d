import { randomUUID } from 'node:crypto';
import { COLLECTION_SOURCE, deadLetterTopicOf } from '@dunning/contracts';
import { readTopicWithKcat, uniqueName, waitFor } from '@dunning/testing';
import { canaryCustomer, getJson, invoiceIssued, postEvent } from '../testing/fixtures';
import { createTestTopics, dropDatabase, startInvoicing, TEST_KEYS, type RunningInvoicing } from '../testing/harness';
import { produceWithKcat } from '../testing/kcat';

/** Hand-off and recall reach the invoice from collection.cases.v1; a case for an unknown invoice is dead-lettered. */
describe('collection cases change the invoice', () => {
  let service: RunningInvoicing;
  let topics: Awaited<ReturnType<typeof createTestTopics>>;
  const prefix = uniqueName('inv-coll');
  const customer = canaryCustomer();

  beforeAll(async () => {
    topics = await createTestTopics(prefix);
    service = await startInvoicing({ topicPrefix: prefix });
  });

  afterAll(async () => {
    await service?.stop();
    if (service) await dropDatabase(service.database);
  });

  const produceCase = (type: string, data: Record<string, unknown>) =>
    produceWithKcat(topics.collectionCases, customer.customerId, JSON.stringify({ customerId: customer.customerId, ...data }), {
      ce_specversion: '1.0',
      ce_id: randomUUID(),
      ce_source: COLLECTION_SOURCE,
      ce_type: type,
      ce_time: '2026-05-01T10:00:00Z',
      'content-type': 'application/json',
    });

  it('records the hand-off and the recall, and publishes both', async () => {
    expect((await postEvent(service.baseUrl, TEST_KEYS.writer, invoiceIssued(customer, 'INV-COLL-1', 12_000))).status).toBe(200);
    await produceCase('collection.case.opened.v1', {
      collectionCaseId: 'CASE-1',
      actionId: 'ACT-1',
      invoiceId: 'INV-COLL-1',
      agencyId: 'agency-a',
      openedAt: '2026-05-01T10:00:00Z',
      amount: { minor: 12_000, currency: 'SEK' },
    });
    await produceCase('collection.case.recalled.v1', { collectionCaseId: 'CASE-1', invoiceId: 'INV-COLL-1', agencyId: 'agency-a', recalledAt: '2026-05-03T10:00:00Z', reasonCode: 'paid' });
    await produceCase('collection.case.opened.v1', {
      collectionCaseId: 'CASE-2',
      actionId: 'ACT-2',
      invoiceId: 'INV-NOBODY-KNOWS',
      agencyId: 'agency-a',
      openedAt: '2026-05-01T10:00:00Z',
      amount: { minor: 100, currency: 'SEK' },
    });

    const invoice = await waitFor(
      async () => {
        const found = await getJson(service.baseUrl, '/invoices/INV-COLL-1', TEST_KEYS.reader);
        const state = found.body['invoice'] as { collection?: { status: string } } | undefined;
        return state?.collection?.status === 'recalled' ? found.body : undefined;
      },
      { timeoutMs: 60_000, description: 'the recall to be recorded' },
    );
    expect((invoice['history'] as { type: string }[]).map((entry) => entry.type)).toEqual(['InvoiceIssued', 'InvoiceHandedOff', 'InvoiceRecalled']);

    const published = await readTopicWithKcat(topics.invoices, { minRecords: 4, timeoutMs: 60_000 });
    const types = published.map((record) => record.headers.find(([name]) => name === 'ce_type')?.[1]);
    expect(types).toEqual(['invoicing.customer.updated.v1', 'invoicing.invoice.opened.v1', 'invoicing.invoice.handed-off.v1', 'invoicing.invoice.recalled.v1']);
    expect(JSON.parse(published[2]!.value!)).toMatchObject({ collectionCaseId: 'CASE-1', amount: { minor: 12_000, currency: 'SEK' } });

    const dlq = await readTopicWithKcat(deadLetterTopicOf(topics.collectionCases), { minRecords: 1, timeoutMs: 30_000 });
    expect(Object.fromEntries(dlq[0]!.headers)).toMatchObject({ 'dlq.error.code': 'unknown-invoice' });
  });
});
