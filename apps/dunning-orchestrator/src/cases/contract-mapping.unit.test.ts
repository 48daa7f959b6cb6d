import { decodeRecord, dunningEventRegistry, dunningTreatment, TOPICS, type DunningEventOf } from '@dunning/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodedValue } from '@dunning/messaging';
import { CaseWorld, customer, loadPolicy } from '../domain/testing/case-harness';
import type { CaseInput } from '../domain';
import { policySchema, UPLIFT_TREATMENTS } from '../domain/policy/policy-schema';
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

function decodeFixture(fixture: GoldenFixture) {
  const decoded = inputDecoder(topics)({
    topic: fixture.topic,
    partition: 0,
    offset: '0',
    timestamp: '0',
    key: fixture.record.key,
    value: Buffer.from(JSON.stringify(fixture.record.value)),
    headers: fixture.record.headers,
  });
  if (!decoded.ok) throw new Error(`fixture ${fixture.type} does not decode`);
  return decodedValue(decoded);
}

describe('scores from scoring.scores.v1 reach the segmentation', () => {
  const scoreFixtures = readFixtures().filter((fixture) => fixture.type === 'scoring.score.computed.v1');
  const scoreInput = (scoreId: string): { caseId: string; input: Extract<CaseInput, { type: 'ScoreReceived' }> } => {
    const fixture = scoreFixtures.find((candidate) => (candidate.record.value as { scoreId?: string }).scoreId === scoreId);
    if (!fixture) throw new Error(`no golden score ${scoreId}`);
    const mapped = mapInputEvent(decodeFixture(fixture));
    expect(mapped.caseInputs).toHaveLength(1);
    const { caseId, input } = mapped.caseInputs[0]!;
    if (input.type !== 'ScoreReceived') throw new Error(`mapped to ${input.type}`);
    return { caseId, input };
  };

  it('maps the contract fields to the Score: probability, model version, computedAt, uplift keyed by treatment', () => {
    const { caseId, input } = scoreInput('score-2026-0002');
    expect(caseId).toBe('inv-2026-0002');
    expect(input.score).toEqual({
      modelVersion: 'pay-without-collection@2026-04-01',
      probabilityPayWithoutCollection: 0.18,
      uplift: { 'collection-handoff': 0.09, 'sms-reminder': 0.03 },
      scoredAt: '2026-04-03T06:00:00.000Z',
    });
  });

  it('keys policy uplift conditions by the same treatment names as the contract, and refuses other keys', () => {
    expect([...UPLIFT_TREATMENTS]).toEqual(dunningTreatment.options);
    const policy = loadPolicy('default.yaml');
    const misspelt = { ...policy, segments: [{ id: 'helps', when: { uplift: { handoff: { atLeast: 0.05 } } }, flow: 'firm' }, ...policy.segments] };
    const result = policySchema.safeParse(misspelt);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['segments.0.when.uplift', 'Unrecognized key: "handoff"']]);
  });

  it.each([
    ['no score', undefined, { segmentId: 'everyone-else', flowId: 'standard' }],
    ['golden score p = 0.18, collection uplift 0.09', 'score-2026-0002', { segmentId: 'collection-helps', flowId: 'firm', modelVersion: 'pay-without-collection@2026-04-01' }],
    ['golden score p = 0.82', 'score-2026-0001', { segmentId: 'likely-to-pay', flowId: 'gentle', modelVersion: 'pay-without-collection@2026-03-01' }],
  ])('segments a late invoice with %s', (_label, scoreId, expected) => {
    const world = new CaseWorld(loadPolicy('default.yaml'), '2026-03-01T10:00:00.000Z');
    const score = scoreId === undefined ? undefined : scoreInput(scoreId);
    const caseId = score?.caseId ?? 'inv-2026-0001';
    world.receive(caseId, { type: 'InvoiceIssued', invoiceId: caseId, issuedAt: world.now, dueDate: '2026-03-31', amount: { minor: 500_000, currency: 'SEK' }, customer: customer() });
    if (score) world.receive(caseId, score.input);
    world.advanceTo('2026-04-03T00:00:00.000Z');
    expect(world.ofType('SegmentAssigned')).toEqual([expect.objectContaining(expected)]);
  });
});

function publishedEvents(world: CaseWorld, caseId: string) {
  const messages = new DunningGateway(TOPICS.dunningActions).toOutbox(world.caseOf(caseId), world.decisions.filter((d) => d.caseId === caseId).map((d) => d.decision));
  return messages.map((message) => {
    expect(message.key).toBe(world.caseOf(caseId).invoice?.customer.customerId);
    const decoded = decodeRecord({ key: message.key, value: Buffer.from(message.value as Buffer), headers: message.headers }, dunningEventRegistry);
    if (!decoded.ok) throw new Error(`${decoded.error.code}: ${decoded.error.reason}`);
    expect(decoded.event.id).toBe(message.messageId);
    return decoded.event;
  });
}
const ofType = <T extends DunningEventOf<'dunning.reminder.requested.v1'>['type'] | DunningEventOf<'dunning.handoff.requested.v1'>['type'] | DunningEventOf<'dunning.step.skipped.v1'>['type'] | DunningEventOf<'dunning.experiment.arm-assigned.v1'>['type']>(
  events: ReturnType<typeof publishedEvents>,
  type: T,
) => events.filter((event): event is DunningEventOf<T> => event.type === type);

