import { decodeBillingRecord, decodeBillingCloudEvent } from './decode-billing-record';
import { encodeBinary, encodeStructured } from '../cloudevents/codec';
import type { DecodeErrorCode } from '../cloudevents/decode-error';
import type { KafkaHeadersLike, KafkaRecordLike } from '../cloudevents/kafka-record';

// The ingress contract, record by record: what is accepted, and for what is not, the exact reason a
// producer gets back (and that it never repeats personal data).

const CUSTOMER_ID = 'cust-canary-0001';
const PERSONAL = {
  name: 'Canary Testperson-7f3a',
  email: 'canary.testperson.7f3a@example.invalid',
  phone: '+46701740605',
  street: 'Kanariegatan 7f3a',
  city: 'Canaryville',
  postalCode: '999 99',
  reason: 'Canary says the roaming is wrong 7f3a',
};
const PERSONAL_VALUES = Object.values(PERSONAL);

const customer = {
  name: PERSONAL.name,
  email: PERSONAL.email,
  phone: PERSONAL.phone,
  postalAddress: { lines: [PERSONAL.street], postalCode: PERSONAL.postalCode, city: PERSONAL.city, country: 'SE' },
  locale: 'sv-SE',
  timeZone: 'Europe/Stockholm',
  type: 'consumer',
};

const validData: Record<string, Record<string, unknown>> = {
  'billing.invoice.issued': {
    invoiceId: 'inv-1',
    customerId: CUSTOMER_ID,
    issuedAt: '2026-03-01T08:00:00Z',
    dueDate: '2026-03-31',
    amount: { minor: 29900, currency: 'SEK' },
    customer,
  },
  'billing.payment.received': { paymentId: 'pay-1', customerId: CUSTOMER_ID, amount: { minor: 29900, currency: 'SEK' }, receivedAt: '2026-03-20T10:00:00+01:00' },
  'billing.invoice.credited': {
    creditNoteId: 'cn-1',
    invoiceId: 'inv-1',
    customerId: CUSTOMER_ID,
    amount: { minor: 5000, currency: 'SEK' },
    creditedAt: '2026-03-10T09:00:00Z',
    reason: PERSONAL.reason,
  },
  'billing.invoice.disputed': { invoiceId: 'inv-1', customerId: CUSTOMER_ID, disputedAt: '2026-03-05T14:00:00Z', reason: PERSONAL.reason },
  'billing.invoice.dispute-resolved': { invoiceId: 'inv-1', customerId: CUSTOMER_ID, resolvedAt: '2026-03-12T11:00:00Z', outcome: 'upheld' },
  'billing.payment-plan.agreed': {
    planId: 'plan-1',
    invoiceId: 'inv-1',
    customerId: CUSTOMER_ID,
    agreedAt: '2026-04-03T09:00:00Z',
    installments: [
      { dueDate: '2026-04-30', amount: { minor: 15000, currency: 'SEK' } },
      { dueDate: '2026-05-31', amount: { minor: 14900, currency: 'SEK' } },
    ],
  },
  'billing.customer.updated': { customerId: CUSTOMER_ID, updatedAt: '2026-03-15T16:20:00Z', customer: { email: PERSONAL.email, phone: null }, consent: { sms: false } },
  'billing.customer.terminated': { customerId: CUSTOMER_ID, terminatedAt: '2026-05-01T00:00:00+02:00', reason: PERSONAL.reason },
};

const headersFor = (type: string): Record<string, string | undefined> => ({
  ce_specversion: '1.0',
  ce_id: `evt-${type}`,
  ce_source: 'urn:billing:test',
  ce_type: type,
  ce_time: '2026-03-01T08:00:01Z',
  'content-type': 'application/json',
});

/** A binary-mode record of `type` with its data changed by `change` and its headers overridden by `headers`. */
function binary(
  type: string,
  change: (data: Record<string, unknown>) => unknown = (data) => data,
  headers: Record<string, string | undefined> = {},
  key: string | null = CUSTOMER_ID,
): KafkaRecordLike {
  const data = change(structuredClone(validData[type]!));
  return { key, value: Buffer.from(JSON.stringify(data)), headers: { ...headersFor(type), ...headers } };
}

