import type { SimulationResults } from '../domain/simulation';
import { combineRuns, groupLateCases } from './combine-runs';
import { summarizeExperiment } from './experiment-summary';

const run = (paidDay: number | null, lastDay: string): SimulationResults => ({
  seed: 1,
  firstDay: '2026-01-01',
  lastDay,
  lastInvoiceDay: '2026-01-31',
  invoices: [
    {
      invoiceId: 'inv-1', customerId: 'c1', brand: 'b', country: 'SE', currency: 'SEK', customerType: 'consumer', hiddenType: 'forgetful',
      issuedDate: '2026-01-01', dueDate: '2026-01-21', amountMinor: 100, creditedMinor: 0, paidMinor: paidDay === null ? 0 : 100, recoveredMinor: paidDay === null ? 0 : 100,
      lateAfterDueDay: true, settledDaysSinceDue: paidDay, settledBy: paidDay === null ? null : 'payment', payments: paidDay === null ? [] : [{ daysSinceDue: paidDay, amountMinor: 100 }],
      handoffDaysSinceDue: null, contacts: [], disputed: false, paymentPlan: false, customerLeftDaysSinceDue: null,
    },
  ],
  customers: [{ customerId: 'c1', brand: 'b', country: 'SE', customerType: 'consumer', hiddenType: 'forgetful', invoices: 1, contacts: 0, contactsAfterDue: 0, leftOn: null }],
  unmatchedMessages: 0,
});

describe('comparing runs', () => {
  it('keeps the same invoice of two runs apart and compares their groups', () => {
    const experiment = run(40, '2026-06-01');
    const ml = run(5, '2026-05-01');
    const combined = combineRuns([
      { runId: 'seeds', results: experiment, assignments: new Map([['inv-1', 'collection-as-before']]), groups: { 'collection-as-before': 'collection as before' } },
      { runId: 'ml', results: ml, assignments: groupLateCases(ml, 'ML-driven policy') },
    ]);
    expect([...combined.assignments]).toEqual([
      ['seeds/inv-1', 'collection as before'],
      ['ml/inv-1', 'ML-driven policy'],
    ]);
    expect(combined.results.lastDay).toBe('2026-05-01');
    const summary = summarizeExperiment({ ...combined, groups: [{ id: 'collection as before', label: 'collection' }, { id: 'ML-driven policy', label: 'ML' }], controlGroup: 'collection as before' });
    expect(summary.groups.map((g) => g.paidWithin.find((p) => p.days === 14)!.rate.successes)).toEqual([0, 1]);
  });
});