describe('the gateway publishes decisions within the dunning.actions.v1 contract', () => {
  it('every message of a whole case decodes with the contract; each decision carries its reason, segment, flow, policy version and arm', () => {
    const world = new CaseWorld(loadPolicy('seeds-experiment.yaml'), '2026-03-01T10:00:00.000Z');
    world.receive('invoice-1', { type: 'InvoiceIssued', invoiceId: 'invoice-1', issuedAt: world.now, dueDate: '2026-03-31', amount: { minor: 59_900, currency: 'SEK' }, customer: customer() });
    world.advanceTo('2026-06-01T00:00:00.000Z');
    world.receive('invoice-1', { type: 'PaymentApplied', paymentId: 'p', amount: { minor: 59_900, currency: 'SEK' }, outstanding: { minor: 0, currency: 'SEK' }, receivedAt: world.now });
    const events = publishedEvents(world, 'invoice-1');
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(['dunning.reminder.requested.v1', 'dunning.experiment.arm-assigned.v1', 'dunning.case.closed.v1', ...(ofType(events, 'dunning.step.skipped.v1').length > 0 ? ['dunning.step.skipped.v1'] : [])]));

    const [assigned, ...moreAssignments] = ofType(events, 'dunning.experiment.arm-assigned.v1');
    expect(moreAssignments).toEqual([]);
    const arm = world.ofType('ExperimentArmAssigned')[0]!;
    expect(assigned!.data).toMatchObject({ experimentId: arm.experimentId, arm: arm.armId, bucket: arm.bucket, flowId: arm.flowId, policyVersion: 'seeds-experiment@1.0' });

    const reminders = ofType(events, 'dunning.reminder.requested.v1');
    for (const { data } of reminders) {
      expect(data.decisionReason).toMatch(new RegExp(`^step ${data.stepId} of flow ${data.flowId}`));
      expect(data.policyVersion).toBe('seeds-experiment@1.0');
      expect(data.fallbackChannels).toEqual(expect.any(Array));
    }
    const overdue = reminders.filter(({ data }) => data.flowId !== 'before-due');
    for (const { data } of overdue) expect(data).toMatchObject({ segmentId: world.ofType('SegmentAssigned')[0]!.segmentId, flowId: arm.flowId, experiment: { experimentId: arm.experimentId, arm: arm.armId } });
    // Fallbacks are the policy step's: an SMS step that allows e-mail says so; a letter has none.
    const domainReminders = world.actions('invoice-1').filter((action) => action.kind === 'reminder');
    expect(reminders.map(({ data }) => [data.channel, data.fallbackChannels])).toEqual(domainReminders.map((action) => [action.channel, action.fallbackChannels]));
    expect(reminders.find(({ data }) => data.channel === 'sms')?.data.fallbackChannels).toEqual(['email']);
  });

  it('carries the German legal terms of a reminder letter to a business: pay-by date, interest, flat fee, adjustments', () => {
    const policy = loadPolicy('default.yaml');
    const world = new CaseWorld({ ...policy, segments: [{ id: 'all', when: {}, flow: 'standard' }] }, '2026-03-01T10:00:00.000Z');
    const business = customer({ customerId: 'customer-de', timeZone: 'Europe/Berlin', country: 'DE', locale: 'de-DE', type: 'business' });
    world.receive('invoice-de', { type: 'InvoiceIssued', invoiceId: 'invoice-de', issuedAt: world.now, dueDate: '2026-03-31', amount: { minor: 100_000, currency: 'EUR' }, customer: business });
    world.advanceTo('2026-06-01T00:00:00.000Z');
    const letter = world.actions('invoice-de').find((action) => action.stepId === 'letter')!;
    const published = ofType(publishedEvents(world, 'invoice-de'), 'dunning.reminder.requested.v1').find(({ data }) => data.stepId === 'letter')!;
    expect(published.data).toMatchObject({
      channel: 'letter',
      fallbackChannels: [],
      fee: { minor: 150, currency: 'EUR' },
      businessCompensation: { minor: 4_000, currency: 'EUR' },
      payBy: letter.payBy,
      interest: { from: '2026-04-01', to: letter.interest!.to, amount: letter.interest!.amount, periods: [expect.objectContaining({ annualRateBps: 1_027, baseRateBps: 127 })] },
      legalAdjustments: [expect.objectContaining({ rule: 'DE.reminder-fee.actual-cost', effect: 'capped' })],
      segmentId: 'all',
      flowId: 'standard',
    });
    expect(published.data.payBy! > letter.requestedAt.slice(0, 10)).toBe(true);
  });
});