function structured(envelope: Record<string, unknown>, key: string = CUSTOMER_ID): KafkaRecordLike {
  return { key, value: Buffer.from(JSON.stringify(envelope)), headers: { 'content-type': 'application/cloudevents+json' } };
}

const validEnvelope = (type: string): Record<string, unknown> => ({
  specversion: '1.0',
  id: `evt-${type}`,
  source: 'urn:billing:test',
  type,
  time: '2026-03-01T08:00:01Z',
  datacontenttype: 'application/json',
  data: structuredClone(validData[type]!),
});

const raw = (value: string | null, headers: KafkaHeadersLike = headersFor('billing.invoice.issued')): KafkaRecordLike => ({
  key: CUSTOMER_ID,
  value: value === null ? null : Buffer.from(value),
  headers,
});

const at = (path: string, value: unknown) => (data: Record<string, unknown>) => {
  const segments = path.split('.');
  let node: Record<string, unknown> = data;
  for (const segment of segments.slice(0, -1)) node = node[segment] as Record<string, unknown>;
  const last = segments[segments.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return data;
};

interface MalformedCase {
  readonly name: string;
  readonly record: KafkaRecordLike;
  readonly code: DecodeErrorCode;
  readonly reason: string;
  readonly field?: string;
}

const ISSUED = 'billing.invoice.issued';

const malformed: MalformedCase[] = [
  // ---- the value itself
  { name: 'bad JSON', record: raw('{"invoiceId": inv-1}'), code: 'invalid_json', reason: 'value is not valid JSON: Unexpected token', field: 'value' },
  { name: 'truncated JSON', record: raw('{"invoiceId": "inv-1"'), code: 'invalid_json', reason: 'value is not valid JSON', field: 'value' },
  { name: 'empty value', record: raw(''), code: 'empty_value', reason: 'value is empty', field: 'value' },
  { name: 'null value (tombstone)', record: raw(null), code: 'empty_value', reason: 'value is empty (null, a tombstone)' },
  { name: 'data is an array', record: raw('[1,2]'), code: 'invalid_data', reason: 'data: expected an object, got an array', field: 'data' },
  // ---- attributes (binary mode)
  { name: 'unknown type', record: binary(ISSUED, undefined, { ce_type: 'billing.invoice.exploded' }), code: 'unknown_type', reason: "unknown ce_type 'billing.invoice.exploded'", field: 'ce_type' },
  { name: 'missing ce_id', record: binary(ISSUED, undefined, { ce_id: undefined }), code: 'missing_attribute', reason: 'missing header ce_id', field: 'ce_id' },
  { name: 'empty ce_id', record: binary(ISSUED, undefined, { ce_id: ' ' }), code: 'invalid_attribute', reason: 'header ce_id is empty', field: 'ce_id' },
  { name: 'missing ce_source', record: binary(ISSUED, undefined, { ce_source: undefined }), code: 'missing_attribute', reason: 'missing header ce_source', field: 'ce_source' },
  { name: 'missing ce_type', record: binary(ISSUED, undefined, { ce_type: undefined }), code: 'missing_attribute', reason: 'missing header ce_type', field: 'ce_type' },
  { name: 'missing ce_specversion', record: binary(ISSUED, undefined, { ce_specversion: undefined }), code: 'missing_attribute', reason: 'missing header ce_specversion', field: 'ce_specversion' },
  { name: 'wrong specversion', record: binary(ISSUED, undefined, { ce_specversion: '0.3' }), code: 'unsupported_specversion', reason: "header ce_specversion '0.3' is not supported; expected '1.0'" },
  { name: 'bad ce_time', record: binary(ISSUED, undefined, { ce_time: 'yesterday' }), code: 'invalid_attribute', reason: "header ce_time: expected an ISO 8601 instant with an offset or Z (e.g. 2026-03-01T09:30:00Z), got 'yesterday'" },
  { name: 'ce_time without offset', record: binary(ISSUED, undefined, { ce_time: '2026-03-01T08:00:00' }), code: 'invalid_attribute', reason: 'header ce_time: expected an ISO 8601 instant', field: 'ce_time' },
  {
    name: 'repeated ce_id with different values',
    record: { ...binary(ISSUED), headers: { ...headersFor(ISSUED), ce_id: [Buffer.from('a'), 'b'] } },
    code: 'invalid_attribute',
    reason: 'header ce_id appears 2 times with different values',
  },
  { name: 'wrong content type', record: binary(ISSUED, undefined, { 'content-type': 'text/plain' }), code: 'unsupported_content_type', reason: "content-type 'text/plain' is not supported" },
  { name: 'batch content type', record: binary(ISSUED, undefined, { 'content-type': 'application/cloudevents-batch+json' }), code: 'unsupported_content_type', reason: "content-type 'application/cloudevents-batch+json' is not supported" },
  { name: 'non UTF-8 charset', record: binary(ISSUED, undefined, { 'content-type': 'application/json; charset=latin1' }), code: 'unsupported_content_type', reason: "charset 'latin1' is not supported" },
  { name: 'no content type and no ce_ headers', record: { key: CUSTOMER_ID, value: Buffer.from('{}'), headers: {} }, code: 'missing_attribute', reason: 'missing header content-type' },
  // ---- data: missing fields
  { name: 'invoice.issued without invoiceId', record: binary(ISSUED, at('invoiceId', undefined)), code: 'invalid_data', reason: 'data.invoiceId: required field is missing', field: 'data.invoiceId' },
  { name: 'invoice.issued without customer', record: binary(ISSUED, at('customer', undefined)), code: 'invalid_data', reason: 'data.customer: required field is missing', field: 'data.customer' },
  { name: 'invoice.issued without customer.timeZone', record: binary(ISSUED, at('customer.timeZone', undefined)), code: 'invalid_data', reason: 'data.customer.timeZone: required field is missing' },
  { name: 'payment.received without receivedAt', record: binary('billing.payment.received', at('receivedAt', undefined)), code: 'invalid_data', reason: 'data.receivedAt: required field is missing' },
  { name: 'credited without creditNoteId', record: binary('billing.invoice.credited', at('creditNoteId', undefined)), code: 'invalid_data', reason: 'data.creditNoteId: required field is missing' },
  { name: 'terminated without terminatedAt', record: binary('billing.customer.terminated', at('terminatedAt', undefined)), code: 'invalid_data', reason: 'data.terminatedAt: required field is missing' },
  { name: 'customer.updated without customer', record: binary('billing.customer.updated', at('customer', undefined)), code: 'invalid_data', reason: 'data.customer: required field is missing' },
  // ---- data: mistyped and out of range
  { name: 'mistyped invoiceId (number)', record: binary(ISSUED, at('invoiceId', 42)), code: 'invalid_data', reason: 'data.invoiceId: expected the invoice id as a non-empty string, got 42' },
  { name: 'amount as a string', record: binary(ISSUED, at('amount.minor', '29900')), code: 'invalid_data', reason: "data.amount.minor: expected a positive integer number of minor units (at least 1, a safe integer), got '29900'" },
  { name: 'negative amount', record: binary(ISSUED, at('amount.minor', -5)), code: 'invalid_data', reason: 'data.amount.minor: expected a positive integer number of minor units (at least 1, a safe integer), got -5', field: 'data.amount.minor' },
  { name: 'zero invoice amount', record: binary(ISSUED, at('amount.minor', 0)), code: 'invalid_data', reason: 'data.amount.minor: expected a positive integer', field: 'data.amount.minor' },
  { name: 'zero payment amount', record: binary('billing.payment.received', at('amount.minor', 0)), code: 'invalid_data', reason: 'data.amount.minor: expected a positive integer' },
  { name: 'float amount', record: binary(ISSUED, at('amount.minor', 299.5)), code: 'invalid_data', reason: 'data.amount.minor: expected a positive integer number of minor units (at least 1, a safe integer), got 299.5' },
  { name: 'amount beyond the safe integers', record: binary(ISSUED, at('amount.minor', 2 ** 60)), code: 'invalid_data', reason: `data.amount.minor: expected a positive integer number of minor units (at least 1, a safe integer), got ${2 ** 60}` },
  { name: 'amount as a decimal object', record: binary(ISSUED, at('amount', 299)), code: 'invalid_data', reason: 'data.amount: expected an object, got 299' },
  { name: 'lowercase currency', record: binary(ISSUED, at('amount.currency', 'sek')), code: 'invalid_data', reason: "data.amount.currency: expected an ISO 4217 currency code of three uppercase letters (e.g. SEK), got 'sek'" },
  { name: 'unknown currency XXY', record: binary(ISSUED, at('amount.currency', 'XXY')), code: 'invalid_data', reason: "data.amount.currency: expected a known ISO 4217 currency code (e.g. SEK, EUR), got 'XXY'" },
  { name: 'currency of wrong length', record: binary(ISSUED, at('amount.currency', 'SEKR')), code: 'invalid_data', reason: "data.amount.currency: expected an ISO 4217 currency code of three uppercase letters (e.g. SEK), got 'SEKR'" },
  { name: 'impossible due date 2026-02-30', record: binary(ISSUED, at('dueDate', '2026-02-30')), code: 'invalid_data', reason: "data.dueDate: expected a real calendar date as YYYY-MM-DD, got '2026-02-30'" },
  { name: 'due date with slashes', record: binary(ISSUED, at('dueDate', '2026/01/01')), code: 'invalid_data', reason: "data.dueDate: expected a real calendar date as YYYY-MM-DD, got '2026/01/01'" },
  { name: 'instant without offset', record: binary(ISSUED, at('issuedAt', '2026-03-01T08:00:00')), code: 'invalid_data', reason: "data.issuedAt: expected an ISO 8601 instant with seconds and an offset or Z (e.g. 2026-03-01T09:30:00Z), got '2026-03-01T08:00:00'" },
  { name: 'instant as epoch millis', record: binary('billing.payment.received', at('receivedAt', 1772352000000)), code: 'invalid_data', reason: 'data.receivedAt: expected an ISO 8601 instant with seconds and an offset or Z (e.g. 2026-03-01T09:30:00Z), got 1772352000000' },
  { name: 'phone not E.164', record: binary(ISSUED, at('customer.phone', '070-174 06 05')), code: 'invalid_data', reason: 'data.customer.phone: expected a phone number in E.164 form (+ then 7 to 15 digits, e.g. +46701234567), got a string (value not shown: personal data)' },
  { name: 'bad e-mail', record: binary(ISSUED, at('customer.email', 'canary at example')), code: 'invalid_data', reason: 'data.customer.email: expected an e-mail address, got a string (value not shown: personal data)' },
  { name: 'locale with underscore', record: binary(ISSUED, at('customer.locale', 'sv_SE')), code: 'invalid_data', reason: "data.customer.locale: expected a BCP 47 language tag (e.g. sv-SE, not sv_SE), got 'sv_SE'" },
  { name: 'unknown time zone', record: binary(ISSUED, at('customer.timeZone', 'Mars/Olympus_Mons')), code: 'invalid_data', reason: "data.customer.timeZone: expected an IANA time zone name (e.g. Europe/Stockholm), not an offset, got 'Mars/Olympus_Mons'" },
  { name: 'offset instead of a time zone', record: binary(ISSUED, at('customer.timeZone', '+01:00')), code: 'invalid_data', reason: 'data.customer.timeZone: expected an IANA time zone name' },
  { name: 'bad customer.type', record: binary(ISSUED, at('customer.type', 'household')), code: 'invalid_data', reason: "data.customer.type: expected 'consumer' or 'business', got 'household'" },
  { name: 'bad postal address country', record: binary(ISSUED, at('customer.postalAddress.country', 'XX')), code: 'invalid_data', reason: 'data.customer.postalAddress.country: expected a known ISO 3166-1 alpha-2 country code (e.g. SE, DE), got a string (value not shown: personal data)' },
  { name: 'empty customer name', record: binary(ISSUED, at('customer.name', '')), code: 'invalid_data', reason: "data.customer.name: expected the customer's name as a non-empty string, got an empty string (value not shown: personal data)" },
  { name: 'empty installments', record: binary('billing.payment-plan.agreed', at('installments', [])), code: 'invalid_data', reason: 'data.installments: expected at least one installment, got an array' },
  {
    name: 'installments in two currencies',
    record: binary('billing.payment-plan.agreed', at('installments', [{ dueDate: '2026-04-30', amount: { minor: 100, currency: 'SEK' } }, { dueDate: '2026-05-31', amount: { minor: 100, currency: 'EUR' } }])),
    code: 'invalid_data',
    reason: "data.installments[1].amount.currency: expected every installment in the currency of the first one (SEK), got 'EUR'",
    field: 'data.installments[1].amount.currency',
  },
  { name: 'installment with a bad date', record: binary('billing.payment-plan.agreed', at('installments', [{ dueDate: '2026-04-31', amount: { minor: 100, currency: 'SEK' } }])), code: 'invalid_data', reason: "data.installments[0].dueDate: expected a real calendar date as YYYY-MM-DD, got '2026-04-31'" },
  { name: 'dispute outcome not upheld|rejected', record: binary('billing.invoice.dispute-resolved', at('outcome', 'won')), code: 'invalid_data', reason: "data.outcome: expected outcome 'upheld' or 'rejected', got 'won'" },
  { name: 'consent not a boolean', record: binary('billing.customer.updated', at('consent', { sms: 'no' })), code: 'invalid_data', reason: "data.consent.sms: expected a boolean, got 'no'" },
  // ---- key
  { name: 'key differs from customerId', record: binary(ISSUED, undefined, {}, 'cust-other-0002'), code: 'key_mismatch', reason: 'record key does not equal data.customerId', field: 'key' },
  { name: 'no key', record: binary(ISSUED, undefined, {}, null), code: 'missing_key', reason: 'record key is missing; the key must equal data.customerId', field: 'key' },
  // ---- structured mode
  { name: 'structured mode without data', record: structured({ ...validEnvelope(ISSUED), data: undefined }), code: 'missing_attribute', reason: "structured event has no 'data' member", field: 'data' },
  { name: 'structured mode without id', record: structured({ ...validEnvelope(ISSUED), id: undefined }), code: 'missing_attribute', reason: "missing attribute 'id'", field: 'id' },
  { name: 'structured mode with a numeric id', record: structured({ ...validEnvelope(ISSUED), id: 7 }), code: 'invalid_attribute', reason: "attribute 'id': expected a string, got 7" },
  { name: 'structured mode with specversion 0.3', record: structured({ ...validEnvelope(ISSUED), specversion: '0.3' }), code: 'unsupported_specversion', reason: "attribute 'specversion' '0.3' is not supported" },
  { name: 'structured mode with an unknown type', record: structured({ ...validEnvelope(ISSUED), type: 'billing.invoice.exploded' }), code: 'unknown_type', reason: "unknown type 'billing.invoice.exploded'" },
  { name: 'structured mode with XML data', record: structured({ ...validEnvelope(ISSUED), datacontenttype: 'application/xml' }), code: 'unsupported_content_type', reason: "datacontenttype 'application/xml' is not supported" },
  { name: 'structured mode with data_base64', record: structured({ ...validEnvelope(ISSUED), data: undefined, data_base64: 'e30=' }), code: 'unsupported_content_type', reason: 'data_base64 is not supported' },
  { name: 'structured mode value is a string', record: { key: CUSTOMER_ID, value: Buffer.from('"hello"'), headers: { 'content-type': 'application/cloudevents+json' } }, code: 'invalid_envelope', reason: 'a structured-mode value must be a JSON object (the CloudEvent), got \'hello\'' },
  { name: 'structured mode with a negative amount', record: structured(at('data.amount.minor', -5)(validEnvelope(ISSUED))), code: 'invalid_data', reason: 'data.amount.minor: expected a positive integer number of minor units (at least 1, a safe integer), got -5' },
  { name: 'structured mode with a bad subject', record: structured({ ...validEnvelope(ISSUED), subject: 12 }), code: 'invalid_attribute', reason: 'subject: expected the subject as a non-empty string, got 12', field: 'subject' },
];

describe('decodeBillingRecord rejects malformed records with a precise reason', () => {
  it('has a large table of malformed records', () => {
    expect(malformed.length).toBeGreaterThanOrEqual(40);
    expect(new Set(malformed.map((entry) => entry.name)).size).toBe(malformed.length);
  });

  it.each(malformed.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
    const result = decodeBillingRecord(entry.record);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(entry.code);
    expect(result.error.reason).toContain(entry.reason);
    if (entry.field !== undefined) expect(result.error.field).toBe(entry.field);
  });

  it('never repeats personal data in a reason, a field or the event context', () => {
    const piiInWrongPlaces: KafkaRecordLike[] = [
      binary(ISSUED, at('customer.name', 42)),
      binary(ISSUED, at('customer.name', { first: PERSONAL.name })),
      binary(ISSUED, at('customer.email', `${PERSONAL.name} <${PERSONAL.email}>`)),
      binary(ISSUED, at('customer.phone', PERSONAL.phone.replace('+', '00'))),
      binary(ISSUED, at('customer.postalAddress', PERSONAL.street)),
      binary(ISSUED, at('customer.postalAddress.lines', PERSONAL.street)),
      binary(ISSUED, at('customer.postalAddress.city', '')),
      binary(ISSUED, at('customer.locale', PERSONAL.name)),
      binary(ISSUED, at('customer.timeZone', PERSONAL.email)),
      binary(ISSUED, at('invoiceId', PERSONAL.email.repeat(10))),
      binary(ISSUED, at('paymentReference', PERSONAL.street.repeat(20))),
      binary(ISSUED, at('brand', [PERSONAL.street])),
      binary('billing.invoice.disputed', at('reason', 7)),
      binary('billing.invoice.credited', at('reason', { text: PERSONAL.reason })),
      binary('billing.customer.updated', at('customer.email', PERSONAL.name)),
      raw(`{"name": ${PERSONAL.name}}`),
      raw(`{"email": "${PERSONAL.email}" "phone": "${PERSONAL.phone}"}`),
      raw(`${PERSONAL.email}`),
      binary(ISSUED, undefined, { ce_type: PERSONAL.email }),
      binary(ISSUED, undefined, { ce_specversion: PERSONAL.name }),
      binary(ISSUED, undefined, { ce_time: PERSONAL.phone }),
      binary(ISSUED, undefined, { 'content-type': PERSONAL.email }),
      binary(ISSUED, undefined, {}, PERSONAL.email),
      structured({ ...validEnvelope(ISSUED), id: { owner: PERSONAL.name } }),
      structured({ ...validEnvelope(ISSUED), datacontenttype: PERSONAL.email }),
      ...malformed.map((entry) => entry.record),
    ];
    for (const [index, record] of piiInWrongPlaces.entries()) {
      const result = decodeBillingRecord(record);
      expect({ index, ok: result.ok }).toEqual({ index, ok: false });
      if (result.ok) continue;
      const visible = JSON.stringify(result.error);
      for (const value of PERSONAL_VALUES) expect(visible).not.toContain(value);
      expect(visible).not.toMatch(/canary\.|Testperson|Kanariegatan|Canaryville|7f3a|70-174|0046701740605/);
    }
  });

  it('reports several problems at once, at most three spelled out', () => {
    const result = decodeBillingRecord(binary(ISSUED, (data) => ({ ...data, invoiceId: '', dueDate: 'soon', amount: { minor: -1, currency: 'sek' }, issuedAt: 5 })));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.reason.split('; ')).toHaveLength(4);
    expect(result.error.reason).toMatch(/and 2 more problems$/);
  });

  it('names the event it could identify, for dead-letter headers', () => {
    const result = decodeBillingRecord(binary(ISSUED, at('amount.minor', -5)));
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ event: { id: `evt-${ISSUED}`, source: 'urn:billing:test', type: ISSUED } }),
    });
  });
});

