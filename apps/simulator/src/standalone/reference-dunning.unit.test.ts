import { createHash } from 'node:crypto';
import type { BillingEvent } from '@dunning/contracts';
import { epochDayOf, isoDateOf } from '../domain/calendar';
import { DEFAULT_CONFIG, mergeConfig } from '../domain/config';
import type { SeenMessage } from '../domain/seen-message';
import { ReferenceDunning, assignArm, assignmentBucket } from './reference-dunning';
import { groundTruthWouldHavePaidAnyway } from './ground-truth';
import { runStandalone } from './run-standalone';

const source = 'urn:test';
let sequence = 0;
const event = <T extends BillingEvent['type']>(type: T, data: Extract<BillingEvent, { type: T }>['data']): BillingEvent =>
  ({ specversion: '1.0', id: `e${(sequence += 1)}`, source, type, data }) as unknown as BillingEvent;

function issued(customerId: string, invoiceId: string, dueDate: string, type: 'consumer' | 'business' = 'consumer'): BillingEvent {
  return event('billing.invoice.issued', {
    invoiceId,
    customerId,
    issuedAt: '2026-03-01T05:00:00Z',
    dueDate,
    amount: { minor: 29900, currency: 'SEK' },
    customer: { name: 'Test Person', email: `${customerId}@sim.example`, phone: '+46701740600001', postalAddress: { lines: ['Storgatan 1'], city: 'Stockholm', country: 'SE' }, locale: 'sv-SE', timeZone: 'Europe/Stockholm', type },
    paymentReference: `ref-${invoiceId}`,
  });
}

/** Runs the dunning over [from, to] and returns what customers saw, by day since the due date. */
function play(dunning: ReferenceDunning, due: string, from: number, to: number, eventsOn: Record<number, BillingEvent[]> = {}): Array<SeenMessage & { offset: number }> {
  const dueDay = epochDayOf(due);
  const seen: Array<SeenMessage & { offset: number }> = [];
  for (let offset = from; offset <= to; offset += 1) {
    dunning.observe(eventsOn[offset] ?? []);
    for (const message of dunning.runDay(dueDay + offset)) seen.push({ ...message, offset });
  }
  return seen;
}

/** A customer id that the experiment puts in the given arm. */
function customerInArm(arm: string): string {
  for (let i = 0; ; i += 1) if (assignArm(DEFAULT_CONFIG.referenceDunning, `cust-${i}`) === arm) return `cust-${i}`;
}

