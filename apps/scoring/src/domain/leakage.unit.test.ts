import fc from 'fast-check';
import { syntheticWorld } from '../../test-support/synthetic-world';
import { historyFromEvents } from './customer-history';
import { featuresAsOf } from './features';
import { buildTrainingSet } from './training-set';
import { isBefore } from './time';

// Training must never see the future: a snapshot as of t is a function of the events before t only.

const worldOf = (seed: number) => syntheticWorld({ customers: 4, months: 10, startMonth: '2025-01', seed });

describe('no look-ahead', () => {
  it('appending any events at or after t never changes a snapshot as of t', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 300 }), (seed, dayOffset) => {
        const { invoicingEvents } = worldOf(seed);
        const t = new Date(Date.UTC(2025, 0, 15) + dayOffset * 86_400_000).toISOString();
        const past = historyFromEvents(invoicingEvents.filter((event) => isBefore(event.time, t)));
        const everything = historyFromEvents(invoicingEvents);
        for (const [customerId, pastHistory] of past) {
          for (const invoice of pastHistory.invoices) {
            const fromPast = featuresAsOf(pastHistory, invoice.invoiceId, t);
            const fromAll = featuresAsOf(everything.get(customerId)!, invoice.invoiceId, t);
            expect(fromAll).toEqual(fromPast);
          }
        }
      }),
      { numRuns: 40, seed: 20260301 },
    );
  });

  it('training rows take features from before the overdue instant and labels from after it', () => {
    const { invoicingEvents } = syntheticWorld({ customers: 30, months: 14, startMonth: '2025-01', seed: 7 });
    const everything = historyFromEvents(invoicingEvents);
    const trainingSet = buildTrainingSet(everything.values(), '2026-06-01T00:00:00.000Z');
    expect(trainingSet.rows.length).toBeGreaterThan(50);
    const labels = new Set(trainingSet.rows.map((row) => row.paidWithoutCollection));
    expect([...labels].sort()).toEqual([0, 1]);
    for (const row of trainingSet.rows) {
      // Rebuild the customer's history from the events before the row's instant only: same features.
      const before = historyFromEvents(invoicingEvents.filter((event) => event.data.customerId === row.customerId && isBefore(event.time, row.asOf)));
      expect(featuresAsOf(before.get(row.customerId)!, row.invoiceId, row.asOf).values).toEqual(row.values);
      // The label window starts where the features end.
      expect(isBefore(row.asOf, row.windowEnd)).toBe(true);
    }
  });

  it('a row whose outcome window has not closed by the cutoff is left out, not labelled "did not pay"', () => {
    const { invoicingEvents } = syntheticWorld({ customers: 20, months: 12, startMonth: '2025-01', seed: 11 });
    const histories = [...historyFromEvents(invoicingEvents).values()];
    const cutoff = '2025-10-01T00:00:00.000Z';
    const trainingSet = buildTrainingSet(histories, cutoff);
    expect(trainingSet.excluded['window-open']).toBeGreaterThan(0);
    for (const row of trainingSet.rows) expect(isBefore(row.windowEnd, cutoff) || row.windowEnd === cutoff).toBe(true);
    // A training set cut earlier is a subset whose rows are identical: later outcomes never rewrite earlier rows.
    const earlier = buildTrainingSet(histories, '2025-08-01T00:00:00.000Z');
    const later = new Map(trainingSet.rows.map((row) => [row.invoiceId, row]));
    for (const row of earlier.rows) expect(later.get(row.invoiceId)).toEqual(row);
  });
});
