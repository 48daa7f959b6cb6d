import { BILLING_SOURCE, type CloudEventJson } from './fixtures';

/**
 * A scenario for one customer — valid billing events around a table of malformed and impossible
 * ones — usable over Kafka and over HTTP. Each bad input names the code it must be refused with
 * and a fragment of its reason.
 */
type Data = Record<string, unknown>;

export interface BadInput {
  readonly name: string;
  readonly code: string;
  readonly reason: RegExp;
  /** A CloudEvent sent as binary mode on Kafka and as structured JSON over HTTP. */
  readonly event?: CloudEventJson;
  /** Transport-specific inputs (a missing header, a wrong key, a raw body). */
  /** `value: null` is a tombstone (kcat cannot send one; the test uses kafkajs for it). */
  readonly kafka?: { readonly key: string | null; readonly value: string | null; readonly headers: Record<string, string> };
  readonly http?: { readonly path?: string; readonly body: string; readonly headers: Record<string, string> };
  /** Refused later: held, then dead-lettered when the hold window passes. */
  readonly heldFirst?: boolean;
}

export interface Step {
  readonly kind: 'valid' | 'bad';
  readonly event?: CloudEventJson;
  readonly bad?: BadInput;
}

const sek = (minor: number) => ({ minor, currency: 'SEK' });
const eur = (minor: number) => ({ minor, currency: 'EUR' });