describe('decodeBillingRecord accepts every ingress type', () => {
  it.each(Object.keys(validData))('%s in binary and structured mode', (type) => {
    const fromBinary = decodeBillingRecord(binary(type));
    expect(fromBinary).toEqual({ ok: true, event: expect.objectContaining({ type, id: `evt-${type}`, source: 'urn:billing:test', time: '2026-03-01T08:00:01Z' }) });
    const fromStructured = decodeBillingRecord(structured(validEnvelope(type)));
    expect(fromStructured).toEqual(fromBinary);
  });

  it('gives a typed event whose data can be used without casts', () => {
    const result = decodeBillingRecord(binary(ISSUED));
    if (!result.ok || result.event.type !== 'billing.invoice.issued') throw new Error('expected an issued invoice');
    const { amount, customer: decodedCustomer, dueDate } = result.event.data;
    expect([amount.minor, amount.currency, decodedCustomer.type, dueDate]).toEqual([29900, 'SEK', 'consumer', '2026-03-31']);
  });

  it('accepts unknown extra fields (additive evolution within v1) and drops them', () => {
    const result = decodeBillingRecord(binary(ISSUED, (data) => ({ ...data, loyaltyTier: 'gold', customer: { ...(data['customer'] as object), favouriteColour: 'green' } })));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.data).not.toHaveProperty('loyaltyTier');
    expect(result.event.data).toHaveProperty('customer.type', 'consumer');
    expect(result.event.data).not.toHaveProperty('customer.favouriteColour');
  });

  it('reads header values as kafkajs gives them: Buffer, string, one-element array, and ignores undefined', () => {
    const headers: KafkaHeadersLike = {
      ce_specversion: Buffer.from('1.0'),
      ce_id: ['evt-1'],
      ce_source: [Buffer.from('urn:billing:test'), 'urn:billing:test'],
      ce_type: Buffer.from('billing.payment.received'),
      ce_time: undefined,
      'Content-Type': 'application/json; charset=utf-8',
      ce_traceparent: Buffer.from('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
    };
    const result = decodeBillingRecord({ key: Buffer.from(CUSTOMER_ID), value: Buffer.from(JSON.stringify(validData['billing.payment.received'])), headers });
    expect(result).toEqual({
      ok: true,
      event: {
        specversion: '1.0',
        id: 'evt-1',
        source: 'urn:billing:test',
        type: 'billing.payment.received',
        extensions: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        data: validData['billing.payment.received'],
      },
    });
  });

  it('treats a record with ce_ headers but no content-type as binary JSON (CloudEvents Kafka binding)', () => {
    const { 'content-type': _omitted, ...headers } = headersFor('billing.invoice.disputed');
    const result = decodeBillingRecord({ key: CUSTOMER_ID, value: Buffer.from(JSON.stringify(validData['billing.invoice.disputed'])), headers });
    expect(result.ok).toBe(true);
  });

  it('round-trips through encodeBinary and encodeStructured', () => {
    for (const type of Object.keys(validData)) {
      const decoded = decodeBillingRecord(binary(type));
      if (!decoded.ok) throw new Error(decoded.error.reason);
      expect(decodeBillingRecord(encodeBinary(decoded.event))).toEqual(decoded);
      expect(decodeBillingRecord(encodeStructured(decoded.event))).toEqual(decoded);
      expect(encodeBinary(decoded.event).key).toBe(CUSTOMER_ID);
    }
  });

  it('decodes a structured CloudEvent given as an object (the HTTP path)', () => {
    expect(decodeBillingCloudEvent(validEnvelope('billing.customer.terminated'))).toEqual({
      ok: true,
      event: expect.objectContaining({ type: 'billing.customer.terminated', data: validData['billing.customer.terminated'] }),
    });
    expect(decodeBillingCloudEvent('not an event')).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_envelope' }) });
  });
});
