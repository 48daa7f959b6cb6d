import fc from 'fast-check';
import { decide, evolve, evolveAll, type CaseCommand, type CaseEvent, type CollectionCase } from './collection-case';
import { requestCommand, someClaim } from './testing/fixtures';

// Model-based properties of the case lifecycle: any sequence of commands, in any order, repeated.

const at = (n: number) => new Date(Date.parse('2026-05-10T06:00:00Z') + n * 60_000).toISOString();

const command: fc.Arbitrary<CaseCommand> = fc.oneof(
  fc.constant(requestCommand()),
  fc.constant<CaseCommand>({ type: 'complete-check', outcome: { kind: 'approve', agencyId: 'agency-se', claim: someClaim() }, at: at(1) }),
  fc.constant<CaseCommand>({ type: 'complete-check', outcome: { kind: 'refuse', reason: 'invoice-settled', detail: 'paid' }, at: at(1) }),
  fc.constantFrom<DeliveryChannelCommand>('api', 'batch').map((channel): CaseCommand => ({ type: 'start-delivery', channel, at: at(2) })),
  fc.constant<CaseCommand>({ type: 'confirm-handoff', agencyReference: 'AG', at: at(3) }),
  fc.constantFrom('paid' as const, 'credited' as const, 'disputed' as const, 'payment-plan' as const).map((reason): CaseCommand => ({ type: 'trigger-recall', reason, at: at(4) })),
  fc.boolean().map((knew): CaseCommand => ({ type: 'confirm-recall', agencyKnewCase: knew, at: at(5) })),
  fc.constantFrom('cb-1', 'cb-2').map((callbackId): CaseCommand => ({ type: 'receive-agency-callback', callback: { kind: 'paid', callbackId, amount: { minor: 100, currency: 'SEK' }, occurredAt: at(6) } })),
  fc.constant<CaseCommand>({ type: 'receive-agency-callback', callback: { kind: 'closed', callbackId: 'cb-close', outcome: 'paid-in-full', occurredAt: at(7) } }),
  fc.constant<CaseCommand>({ type: 'receive-agency-callback', callback: { kind: 'returned', callbackId: 'cb-ret', reason: 'uncollectable', occurredAt: at(8) } }),
);
type DeliveryChannelCommand = 'api' | 'batch';

function run(commands: readonly CaseCommand[]): { state: CollectionCase | undefined; events: CaseEvent[]; accepted: CaseCommand[] } {
  let state: CollectionCase | undefined;
  const events: CaseEvent[] = [];
  const accepted: CaseCommand[] = [];
  for (const c of commands) {
    const decision = decide(c, state);
    if (!decision.ok) continue;
    if (decision.events.length > 0) accepted.push(c);
    for (const event of decision.events) {
      state = evolve(state, event);
      events.push(event);
    }
  }
  return { state, events, accepted };
}

describe('collection case lifecycle properties', () => {
  const sequences = fc.array(command, { minLength: 1, maxLength: 25 });

  it('a change to the invoice after approval never leaves the case at the agency without a recall', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        const { state, accepted } = run(commands);
        if (!state) return;
        const approvedAt = accepted.findIndex((c) => c.type === 'complete-check' && c.outcome.kind === 'approve');
        const triggered = approvedAt >= 0 && accepted.slice(approvedAt).some((c) => c.type === 'trigger-recall');
        if (triggered) expect(Boolean(state.withdrawn) || Boolean(state.recall)).toBe(true);
        // Withdrawn means the agency never got it: no delivery had started.
        if (state.withdrawn) {
          expect(state.delivery).toBeUndefined();
          expect(state.handedOff).toBeUndefined();
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('at most one hand-off, one approval or refusal, one recall per case; a refused case never reaches an agency', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        const { state, events } = run(commands);
        const count = (type: CaseEvent['type']) => events.filter((e) => e.type === type).length;
        expect(count('handoff-requested')).toBeLessThanOrEqual(1);
        expect(count('handed-off')).toBeLessThanOrEqual(1);
        expect(count('handoff-approved') + count('handoff-refused')).toBeLessThanOrEqual(1);
        expect(count('recall-requested')).toBeLessThanOrEqual(1);
        expect(count('recalled')).toBeLessThanOrEqual(1);
        if (state?.refusal) expect([state.approval, state.delivery, state.handedOff]).toEqual([undefined, undefined, undefined]);
        // A case reaches an agency only after an approval naming that agency (promise 2).
        if (state?.handedOff) expect(typeof state.approval?.agencyId).toBe('string');
        if (state?.handedOff) expect(events.find((e) => e.type === 'handed-off')?.data).toEqual(expect.objectContaining({ agencyId: state.approval?.agencyId }));
      }),
      { numRuns: 2_000 },
    );
  });

  it('every command is idempotent: a duplicate delivery right after the original adds no event', () => {
    fc.assert(
      fc.property(sequences, fc.array(fc.nat({ max: 3 }), { minLength: 25, maxLength: 25 }), (commands, repeats) => {
        const first = run(commands);
        const duplicated = run(commands.flatMap((c, i) => Array.from({ length: 1 + repeats[i]! }, () => c)));
        expect(duplicated.events).toEqual(first.events);
      }),
      { numRuns: 1_000 },
    );
  });

  it('the state is a function of the events: folding them again gives the same case', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        const { state, events } = run(commands);
        expect(evolveAll(events)).toEqual(state);
      }),
      { numRuns: 1_000 },
    );
  });
});
