import { invoicingEventRegistry } from '@dunning/contracts';
import { CustomerScript } from '../../test-support/invoice-events';
import { evolveHistory, historyFromEvents } from './customer-history';
import { daysToNextPayday, featuresAsOf, learnUsualPayday, UnknownInvoiceError } from './features';

const at = (date: string, hour = 10) => `${date}T${String(hour).padStart(2, '0')}:00:00.000Z`;

function customerA(): CustomerScript {
  return new CustomerScript({ customerId: 'cust-a' })
    .open('inv-1', at('2025-01-01', 6), '2025-01-28', 30_000)
    .pay('inv-1', at('2025-01-27'))
    .open('inv-2', at('2025-02-01', 6), '2025-02-28', 30_000)
    .pay('inv-2', at('2025-03-10'))
    .open('inv-3', at('2025-03-01', 6), '2025-03-28', 30_000)
    .pay('inv-3', at('2025-03-20'), 1_000)
    .pay('inv-3', at('2025-03-29'))
    .open('inv-4', at('2025-04-01', 6), '2025-04-28', 30_000)
    .dispute('inv-4', at('2025-04-10'))
    .resolveDispute('inv-4', at('2025-04-20'), 'upheld')
    .credit('inv-4', at('2025-04-21'))
    .open('inv-5', at('2025-05-01', 6), '2025-05-28', 60_000);
}

describe('customer features as of a point in time', () => {
  it('every event the builders make is a valid invoicing.invoices.v1 event', () => {
    for (const event of customerA().events) expect(invoicingEventRegistry.schema.safeParse(event).success).toBe(true);
  });

  it('computes each feature of a known history by hand', () => {
    const history = historyFromEvents(customerA().events).get('cust-a')!;
    // The start of 29 May in Stockholm (UTC+2): the instant inv-5 becomes overdue.
    const snapshot = featuresAsOf(history, 'inv-5', '2025-05-28T22:00:00.000Z');
    expect(snapshot.values).toEqual({
      'invoice-count': 4,
      'late-count-6m': 1, // inv-2, paid 10 days late; inv-3 was 1 day late, within the 3 grace days
      'late-count-12m': 1,
      'days-late-last-invoice': 1, // inv-3 (inv-4's upheld dispute leaves it unjudged)
      'max-days-late': 10,
      'first-time-late': 0,
      'partial-payment-count': 1,
      'dispute-count': 1,
      'tenure-months': 4, // since the first invoice, 1 January
      'amount-ratio': 2,
      'usual-payday': 27, // paid on the 27th, 10th, 20th, 29th: the 27th–29th cluster holds half
      'days-to-payday': 29, // 29 May → 27 June
      'open-overdue-count': 0,
      'handoff-count': 0,
      'broken-plan-count': 0,
    });
  });

  it('marks a first slip after a clean history, and counts other overdue invoices and hand-offs', () => {
    const script = new CustomerScript({ customerId: 'cust-b', customerSince: '2020-01-15' });
    for (let m = 1; m <= 6; m++) script.open(`b-${m}`, at(`2025-0${m}-01`, 6), `2025-0${m}-28`, 20_000).pay(`b-${m}`, at(`2025-0${m}-25`));
    script.open('b-7', at('2025-07-01', 6), '2025-07-28', 20_000);
    const clean = featuresAsOf(historyFromEvents(script.events).get('cust-b')!, 'b-7', '2025-07-28T22:00:00.000Z');
    expect(clean.values['first-time-late']).toBe(1);
    expect(clean.values['late-count-12m']).toBe(0);
    expect(clean.values['tenure-months']).toBe(66); // customerSince 2020-01-15 → 2025-07-29
    expect(clean.values['usual-payday']).toBe(25);

    script.open('b-8', at('2025-08-01', 6), '2025-08-28', 20_000).handOff('b-7', at('2025-09-10'));
    const later = featuresAsOf(historyFromEvents(script.events).get('cust-b')!, 'b-8', '2025-09-15T00:00:00.000Z');
    expect(later.values['handoff-count']).toBe(1);
    expect(later.values['first-time-late']).toBe(0);
    expect(later.values['late-count-6m']).toBe(1); // b-7, still open 49 days after its due date (28 July → 15 September)
    expect(later.values['days-late-last-invoice']).toBe(49);
  });

  it('refuses a snapshot of an invoice not issued before the instant', () => {
    const history = historyFromEvents(customerA().events).get('cust-a')!;
    expect(() => featuresAsOf(history, 'inv-5', '2025-05-01T05:00:00.000Z')).toThrow(UnknownInvoiceError);
  });

  it('applying an event twice changes nothing (redelivery is harmless)', () => {
    const events = customerA().events;
    let once = undefined as ReturnType<typeof evolveHistory> | undefined;
    let twice = undefined as ReturnType<typeof evolveHistory> | undefined;
    for (const event of events) {
      once = evolveHistory(once, event);
      twice = evolveHistory(evolveHistory(twice, event), event);
    }
    expect(twice).toEqual(once);
  });

  it('learns a payday only from a clear cluster', () => {
    expect(learnUsualPayday(['2025-01-25', '2025-02-26', '2025-03-25', '2025-04-12'])).toBe(25);
    expect(learnUsualPayday(['2025-01-02', '2025-02-12', '2025-03-22', '2025-04-30'])).toBeUndefined();
    expect(learnUsualPayday(['2025-01-25', '2025-02-25'])).toBeUndefined();
    expect(daysToNextPayday('2025-02-20', 31)).toBe(8); // February has no 31st: its last day
    expect(daysToNextPayday('2025-02-25', 25)).toBe(0);
  });
});
