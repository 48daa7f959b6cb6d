import type { InvoiceResult, SimulationResults } from '../domain/simulation';
import { summarizeExperiment } from './experiment-summary';
import { PLOT_IDS, renderHtmlReport } from './html-report';
import { terminalSummary } from './terminal-table';

function invoice(id: string, customerId: string, dueDate: string, overrides: Partial<InvoiceResult> = {}): InvoiceResult {
  return {
    invoiceId: id,
    customerId,
    brand: 'norrsken-mobil',
    country: 'SE',
    currency: 'SEK',
    customerType: 'consumer',
    hiddenType: 'forgetful',
    issuedDate: '2026-01-01',
    dueDate,
    amountMinor: 30000,
    creditedMinor: 0,
    paidMinor: 0,
    recoveredMinor: 0,
    lateAfterDueDay: true,
    settledDaysSinceDue: null,
    settledBy: null,
    payments: [],
    handoffDaysSinceDue: null,
    contacts: [],
    disputed: false,
    paymentPlan: false,
    customerLeftDaysSinceDue: null,
    ...overrides,
  };
}

const paidOn = (day: number, amount = 30000): Partial<InvoiceResult> => ({ settledBy: 'payment', settledDaysSinceDue: day, paidMinor: amount, payments: [{ daysSinceDue: day, amountMinor: amount }] });

// Four collection cases, three no-action cases, due 2026-01-21; the run ends 2026-05-01 (100 days later).
const results: SimulationResults = {
  seed: 1,
  firstDay: '2026-01-01',
  lastDay: '2026-05-01',
  lastInvoiceDay: '2026-01-31',
  invoices: [
    invoice('i1', 'c1', '2026-01-21', { ...paidOn(5), contacts: [{ daysSinceDue: -3, channel: 'email' }, { daysSinceDue: 0, channel: 'sms' }] }),
    invoice('i2', 'c2', '2026-01-21', { ...paidOn(40), handoffDaysSinceDue: 31, contacts: [{ daysSinceDue: 10, channel: 'letter' }, { daysSinceDue: 31, channel: 'collection-demand' }] }),
    invoice('i3', 'c3', '2026-01-21', { handoffDaysSinceDue: 31, customerLeftDaysSinceDue: 45, payments: [{ daysSinceDue: 50, amountMinor: 10000 }], paidMinor: 10000 }),
    invoice('i4', 'c4', '2026-04-20', paidOn(3)), // due 11 days before the end: only the 0–11 day figures see it
    invoice('i5', 'c5', '2026-01-21', paidOn(20)),
    invoice('i6', 'c6', '2026-01-21', paidOn(70)),
    invoice('i7', 'c7', '2026-01-21', { customerLeftDaysSinceDue: 0 }), // left on the due date: not churn after the case
    invoice('i8', 'c8', '2026-01-21', paidOn(1)), // never assigned: not a case
  ],
  customers: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'].map((id, i) => ({ customerId: id, brand: 'norrsken-mobil', country: 'SE', customerType: 'consumer' as const, hiddenType: 'forgetful', invoices: 1, contacts: i, contactsAfterDue: i, leftOn: null })),
  unmatchedMessages: 0,
};
const assignments = new Map([
  ['i1', 'collection'],
  ['i2', 'collection'],
  ['i3', 'collection'],
  ['i4', 'collection'],
  ['i5', 'none'],
  ['i6', 'none'],
  ['i7', 'none'],
]);
const summary = summarizeExperiment({
  results,
  assignments,
  groups: [
    { id: 'collection', label: 'collection as before' },
    { id: 'none', label: 'no action' },
  ],
  controlGroup: 'collection',
  collectionGroup: 'collection',
  noActionGroup: 'none',
});
const [collection, none] = summary.groups;

