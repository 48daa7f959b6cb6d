import fc from 'fast-check';
import { decide, evolveAll, pendingWork, type AgencyCallback, type CollectionCase } from './collection-case';
import { handedOffCase, requestCommand, run, someClaim } from './testing/fixtures';

const approve = { type: 'complete-check' as const, outcome: { kind: 'approve' as const, agencyId: 'agency-se', claim: someClaim() }, at: '2026-05-10T06:30:00Z' };

describe('the collection case lifecycle', () => {
  it('requested → checked → handed off, with the work each state waits for', () => {
    const requested = run([requestCommand()])!;
    expect([requested.status, pendingWork(requested)]).toEqual(['requested', 'check']);
    const checked = run([approve], requested)!;
    expect([checked.status, pendingWork(checked)]).toEqual(['checked', 'deliver']);
    const handed = handedOffCase();
    expect([handed.status, pendingWork(handed), handed.handedOff?.agencyReference]).toEqual(['handed-off', 'none', 'AG-1']);
  });

  it('a redelivered request opens no second case, and a second check changes nothing', () => {
    const state = run([requestCommand(), approve])!;
    expect(decide(requestCommand(), state)).toEqual({ ok: true, events: [] });
    expect(decide({ type: 'complete-check', outcome: { kind: 'refuse', reason: 'invoice-settled', detail: 'paid' }, at: '2026-05-10T07:00:00Z' }, state)).toEqual({ ok: true, events: [] });
  });

  it('a refused check cancels the case with its reason', () => {
    const state = run([requestCommand(), { type: 'complete-check', outcome: { kind: 'refuse', reason: 'invoice-disputed', detail: 'disputed' }, at: '2026-05-10T06:30:00Z' }])!;
    expect(state.status).toBe('cancelled');
    expect(state.refusal?.reason).toBe('invoice-disputed');
    expect(pendingWork(state)).toBe('none');
  });

  it('cannot confirm a hand-off that was never sent', () => {
    const checked = run([requestCommand(), approve])!;
    expect(decide({ type: 'confirm-handoff', at: '2026-05-10T07:00:00Z' }, checked)).toMatchObject({ ok: false, code: 'not-delivered' });
  });
});

describe('recall triggers (promise 2: a payment after hand-off triggers a recall)', () => {
  it('a payment after the check but before any delivery withdraws the hand-off without contacting the agency', () => {
    const state = run([requestCommand(), approve, { type: 'trigger-recall', reason: 'paid', at: '2026-05-10T06:40:00Z' }])!;
    expect(state.status).toBe('cancelled');
    expect(state.withdrawn?.reason).toBe('paid');
    expect(pendingWork(state)).toBe('none');
  });

  it('a payment while the claim is in flight asks for a recall, since the agency may have it', () => {
    const state = run([requestCommand(), approve, { type: 'start-delivery', channel: 'api', at: '2026-05-10T06:31:00Z' }, { type: 'trigger-recall', reason: 'paid', at: '2026-05-10T06:40:00Z' }])!;
    expect(state.recall?.reason).toBe('paid');
    expect(pendingWork(state)).toBe('recall');
  });

  it.each(['paid', 'credited', 'disputed', 'payment-plan'] as const)('%s after hand-off requests a recall once; confirming it makes the case recalled', (reason) => {
    const recallRequested = run([{ type: 'trigger-recall', reason, at: '2026-05-11T09:00:00Z' }], handedOffCase())!;
    expect([recallRequested.status, pendingWork(recallRequested)]).toEqual(['handed-off', 'recall']);
    expect(decide({ type: 'trigger-recall', reason: 'paid', at: '2026-05-11T09:01:00Z' }, recallRequested)).toEqual({ ok: true, events: [] });
    const recalled = run([{ type: 'confirm-recall', agencyKnewCase: true, at: '2026-05-11T09:00:05Z' }], recallRequested)!;
    expect([recalled.status, pendingWork(recalled), recalled.recall?.reason]).toEqual(['recalled', 'none', reason]);
  });

  it('a change to a request not yet checked triggers nothing: the check itself will refuse', () => {
    const requested = run([requestCommand()])!;
    expect(decide({ type: 'trigger-recall', reason: 'paid', at: '2026-05-10T06:10:00Z' }, requested)).toEqual({ ok: true, events: [] });
  });
});

describe('agency callbacks: out of order and duplicated, folded idempotently', () => {
  const callbacks: AgencyCallback[] = [
    { kind: 'paid', callbackId: 'cb-pay-1', amount: { minor: 10_000, currency: 'SEK' }, occurredAt: '2026-06-01T10:00:00Z' },
    { kind: 'paid', callbackId: 'cb-pay-2', amount: { minor: 19_900, currency: 'SEK' }, occurredAt: '2026-06-05T10:00:00Z' },
    { kind: 'returned', callbackId: 'cb-ret', reason: 'uncollectable', occurredAt: '2026-06-06T10:00:00Z' },
    { kind: 'closed', callbackId: 'cb-close', outcome: 'paid-in-full', occurredAt: '2026-06-07T10:00:00Z' },
  ];

  const fold = (sequence: readonly AgencyCallback[], initial: CollectionCase): { state: CollectionCase; eventCount: number } => {
    let state = initial;
    let eventCount = 0;
    for (const callback of sequence) {
      const decision = decide({ type: 'receive-agency-callback', callback }, state);
      if (!decision.ok) throw new Error(decision.code);
      eventCount += decision.events.length;
      state = evolveAll(decision.events, state)!;
    }
    return { state, eventCount };
  };

  it('a callback that arrives before our delivery was confirmed proves the hand-off', () => {
    const inFlight = run([requestCommand(), approve, { type: 'start-delivery', channel: 'api', at: '2026-05-10T06:31:00Z' }])!;
    const { state } = fold([callbacks[0]!], inFlight);
    expect(state.handedOff?.via).toBe('agency-callback');
    expect(state.status).toBe('paid-at-agency');
  });

  it('refuses a callback for a case that never reached an agency', () => {
    const requested = run([requestCommand()])!;
    expect(decide({ type: 'receive-agency-callback', callback: callbacks[0]! }, requested)).toMatchObject({ ok: false, code: 'unknown-case' });
  });

  it('property: any order, any duplicates → the same final state and each fact recorded exactly once', () => {
    const sequences = fc.array(fc.constantFrom(...callbacks), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(sequences, (sequence) => {
        const start = handedOffCase();
        const forward = fold(sequence, start);
        const backward = fold([...sequence].reverse(), start);
        const distinct = new Set(sequence.map((c) => c.callbackId));
        const comparable = (s: CollectionCase) => ({
          status: s.status,
          paid: s.agencyPayments.map((p) => p.callbackId).sort(),
          closed: s.closed?.outcome,
          returned: s.returned?.reason,
          seen: [...s.seenCallbackIds].sort(),
        });
        expect(comparable(forward.state)).toEqual(comparable(backward.state));
        expect(forward.eventCount).toBe(distinct.size);
        expect(forward.state.seenCallbackIds).toHaveLength(distinct.size);
        const expected = distinct.has('cb-close') ? 'closed' : distinct.has('cb-ret') ? 'returned' : 'paid-at-agency';
        expect(forward.state.status).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
