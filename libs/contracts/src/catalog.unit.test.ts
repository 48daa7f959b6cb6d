import { ALL_EVENT_REGISTRIES, decodeIntegrationRecord, integrationRegistries } from './catalog';
import { jsonSchemaOf } from './asyncapi/asyncapi-document';
import { encodeBinary } from './cloudevents/codec';
import { PERSONAL_DATA_FIELDS } from './cloudevents/decode-error';
import { INVOICING_SOURCE, type InvoicingEventOf } from './invoicing/invoicing-events';
import { TOPICS, deadLetterTopicOf } from './topics';

// Rules every topic's contract follows, checked over the whole catalogue so a new event cannot skip them.

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; required?: string[]; anyOf?: JsonSchema[] };

function propertyNames(schema: JsonSchema): string[] {
  const own = Object.entries(schema.properties ?? {}).flatMap(([name, child]) => [name, ...propertyNames(child)]);
  return [...own, ...(schema.items ? propertyNames(schema.items) : []), ...(schema.anyOf ?? []).flatMap(propertyNames)];
}

const integrationRegistryList = Object.values(integrationRegistries);

describe('the event catalogue', () => {
  it('has one topic per producing service plus the ingress, each with a dead-letter topic', () => {
    expect(ALL_EVENT_REGISTRIES.map((registry) => registry.topic)).toEqual(Object.values(TOPICS));
    expect(deadLetterTopicOf(TOPICS.billingEvents)).toBe('billing.events.v1.dlq');
  });

  it('gives every event type one explicit wire name, versioned on integration topics', () => {
    const all = ALL_EVENT_REGISTRIES.flatMap((registry) => registry.knownTypes);
    expect(new Set(all).size).toBe(all.length);
    for (const registry of integrationRegistryList) {
      const service = registry.topic.split('.')[0]!;
      for (const type of registry.knownTypes) expect(type).toMatch(new RegExp(`^${service}\\.[a-z-]+\\.[a-z-]+\\.v1$`));
    }
  });

  it('keys every event by customer: customerId is required in every data schema', () => {
    for (const registry of ALL_EVENT_REGISTRIES) {
      for (const definition of registry.events) expect({ type: definition.type, required: (jsonSchemaOf(definition.data) as JsonSchema).required }).toEqual({ type: definition.type, required: expect.arrayContaining(['customerId']) });
    }
  });

  it('keeps personal data out of integration events', () => {
    for (const registry of integrationRegistryList) {
      for (const definition of registry.events) {
        const names = propertyNames(jsonSchemaOf(definition.data) as JsonSchema);
        expect({ type: definition.type, personal: names.filter((name) => PERSONAL_DATA_FIELDS.has(name) || /address|mail|phone/i.test(name)) }).toEqual({ type: definition.type, personal: [] });
      }
    }
  });

  it('requires time on integration events (it is optional on the ingress)', () => {
    for (const registry of integrationRegistryList) expect(registry.timeRequired).toBe(true);
  });
});

describe('decodeIntegrationRecord', () => {
  const settled: InvoicingEventOf<'invoicing.invoice.settled.v1'> = {
    specversion: '1.0',
    id: 'evt-1',
    source: INVOICING_SOURCE,
    type: 'invoicing.invoice.settled.v1',
    time: '2026-03-28T12:00:01Z',
    data: { invoiceId: 'inv-1', customerId: 'cust-1', settledAt: '2026-03-28T12:00:00Z', settledBy: 'payment' },
  };

  it('decodes what encodeBinary wrote', () => {
    const result = decodeIntegrationRecord(TOPICS.invoicingInvoices, encodeBinary(settled));
    expect(result).toEqual({ ok: true, event: settled });
  });

  it('rejects an integration event without ce_time', () => {
    const { ce_time: _dropped, ...headers } = encodeBinary(settled).headers;
    const result = decodeIntegrationRecord(TOPICS.invoicingInvoices, { ...encodeBinary(settled), headers });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'missing_attribute', reason: 'missing header ce_time', field: 'ce_time' }) });
  });

  it('rejects an event on a topic that does not carry its type', () => {
    const result = decodeIntegrationRecord(TOPICS.dunningActions, encodeBinary(settled));
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'unknown_type', reason: expect.stringContaining("unknown ce_type 'invoicing.invoice.settled.v1' on dunning.actions.v1") }) });
  });

  it('validates integration data as strictly as the ingress', () => {
    const broken = { ...settled, data: { ...settled.data, settledBy: 'magic' } } as unknown as typeof settled;
    const result = decodeIntegrationRecord(TOPICS.invoicingInvoices, encodeBinary(broken));
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_data', reason: "data.settledBy: expected 'payment' or 'credit', got 'magic'" }) });
  });
});