describe('experiment summary', () => {
  it('counts cases per group and paid rates only over cases observed for the whole window', () => {
    expect(collection!.cases).toBe(4);
    expect(collection!.paidWithin.map((p) => [p.days, p.rate.successes, p.rate.n])).toEqual([
      [14, 1, 3],
      [30, 1, 3],
      [60, 2, 3],
    ]);
    expect(none!.paidWithin.find((p) => p.days === 60)!.rate.successes).toBe(1);
    expect(collection!.paidCurve[3]).toEqual({ day: 3, n: 4, share: 0.25 }); // i4
    expect(collection!.paidCurve[5]).toEqual({ day: 5, n: 4, share: 0.5 }); // i4, i1
    expect(collection!.paidCurve[40]!.share).toBeCloseTo(2 / 3, 12);
  });

  it('hand-offs, churn after the due date, recovered amounts and contacts', () => {
    expect([collection!.handoff.successes, collection!.handoff.n]).toEqual([2, 3]);
    expect([collection!.churn.successes, collection!.churn.n]).toEqual([1, 3]);
    expect([none!.churn.successes, none!.churn.n]).toEqual([0, 3]);
    expect(collection!.recoveredMinor).toEqual({ SEK: 70000 });
    expect(collection!.billedMinor).toEqual({ SEK: 90000 });
    expect(collection!.recoveryShare.estimate).toBeCloseTo((1 + 1 + 1 / 3) / 3, 12);
    expect(collection!.contactsPerCase.estimate).toBeCloseTo(4 / 3, 12);
    expect(collection!.contactsPerCustomer.estimate).toBeCloseTo((0 + 1 + 2 + 3) / 4, 12);
    expect(collection!.contactHistogram.slice(0, 4)).toEqual([1, 1, 1, 1]);
    expect(collection!.contactsAfterDuePerCustomer.estimate).toBeCloseTo(1.5, 12);
  });

  it('differences to the control and the share who would have paid anyway', () => {
    const difference = summary.differences.find((d) => d.id === 'none')!;
    expect(difference.paid.estimate).toBeCloseTo(1 / 3 - 2 / 3, 12);
    expect(difference.handoff.estimate).toBeCloseTo(-2 / 3, 12);
    // p0 = 1/3, a = 1/3 (i1), q = 1/3 (i2 paid after its demand): (1/3 − 1/3) / (1/3) = 0
    expect(summary.wouldHavePaidAnyway!.estimate).toBe(0);
  });
});

describe('the HTML report', () => {
  const html = renderHtmlReport(summary, { title: 'Test report <&>', facts: [['seed', '1']], eventCounts: { 'billing.invoice.issued': 8 }, markers: [{ x: 10, label: 'letter' }] });

  it('contains each plot as inline SVG, the experiment table and the would-have-paid estimate', () => {
    for (const id of Object.values(PLOT_IDS)) expect(html).toMatch(new RegExp(`<svg [^>]*id="${id}"`));
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html.match(/<\/svg>/g)).toHaveLength(5);
    expect(html).toContain('<table id="experiment-table"');
    expect(html).toContain('paid within 60 days of the due date');
    expect(html).toContain('collection as before <small>(control)</small>');
    expect(html).toContain('id="would-have-paid"');
    expect(html).toContain('<code>billing.invoice.issued</code>');
    expect(html).toContain('Test report &lt;&amp;&gt;');
  });

  it('renders offline: no script, no external resource, no NaN in the drawings', () => {
    expect(html).not.toMatch(/<script|<link|@import|src=/i);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/NaN/);
    const paths = [...html.matchAll(/<path class="series" data-series="([^"]+)" d="([^"]+)"/g)];
    expect(paths.map((m) => m[1])).toEqual(['collection as before', 'no action']);
  });

  it('the terminal summary names every group and metric', () => {
    const text = terminalSummary(summary);
    expect(text).toContain('collection as before');
    expect(text).toContain('no action');
    for (const label of ['paid within 60 d', 'collection hand-offs', 'churn (90 d)', 'amount recovered', 'contacts per customer', 'Δ churn']) expect(text).toContain(label);
    expect(text).toContain('66.7% [20.8%, 93.9%]'); // 2 of 3 handed off, Wilson
  });
});
