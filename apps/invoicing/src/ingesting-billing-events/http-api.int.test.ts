import { startInvoicing, TEST_KEYS, type RunningInvoicing, dropDatabase } from '../testing/harness';
import { canaryCustomer, getJson, invoiceIssued, paymentReceived, postEvent } from '../testing/fixtures';

/** The HTTP API applies billing events like Kafka does: state, history, duplicates, holds. */
describe('invoicing over HTTP', () => {
  let service: RunningInvoicing;

  beforeAll(async () => {
    service = await startInvoicing({ background: false });
  });

  afterAll(async () => {
    await service?.stop();
    if (service) await dropDatabase(service.database);
  });

  it('issues, pays in part and settles an invoice, with its history', async () => {
    const customer = canaryCustomer();
    const issued = await postEvent(service.baseUrl, TEST_KEYS.writer, invoiceIssued(customer, 'INV-1', 10_000));
    expect(issued).toEqual({ status: 200, body: expect.objectContaining({ status: 'applied', events: ['CustomerDetailsChanged', 'InvoiceIssued'] }) });
    expect((await postEvent(service.baseUrl, TEST_KEYS.writer, paymentReceived(customer.customerId, 'PAY-1', 4_000, { invoiceId: 'INV-1' }))).status).toBe(200);
    const partly = await getJson(service.baseUrl, '/invoices/INV-1', TEST_KEYS.reader);
    expect(partly.body['invoice']).toMatchObject({ status: 'partly-paid', balance: { minor: 6_000, currency: 'SEK' } });
    await postEvent(service.baseUrl, TEST_KEYS.writer, paymentReceived(customer.customerId, 'PAY-2', 6_000, { paymentReference: 'OCR-INV-1' }));
    const settled = await getJson(service.baseUrl, '/invoices/INV-1', TEST_KEYS.reader);
    expect(settled.body['invoice']).toMatchObject({ status: 'settled', balance: { minor: 0, currency: 'SEK' } });
    expect((settled.body['history'] as { type: string }[]).map((entry) => entry.type)).toEqual([
      'InvoiceIssued',
      'PaymentReceived',
      'PaymentApplied',
      'PaymentReceived',
      'PaymentApplied',
      'InvoiceSettled',
    ]);
    const list = await getJson(service.baseUrl, `/customers/${customer.customerId}/invoices`, TEST_KEYS.reader);
    expect(list.body).toMatchObject({ customerId: customer.customerId, invoices: [expect.objectContaining({ invoiceId: 'INV-1', status: 'settled' })] });
  });
});
