import { decodeRecord, dunningEventRegistry, TOPICS } from '@dunning/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodedValue } from '@dunning/messaging';
import { CaseWorld, customer, loadPolicy } from '../domain/testing/case-harness';
import { inputDecoder } from './case-projector';
import { DunningGateway } from './dunning-gateway';
import { countryOf, mapInputEvent } from './input-mapping';

const topics = { invoices: TOPICS.invoicingInvoices, scores: TOPICS.scoringScores, deliveries: TOPICS.notifierDeliveries, collectionCases: TOPICS.collectionCases, actions: TOPICS.dunningActions };
const inputTopics: ReadonlySet<string> = new Set([topics.invoices, topics.scores, topics.deliveries, topics.collectionCases]);

// The contracts' golden fixtures (libs/contracts/test-fixtures): one real record per event type.
interface GoldenFixture {
  topic: string;
  type: string;
  mode: 'binary' | 'structured';
  record: { key: string; headers: Record<string, string>; value: unknown };
}
const fixturesDir = path.resolve(__dirname, '../../../../libs/contracts/test-fixtures');
function readFixtures(): GoldenFixture[] {
  return readdirSync(fixturesDir).flatMap((topic) =>
    readdirSync(path.join(fixturesDir, topic))
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(path.join(fixturesDir, topic, file), 'utf8')) as GoldenFixture),
  );
}

describe('the orchestrator reads every event its four topics carry', () => {
  const fixtures = readFixtures().filter((fixture) => inputTopics.has(fixture.topic));

  it('has golden fixtures of all four topics', () => {
    expect(new Set(fixtures.map((fixture) => fixture.topic))).toEqual(inputTopics);
  });

  it.each(fixtures.map((fixture) => [`${fixture.type} (${fixture.mode})`, fixture] as const))('decodes and maps %s', (_label, fixture) => {
    const decoded = inputDecoder(topics)({
      topic: fixture.topic,
      partition: 0,
      offset: '0',
      timestamp: '0',
      key: fixture.record.key,
      value: Buffer.from(typeof fixture.record.value === 'string' ? fixture.record.value : JSON.stringify(fixture.record.value)),
      headers: fixture.record.headers,
    });
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const event = decodedValue(decoded);
    const mapped = mapInputEvent(event);
    expect(mapped.customerId).toBe(event.data.customerId);
    expect(mapped.inputKey).toBe(`${event.source}|${event.id}`);
    for (const { caseId } of mapped.caseInputs) expect(caseId).toBe((event.data as { invoiceId?: string }).invoiceId);
  });

  it('finds the country from the address, else from the locale', () => {
    expect(countryOf({ country: 'DE', locale: 'sv-SE' })).toBe('DE');
    expect(countryOf({ locale: 'sv-SE' })).toBe('SE');
    expect(countryOf({ locale: 'de' })).toBe('DE');
  });
});

describe('the gateway publishes decisions within the dunning.actions.v1 contract', () => {
  it('every message of a whole case decodes with the contract, keyed by customer, with reason and segment', () => {
    const world = new CaseWorld(loadPolicy('seeds-experiment.yaml'), '2026-03-01T10:00:00.000Z');
    world.receive('invoice-1', { type: 'InvoiceIssued', invoiceId: 'invoice-1', issuedAt: world.now, dueDate: '2026-03-31', amount: { minor: 59_900, currency: 'SEK' }, customer: customer() });
    world.advanceTo('2026-06-01T00:00:00.000Z');
    world.receive('invoice-1', { type: 'PaymentApplied', paymentId: 'p', amount: { minor: 59_900, currency: 'SEK' }, outstanding: { minor: 0, currency: 'SEK' }, receivedAt: world.now });
    const gateway = new DunningGateway(TOPICS.dunningActions);
    const messages = gateway.toOutbox(world.caseOf('invoice-1'), world.decisions.map((d) => d.decision));
    const types = new Set<string>();
    for (const message of messages) {
      expect(message.key).toBe('customer-1');
      const decoded = decodeRecord({ key: message.key, value: Buffer.from(message.value as Buffer), headers: message.headers }, dunningEventRegistry);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) continue;
      types.add(decoded.event.type);
      expect(decoded.event.id).toBe(message.messageId);
      if (decoded.event.type === 'dunning.reminder.requested.v1') {
        const raw = JSON.parse(Buffer.from(message.value as Buffer).toString('utf8')) as { reason: string; policyVersion: string };
        expect(raw.reason).toMatch(/^step /);
        expect(raw.policyVersion).toBe('seeds-experiment@1.0');
      }
    }
    expect(types).toContain('dunning.reminder.requested.v1');
    expect(types).toContain('dunning.experiment.arm-assigned.v1');
    expect(types).toContain('dunning.case.closed.v1');
  });
});
