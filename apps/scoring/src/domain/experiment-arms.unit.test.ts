import { armAssigned, handoffRequested, smsReminderRequested } from '../../test-support/invoice-events';
import { armFactOf, treatmentOfArm } from './experiment-arms';

// The seeds' arms name their treatment from what they do; an arm that keeps the segment's flow
// (the ML-driven policy against a control) is no treatment and teaches no uplift.

describe('experiment arms as treatments', () => {
  const at = '2026-03-07T08:00:00.000Z';

  it('names the seeds arms: collection-as-before by its hand-offs, friendly-sms by its SMS, no-action by its name', () => {
    const handoff = armFactOf(handoffRequested('c1', 'i1', 'collection-vs-friendly', 'collection-as-before', at));
    const sms = armFactOf(smsReminderRequested('c2', 'i2', 'collection-vs-friendly', 'friendly-sms', at));
    expect(handoff).toEqual({ kind: 'action', fact: { experimentId: 'collection-vs-friendly', arm: 'collection-as-before', invoiceId: 'i1', treatment: 'collection-handoff' } });
    expect(sms).toEqual({ kind: 'action', fact: { experimentId: 'collection-vs-friendly', arm: 'friendly-sms', invoiceId: 'i2', treatment: 'sms-reminder' } });
    // The control arm sends a letter before it hands off: the hand-off is what sets it apart.
    expect(treatmentOfArm('collection-vs-friendly', 'collection-as-before', ['letter-reminder', 'collection-handoff'])).toEqual({ treatment: 'collection-handoff', source: 'observed-actions' });
    expect(treatmentOfArm('collection-vs-friendly', 'friendly-sms', ['sms-reminder'])).toEqual({ treatment: 'sms-reminder', source: 'observed-actions' });
    expect(treatmentOfArm('collection-vs-friendly', 'no-action', [])).toEqual({ treatment: 'no-action', source: 'arm-name' });
  });

  it('records an arm assignment whose flow the arm prescribes, and ignores one whose flow the segment chose', () => {
    expect(armFactOf(armAssigned('c1', 'i1', 'ml-vs-collection', 'collection-as-before', at, { flowId: 'classic-collection', flowChosenBy: 'arm' }))).toEqual({
      kind: 'assignment',
      fact: { experimentId: 'ml-vs-collection', arm: 'collection-as-before', invoiceId: 'i1', customerId: 'c1', assignedAt: at },
    });
    expect(armFactOf(armAssigned('c2', 'i2', 'collection-vs-friendly', 'no-action', at))?.kind).toBe('assignment');
    expect(armFactOf(armAssigned('c3', 'i3', 'ml-vs-collection', 'ml-policy', at, { flowId: 'firm', flowChosenBy: 'segment' }))).toBeUndefined();
  });
});
