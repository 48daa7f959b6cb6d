import { collectionEventRegistry, decodeRecord } from '@dunning/contracts';
import { evolveAll, type CaseEvent } from '../domain';
import { handedOffCase, someClaim } from '../domain/testing/fixtures';
import { toOutboxMessage, toPublicEvent } from './public-events';

describe('domain events → collection.cases.v1', () => {
  const state = handedOffCase();

  it.each<[CaseEvent, string | undefined]>([
    [{ type: 'handed-off', data: { agencyId: 'agency-se', handedOffAt: '2026-05-10T07:00:00Z', via: 'api' } }, 'collection.case.opened.v1'],
    [{ type: 'handoff-refused', data: { reason: 'invoice-settled', detail: 'paid', refusedAt: '2026-05-10T07:00:00Z' } }, 'collection.handoff.cancelled.v1'],
    [{ type: 'handoff-withdrawn', data: { reason: 'credited', withdrawnAt: '2026-05-10T07:00:00Z' } }, 'collection.handoff.cancelled.v1'],
    [{ type: 'recalled', data: { reason: 'paid', recalledAt: '2026-05-11T07:00:00Z', agencyKnewCase: true } }, 'collection.case.recalled.v1'],
    [{ type: 'agency-payment-reported', data: { callbackId: 'c1', amount: { minor: 100, currency: 'SEK' }, paidAt: '2026-05-12T07:00:00Z' } }, 'collection.case.paid-at-agency.v1'],
    [{ type: 'agency-closed-case', data: { callbackId: 'c2', outcome: 'paid-in-full', closedAt: '2026-05-13T07:00:00Z' } }, 'collection.case.closed.v1'],
    [{ type: 'agency-returned-case', data: { callbackId: 'c3', reason: 'uncollectable', returnedAt: '2026-05-13T07:00:00Z' } }, 'collection.case.returned.v1'],
    [{ type: 'handoff-approved', data: { agencyId: 'agency-se', claim: someClaim(), checkedAt: '2026-05-10T06:30:00Z' } }, undefined],
    [{ type: 'delivery-started', data: { channel: 'api', startedAt: '2026-05-10T06:31:00Z' } }, undefined],
    [{ type: 'recall-requested', data: { reason: 'paid', requestedAt: '2026-05-11T06:31:00Z' } }, undefined],
  ])('%j → %s, a record the contract decodes', (event, expectedType) => {
    const published = toPublicEvent(event, state, 'cc-1:7');
    expect(published?.type).toBe(expectedType);
    if (!published) return;
    const record = toOutboxMessage(published, 'collection.cases.v1');
    expect(record).toMatchObject({ topic: 'collection.cases.v1', key: 'cust-1', messageId: 'cc-1:7' });
    const decoded = decodeRecord({ key: record.key, value: Buffer.from(record.value as Buffer), headers: record.headers }, collectionEventRegistry);
    expect(decoded).toMatchObject({ ok: true, event: { id: 'cc-1:7', type: expectedType, data: { customerId: 'cust-1' } } });
  });

  it('a withdrawn hand-off tells why in the contract’s words', () => {
    const published = toPublicEvent({ type: 'handoff-withdrawn', data: { reason: 'paid', withdrawnAt: '2026-05-10T07:00:00Z' } }, state, 'x');
    expect(published?.data).toMatchObject({ reasonCode: 'payment-received', actionId: 'act-1' });
  });

  it('refuses to publish what the contract would reject', () => {
    const bad = evolveAll([{ type: 'agency-closed-case', data: { callbackId: 'c', outcome: 'Not Kebab', closedAt: '2026-05-13T07:00:00Z' } }], state)!;
    expect(() => toPublicEvent({ type: 'agency-closed-case', data: { callbackId: 'c', outcome: 'Not Kebab', closedAt: '2026-05-13T07:00:00Z' } }, bad, 'x')).toThrow();
  });
});
