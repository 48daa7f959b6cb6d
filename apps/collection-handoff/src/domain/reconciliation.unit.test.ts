import { reconcile } from './reconciliation';
import { handedOffCase, requestCommand, run } from './testing/fixtures';

describe('daily reconciliation', () => {
  const handed = handedOffCase();
  const recalled = run([{ type: 'trigger-recall', reason: 'paid', at: '2026-05-11T00:00:00Z' }, { type: 'confirm-recall', agencyKnewCase: true, at: '2026-05-11T00:00:01Z' }], { ...handedOffCase(), handoffId: 'ho-2', collectionCaseId: 'cc-2' })!;
  const cancelled = run([requestCommand({ collectionCaseId: 'cc-3', handoffId: 'ho-3' }), { type: 'complete-check', outcome: { kind: 'refuse', reason: 'invoice-settled', detail: '' }, at: '2026-05-10T06:30:00Z' }])!;

  it('finds nothing when both sides agree', () => {
    expect(reconcile([handed, recalled, cancelled], [{ handoffId: 'ho-1', status: 'open' }, { handoffId: 'ho-2', status: 'recalled' }])).toEqual([]);
  });

  it('lists missing, unknown and differing cases', () => {
    expect(reconcile([handed, recalled, cancelled], [{ handoffId: 'ho-2', status: 'open' }, { handoffId: 'ho-3', status: 'open' }, { handoffId: 'ho-9', status: 'paid' }])).toEqual([
      { handoffId: 'ho-1', collectionCaseId: 'cc-1', kind: 'missing-at-agency', ours: 'handed-off', theirs: undefined },
      { handoffId: 'ho-2', collectionCaseId: 'cc-2', kind: 'status-differs', ours: 'recalled', theirs: 'open' },
      { handoffId: 'ho-3', collectionCaseId: 'cc-3', kind: 'status-differs', ours: 'cancelled', theirs: 'open' },
      { handoffId: 'ho-9', kind: 'unknown-to-us', theirs: 'paid' },
    ]);
  });
});