describe('the reference dunning (the seeds’ policy in memory)', () => {
  it('assigns arms exactly as the orchestrator does: SHA-256(experimentId:customerId), first 52 bits', () => {
    const digest = createHash('sha256').update('collection-vs-friendly:customer-42').digest('hex');
    expect(assignmentBucket('collection-vs-friendly', 'customer-42')).toBe(parseInt(digest.slice(0, 13), 16) / 2 ** 52);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 3000; i += 1) {
      const arm = assignArm(DEFAULT_CONFIG.referenceDunning, `c${i}`);
      counts[arm] = (counts[arm] ?? 0) + 1;
    }
    for (const arm of ['collection-as-before', 'friendly-sms', 'no-action']) expect(counts[arm]).toBeGreaterThan(900);
  });

  it('collection as before: soft e-mail at −3, SMS on the due date, letter at +10, the agency’s demand the day after the hand-off at +30', () => {
    const dunning = new ReferenceDunning(DEFAULT_CONFIG.referenceDunning);
    const customer = customerInArm('collection-as-before');
    const due = '2026-03-26'; // a Thursday: −3 is a Monday
    const seen = play(dunning, due, -20, 60, { [-20]: [issued(customer, 'inv-1', due)] });
    expect(seen.map((m) => [m.offset, m.kind, m.kind === 'reminder' ? m.channel : 'agency'])).toEqual([
      [-3, 'reminder', 'email'],
      [0, 'reminder', 'sms'],
      [10, 'reminder', 'letter'],
      [31, 'collection-demand', 'agency'],
    ]);
    expect(dunning.assignments().get('inv-1')).toBe('collection-as-before');
  });

  it('no action: only the reminders before the due date; a paid invoice gets nothing more, a disputed one is never handed off', () => {
    const quiet = new ReferenceDunning(DEFAULT_CONFIG.referenceDunning);
    const noAction = customerInArm('no-action');
    // Due on a Wednesday: −3 is a Sunday, so the e-mail waits for Monday (−2).
    expect(play(quiet, '2026-03-25', -20, 60, { [-20]: [issued(noAction, 'inv-2', '2026-03-25')] }).map((m) => m.offset)).toEqual([-2, 0]);

    const paying = new ReferenceDunning(DEFAULT_CONFIG.referenceDunning);
    const collection = customerInArm('collection-as-before');
    const paid = event('billing.payment.received', { paymentId: 'p1', customerId: collection, amount: { minor: 29900, currency: 'SEK' }, receivedAt: '2026-03-30T10:00:00Z', paymentReference: 'ref-inv-3' });
    expect(play(paying, '2026-03-25', -20, 60, { [-20]: [issued(collection, 'inv-3', '2026-03-25')], 5: [paid] }).map((m) => m.offset)).toEqual([-2, 0]);

    const disputing = new ReferenceDunning(DEFAULT_CONFIG.referenceDunning);
    const disputed = event('billing.invoice.disputed', { invoiceId: 'inv-4', customerId: collection, disputedAt: '2026-04-20T10:00:00Z' });
    const messages = play(disputing, '2026-03-25', -20, 60, { [-20]: [issued(collection, 'inv-4', '2026-03-25')], 26: [disputed] });
    expect(messages.some((m) => m.kind === 'collection-demand')).toBe(false);
  });

  it('keeps the contact cap across a customer’s invoices: at most 2 contacts in 7 days, 2 days apart', () => {
    const dunning = new ReferenceDunning(DEFAULT_CONFIG.referenceDunning);
    const customer = customerInArm('friendly-sms');
    const due = '2026-03-25';
    const events = [issued(customer, 'inv-a', due), issued(customer, 'inv-b', due), issued(customer, 'inv-c', isoDateOf(epochDayOf(due) + 1))];
    const seen = play(dunning, due, -20, 60, { [-20]: events });
    const days = seen.map((m) => m.offset).sort((a, b) => a - b);
    for (let i = 0; i < days.length; i += 1) {
      expect(days.filter((d) => d > days[i]! - 7 && d <= days[i]!).length).toBeLessThanOrEqual(2);
      if (i > 0) expect(days[i]! - days[i - 1]!).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('the standalone run reproduces the seeds’ case qualitatively', () => {
  it('collection arm: more hand-offs and higher churn; no-action arm: most still pay', async () => {
    const config = mergeConfig(DEFAULT_CONFIG, { customers: 3000, months: 3, followUpDays: 90, seed: 2 });
    const { outcome } = await runStandalone(config, { checkContract: false });
    const rate = (arm: string, test: (i: (typeof outcome.results.invoices)[number]) => boolean) => {
      const cases = outcome.results.invoices.filter((i) => outcome.assignments.get(i.invoiceId) === arm);
      return cases.filter(test).length / cases.length;
    };
    const handedOff = (i: { handoffDaysSinceDue: number | null }) => i.handoffDaysSinceDue !== null;
    const churned = (i: { customerLeftDaysSinceDue: number | null }) => i.customerLeftDaysSinceDue !== null && i.customerLeftDaysSinceDue > 0 && i.customerLeftDaysSinceDue <= 90;
    const paid60 = (i: { settledBy: string | null; settledDaysSinceDue: number | null }) => i.settledBy === 'payment' && i.settledDaysSinceDue! <= 60;
    expect(rate('collection-as-before', handedOff)).toBeGreaterThan(0.2);
    expect(rate('no-action', handedOff)).toBe(0);
    expect(rate('friendly-sms', handedOff)).toBe(0);
    expect(rate('collection-as-before', churned)).toBeGreaterThan(1.5 * rate('no-action', churned));
    expect(rate('no-action', paid60)).toBeGreaterThan(0.6);
  });
});

describe('ground truth', () => {
  it('counts, customer by customer, who paid after a demand but would have paid without it', async () => {
    const truth = await groundTruthWouldHavePaidAnyway(mergeConfig(DEFAULT_CONFIG, { customers: 3000, months: 3, followUpDays: 70, seed: 5 }));
    expect(truth.cases).toBeGreaterThan(300);
    expect(truth.paidAfterDemand).toBeGreaterThan(30);
    expect(truth.wouldHavePaidAnyway).toBeLessThan(truth.paidAfterDemand); // a demand makes some pay
    expect(truth.share).toBeGreaterThan(0.6); // but most would have paid anyway (the seeds: about 80 %)
    expect(truth.paidWithCollection).toBeGreaterThan(truth.paidWithoutAction);
  });
});