export function scenario(customerId: string, tag: string, anotherCustomersInvoice?: string) {
  let counter = 0;
  // Invoice ids are unique across customers: each scenario has its own.
  const [I1, I2, I3, I9, IOK, I404] = ['INV-1', 'INV-2', 'INV-3', 'INV-9', 'INV-OK', 'INV-404'].map((invoiceId) => `${invoiceId}-${tag}`) as [string, string, string, string, string, string];
  const id = (label: string) => `${tag}-${label}-${++counter}`;
  const event = (type: string, data: Data, eventId = id(type)): CloudEventJson => ({
    specversion: '1.0',
    id: eventId,
    source: BILLING_SOURCE,
    type,
    time: '2026-03-01T09:00:00Z',
    data: { customerId, ...data } as CloudEventJson['data'],
  });
  const customer = {
    name: `Bad Input Tester ${tag}`,
    locale: 'sv-SE',
    timeZone: 'Europe/Stockholm',
    type: 'consumer',
    email: `tester.${tag}@example.org`,
  };
  const issued = (invoiceId: string, minor: number, extra: Data = {}) =>
    event('billing.invoice.issued', { invoiceId, issuedAt: '2026-03-01T09:00:00Z', dueDate: '2026-03-31', amount: sek(minor), customer, paymentReference: `OCR-${invoiceId}`, ...extra });
  const payment = (paymentId: string, amount: Data, extra: Data = {}) => event('billing.payment.received', { paymentId, amount, receivedAt: '2026-03-10T12:00:00Z', ...extra });
  const credit = (creditNoteId: string, invoiceId: string, amount: Data) => event('billing.invoice.credited', { creditNoteId, invoiceId, amount, creditedAt: '2026-03-05T10:00:00Z' });
  const plan = (planId: string, invoiceId: string, installments: [string, Data][], agreedAt = '2026-03-07T10:00:00Z') =>
    event('billing.payment-plan.agreed', { planId, invoiceId, agreedAt, installments: installments.map(([dueDate, amount]) => ({ dueDate, amount })) });
  const resolved = (invoiceId: string, resolvedAt: string, outcome: string) => event('billing.invoice.dispute-resolved', { invoiceId, resolvedAt, outcome });
  const disputed = (invoiceId: string, disputedAt: string) => event('billing.invoice.disputed', { invoiceId, disputedAt });

  const payment1 = payment('P-1', sek(3_000), { invoiceId: I1 });
  const settling = payment('P-2', sek(6_000), { invoiceId: I1 });
  const before: CloudEventJson[] = [
    issued(I1, 10_000),
    issued(I2, 5_000, { issuedAt: '2026-03-02T09:00:00Z' }),
    issued(I3, 1_000, { issuedAt: '2026-03-03T09:00:00Z' }),
    payment1,
    payment('P-3', sek(1_000), { invoiceId: I3 }),
    credit('CN-1', I1, sek(1_000)),
    disputed(I2, '2026-03-06T10:00:00Z'),
    resolved(I2, '2026-03-08T10:00:00Z', 'rejected'),
    disputed(I3, '2026-03-06T10:00:00Z'),
    plan('PL-1', I2, [
      ['2027-04-30', sek(2_500)],
      ['2027-05-31', sek(2_500)],
    ]),
  ];
  const after: CloudEventJson[] = [settling, payment1, { ...settling, id: id('redelivered') }, payment('P-2', sek(6_000), { invoiceId: I1 })];

  const good = issued(IOK, 1_000);
  const withData = (mutate: (data: Data) => void, base: CloudEventJson = good): CloudEventJson => {
    const copy = JSON.parse(JSON.stringify(base)) as CloudEventJson;
    copy.id = id('bad');
    mutate(copy.data);
    return copy;
  };
  const withEnvelope = (mutate: (envelope: Record<string, unknown>) => void, base: CloudEventJson = good): CloudEventJson => {
    const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
    copy['id'] = id('bad');
    mutate(copy);
    return copy as unknown as CloudEventJson;
  };
  const binaryHeaders = (e: CloudEventJson, overrides: Record<string, string | undefined> = {}): Record<string, string> => {
    const headers: Record<string, string | undefined> = { ce_specversion: '1.0', ce_id: e.id, ce_source: e.source, ce_type: e.type, 'content-type': 'application/json', ...overrides };
    return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
  };
  const rawBoth = (name: string, code: string, reason: RegExp, e: CloudEventJson, kafkaOverrides: Record<string, string | undefined>, httpBody: string, kafkaValue?: string): BadInput => ({
    name,
    code,
    reason,
    kafka: { key: customerId, value: kafkaValue ?? JSON.stringify(e.data), headers: binaryHeaders(e, kafkaOverrides) },
    http: { body: httpBody, headers: { 'content-type': 'application/cloudevents+json' } },
  });
  const envelopeWithout = (attribute: string) =>
    withEnvelope((envelope) => {
      delete envelope[attribute];
    });

  const base = withEnvelope(() => undefined);
  const noId = envelopeWithout('id');
  const noSource = envelopeWithout('source');
  const noType = envelopeWithout('type');

  const bad: BadInput[] = [
    // ---- not even a CloudEvent
    rawBoth('value is not JSON', 'invalid_json', /JSON/i, base, {}, '{"specversion": "1.0", oops', '{"paymentId": oops'),
    rawBoth('empty value', 'empty_value', /empty|no body/i, base, {}, '', '  '),
    rawBoth('no event id', 'missing_attribute', /ce_id|'id'/, base, { ce_id: undefined }, JSON.stringify(noId)),
    rawBoth('no event source', 'missing_attribute', /source/, base, { ce_source: undefined }, JSON.stringify(noSource)),
    rawBoth('no event type', 'missing_attribute', /type/, base, { ce_type: undefined }, JSON.stringify(noType)),
    rawBoth('spec version 0.3', 'unsupported_specversion', /1\.0/, base, { ce_specversion: '0.3' }, JSON.stringify({ ...base, specversion: '0.3' })),
    rawBoth('unknown type', 'unknown_type', /billing\.invoice\.paid-twice/, base, { ce_type: 'billing.invoice.paid-twice' }, JSON.stringify({ ...base, type: 'billing.invoice.paid-twice' })),
    rawBoth('time that is not an instant', 'invalid_attribute', /time/, base, { ce_time: 'yesterday' }, JSON.stringify({ ...base, time: 'yesterday' })),
    {
      name: 'a JSON array instead of an event',
      code: 'invalid_envelope',
      reason: /object/,
      kafka: { key: customerId, value: '[1,2,3]', headers: { 'content-type': 'application/cloudevents+json' } },
      http: { body: '[1,2,3]', headers: { 'content-type': 'application/cloudevents+json' } },
    },
    {
      name: 'content type text/plain',
      code: 'unsupported_content_type',
      reason: /text\/plain/,
      kafka: { key: customerId, value: JSON.stringify(base), headers: { 'content-type': 'text/plain' } },
      http: { body: JSON.stringify(base), headers: { 'content-type': 'text/plain' } },
    },
    // ---- a CloudEvent whose data breaks the contract
    { name: 'negative amount', code: 'invalid_data', reason: /amount\.minor/, event: withData((d) => void (d['amount'] = sek(-500))) },
    { name: 'fractional amount', code: 'invalid_data', reason: /amount\.minor/, event: withData((d) => void (d['amount'] = sek(10.5))) },
    { name: 'amount as a string', code: 'invalid_data', reason: /amount\.minor/, event: withData((d) => void (d['amount'] = { minor: '100', currency: 'SEK' })) },
    { name: 'amount beyond safe integers', code: 'invalid_data', reason: /amount\.minor/, event: withData((d) => void (d['amount'] = sek(2 ** 60))) },
    { name: 'unknown currency', code: 'invalid_data', reason: /currency/, event: withData((d) => void (d['amount'] = { minor: 100, currency: 'XYZ' })) },
    { name: 'lower-case currency', code: 'invalid_data', reason: /currency/, event: withData((d) => void (d['amount'] = { minor: 100, currency: 'sek' })) },
    { name: 'zero payment', code: 'invalid_data', reason: /amount\.minor/, event: payment('P-zero', sek(0), { invoiceId: I1 }) },
    { name: 'missing invoice id', code: 'invalid_data', reason: /invoiceId/, event: withData((d) => void delete d['invoiceId']) },
    { name: 'due date that does not exist', code: 'invalid_data', reason: /dueDate/, event: withData((d) => void (d['dueDate'] = '2026-02-30')) },
    { name: 'issue time without offset', code: 'invalid_data', reason: /issuedAt/, event: withData((d) => void (d['issuedAt'] = '2026-03-01T09:00:00')) },
    { name: 'phone not in E.164', code: 'invalid_data', reason: /phone/, event: withData((d) => void ((d['customer'] as Data)['phone'] = '070-123 45 67')) },
    { name: 'e-mail that is not one', code: 'invalid_data', reason: /email/, event: withData((d) => void ((d['customer'] as Data)['email'] = 'not-an-address')) },
    { name: 'locale with an underscore', code: 'invalid_data', reason: /locale/, event: withData((d) => void ((d['customer'] as Data)['locale'] = 'sv_SE')) },
    { name: 'offset instead of a time zone', code: 'invalid_data', reason: /timeZone/, event: withData((d) => void ((d['customer'] as Data)['timeZone'] = '+01:00')) },
    { name: 'unknown customer type', code: 'invalid_data', reason: /customer\.type/, event: withData((d) => void ((d['customer'] as Data)['type'] = 'robot')) },
    { name: 'customer without a name', code: 'invalid_data', reason: /customer\.name/, event: withData((d) => void delete (d['customer'] as Data)['name']) },
    { name: 'customer id missing', code: 'invalid_data', reason: /customerId/, event: withData((d) => void delete d['customerId']) },
    { name: 'payment plan without installments', code: 'invalid_data', reason: /installments/, event: plan('PL-empty', I1, []) },
    {
      name: 'installments in two currencies',
      code: 'invalid_data',
      reason: /installments\[1\]\.amount\.currency/,
      event: plan('PL-mixed', I1, [
        ['2026-04-30', sek(100)],
        ['2026-05-31', eur(100)],
      ]),
    },
    { name: 'dispute outcome that is neither', code: 'invalid_data', reason: /outcome/, event: resolved(I2, '2026-03-09T10:00:00Z', 'maybe') },
    // ---- well-formed, but impossible for the invoice
    { name: 'payment in another currency than its invoice', code: 'currency-mismatch', reason: new RegExp(String.raw`payment P-eur is in EUR, but invoice ${I1} .* is in SEK`), event: payment('P-eur', eur(1_000), { invoiceId: I1 }) },
    { name: 'payment in a currency no open invoice has', code: 'currency-mismatch', reason: /names no invoice, and the customer's open invoices are in SEK/, event: payment('P-eur-2', eur(1_000)) },
    { name: 'credit above the invoice amount', code: 'credit-exceeds-invoice-amount', reason: new RegExp(String.raw`credit note CN-big of SEK 200\.00 would bring the credits on invoice ${I1} to SEK 210\.00, above its amount of SEK 100\.00`), event: credit('CN-big', I1, sek(20_000)) },
    { name: 'credit above a small invoice', code: 'credit-exceeds-invoice-amount', reason: new RegExp(String.raw`invoice ${I3}`), event: credit('CN-small', I3, sek(1_500)) },
    { name: 'credit in another currency', code: 'currency-mismatch', reason: new RegExp(String.raw`credit note CN-eur is in EUR, but invoice ${I1} is in SEK`), event: credit('CN-eur', I1, eur(100)) },
    { name: 'invoice id issued again with another amount', code: 'invoice-id-reused', reason: new RegExp(String.raw`invoice ${I1} was already issued for SEK 100\.00`), event: issued(I1, 99_999) },
    { name: 'due date before the issue date', code: 'due-date-before-issue-date', reason: new RegExp(String.raw`invoice ${I9} is due 2026-01-01, before it was issued`), event: issued(I9, 1_000, { dueDate: '2026-01-01' }) },
    { name: 'payment id reused for another amount', code: 'payment-id-reused', reason: /payment P-1 was already received for SEK 30\.00/, event: payment('P-1', sek(1_234), { invoiceId: I1 }) },
    { name: 'credit note id reused', code: 'credit-note-id-reused', reason: /credit note CN-1 was already applied/, event: credit('CN-1', I1, sek(999)) },
    { name: 'credit note id reused on another invoice', code: 'credit-note-id-reused', reason: new RegExp(String.raw`on invoice ${I2}`), event: credit('CN-1', I2, sek(1_000)) },
    { name: 'resolution without a dispute', code: 'invoice-not-disputed', reason: new RegExp(String.raw`invoice ${I1} has no open dispute`), event: resolved(I1, '2026-03-09T10:00:00Z', 'upheld') },
    { name: 'resolution before the dispute', code: 'resolved-before-disputed', reason: /opened at 2026-03-06T10:00:00Z/, event: resolved(I3, '2026-03-01T10:00:00Z', 'upheld') },
    { name: 'the same resolution with another outcome', code: 'dispute-already-resolved', reason: /already resolved .* as rejected, not upheld/, event: resolved(I2, '2026-03-08T10:00:00Z', 'upheld') },
    { name: 'plan above the balance', code: 'payment-plan-exceeds-balance', reason: new RegExp(String.raw`add up to SEK 9999\.99, more than the open balance of invoice ${I1} \(SEK 60\.00\)`), event: plan('PL-big', I1, [['2027-04-30', sek(999_999)]]) },
    {
      name: 'installments out of order',
      code: 'installments-out-of-order',
      reason: /installment 2 of payment plan PL-disorder is due 2027-04-01, not after installment 1/,
      event: plan('PL-disorder', I1, [
        ['2027-05-01', sek(100)],
        ['2027-04-01', sek(100)],
      ]),
    },
    { name: 'installment due before the agreement', code: 'installment-due-before-agreement', reason: /due 2026-01-01, before the plan was agreed/, event: plan('PL-early', I1, [['2026-01-01', sek(100)]]) },
    { name: 'plan for a settled invoice', code: 'invoice-settled', reason: new RegExp(String.raw`invoice ${I3} is settled`), event: plan('PL-settled', I3, [['2027-04-30', sek(100)]]) },
    { name: 'plan id reused with other installments', code: 'plan-id-reused', reason: /payment plan PL-1 was already agreed/, event: plan('PL-1', I2, [['2027-04-30', sek(5_000)]]) },
    { name: 'payment for an invoice that never comes', code: 'invoice-not-seen-within-window', reason: new RegExp(String.raw`payment P-lost names invoice ${I404}, which did not arrive within 72 h`), event: payment('P-lost', sek(500), { invoiceId: I404 }), heldFirst: true },
  ];

  if (anotherCustomersInvoice !== undefined) {
    bad.push(
      { name: "another customer's invoice id issued again", code: 'invoice-id-reused', reason: /already issued to another customer/, event: issued(anotherCustomersInvoice, 1_000) },
      { name: "a payment for another customer's invoice", code: 'invoice-of-another-customer', reason: /which belongs to another customer/, event: payment('P-foreign', sek(1_000), { invoiceId: anotherCustomersInvoice }) },
    );
  }

  const kafkaOnly: BadInput[] = [
    { name: 'tombstone (null value)', code: 'empty_value', reason: /tombstone/, kafka: { key: customerId, value: null, headers: binaryHeaders(withData(() => undefined)) } },
    { name: 'record without a key', code: 'missing_key', reason: /key/, kafka: { key: null, value: JSON.stringify(good.data), headers: binaryHeaders(withData(() => undefined)) } },
    { name: 'record keyed by another customer', code: 'key_mismatch', reason: /customerId/, kafka: { key: `${customerId}-other`, value: JSON.stringify(good.data), headers: binaryHeaders(withData(() => undefined)) } },
  ];

  const dataOnly = (type: string, body: unknown, headers: Record<string, string>) => ({ path: `/billing-events/${type}`, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  const httpOnly: BadInput[] = [
    { name: 'data-only route without Idempotency-Key', code: 'missing_idempotency_key', reason: /Idempotency-Key/, http: dataOnly('billing.payment.received', payment('P-x', sek(1)).data, {}) },
    { name: 'data-only route for an unknown type', code: 'unknown_type', reason: /billing\.nonsense/, http: dataOnly('billing.nonsense', { customerId }, { 'idempotency-key': id('k') }) },
    { name: 'data-only route with invalid data', code: 'invalid_data', reason: /amount/, http: dataOnly('billing.payment.received', { ...payment('P-y', sek(1)).data, amount: 'lots' }, { 'idempotency-key': id('k') }) },
    {
      name: 'binary mode over HTTP without ce-type',
      code: 'missing_attribute',
      reason: /type/,
      http: { body: JSON.stringify(good.data), headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': id('bin'), 'ce-source': BILLING_SOURCE } },
    },
  ];

  return { before, after, bad, kafkaOnly, httpOnly, customer, invoiceIds: { I1, I2, I3 } };
}
