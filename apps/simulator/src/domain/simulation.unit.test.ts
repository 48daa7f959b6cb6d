import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { decodeBillingRecord, encodeBinary, type BillingEvent } from '@dunning/contracts';
import { epochDayOf, lastPaydayOnOrBefore } from './calendar';
import { DEFAULT_CONFIG, HIDDEN_TYPES, mergeConfig, validateConfig, type HiddenType, type SimulatorConfig } from './config';
import type { SeenMessage } from './seen-message';
import { Simulation } from './simulation';

// The behaviour model as a whole: repeatable, contract-conforming, money-safe, and each hidden type
// behaving the way docs/simulator.md says.

function configWith(overrides: Parameters<typeof mergeConfig>[1]): SimulatorConfig {
  const config = mergeConfig(DEFAULT_CONFIG, overrides);
  expect(validateConfig(config)).toEqual([]);
  return config;
}

/** Only one hidden type, for consumers and businesses alike. */
function onlyType(type: HiddenType): SimulatorConfig['types'] {
  return Object.fromEntries(
    HIDDEN_TYPES.map((t) => [t, { ...DEFAULT_CONFIG.types[t], share: t === type ? { consumer: 1, business: 1 } : { consumer: 0, business: 0 } }]),
  ) as unknown as SimulatorConfig['types'];
}

/** Steps every day, feeding messages from `messagesFor` (called with the day's events) into the next day. */
function run(simulation: Simulation, messagesFor: (day: number, events: readonly BillingEvent[]) => SeenMessage[] = () => []): BillingEvent[] {
  const all: BillingEvent[] = [];
  let inbox: SeenMessage[] = [];
  for (let day = simulation.firstDay; day <= simulation.lastDay; day += 1) {
    const events = simulation.step(day, inbox);
    all.push(...events);
    inbox = messagesFor(day, events);
  }
  return all;
}

const digest = (events: readonly BillingEvent[]): string => createHash('sha256').update(JSON.stringify(events)).digest('hex');

describe('determinism', () => {
  it('the same seed gives the same event stream, byte for byte; another seed a different one', () => {
    const config = configWith({ customers: 150, months: 3, followUpDays: 20, seed: 42 });
    const first = run(new Simulation(config));
    const second = run(new Simulation(config));
    expect(first.length).toBeGreaterThan(400);
    expect(digest(second)).toBe(digest(first));
    const other = run(new Simulation({ ...config, seed: 43 }));
    expect(digest(other)).not.toBe(digest(first));
  });

  it('one customer seeing a message changes that customer only (keyed dice, no shared sequence)', () => {
    const config = configWith({ customers: 60, months: 2, followUpDays: 10, seed: 7, types: onlyType('forgetful') });
    const quiet = run(new Simulation(config));
    const target = 'c000005';
    const nudged = run(new Simulation(config), (day) => [{ kind: 'reminder', customerId: target, day, channel: 'sms' }]);
    const others = (events: readonly BillingEvent[]) => events.filter((e) => e.data.customerId !== target);
    expect(digest(others(nudged))).toBe(digest(others(quiet)));
    expect(digest(nudged)).not.toBe(digest(quiet));
  });
});

describe('the contract', () => {
  it('every event decodes with the ingress codec (binary mode), keyed by customer, with unique ids', () => {
    const config = configWith({ customers: 120, months: 3, followUpDays: 30, seed: 3, rates: { ...DEFAULT_CONFIG.rates, customerUpdateMonthlyProbability: 0.2, goodwillCreditProbability: 0.1 } });
    const events = run(new Simulation(config), (day, dayEvents) =>
      // Reminders past the due date for everyone who got an invoice, so plans and fees happen too.
      dayEvents.filter((e) => e.type === 'billing.invoice.issued').map((e) => ({ kind: 'reminder' as const, customerId: e.data.customerId, day: day + 25, channel: 'letter' as const, feeMinor: 6000 })),
    );
    const types = new Set(events.map((e) => e.type));
    expect([...types].sort()).toEqual(
      expect.arrayContaining(['billing.invoice.issued', 'billing.payment.received', 'billing.customer.updated', 'billing.invoice.credited', 'billing.customer.terminated']),
    );
    const ids = new Set<string>();
    for (const event of events) {
      const record = encodeBinary(event);
      expect(record.key).toBe(event.data.customerId);
      const decoded = decodeBillingRecord(record);
      if (!decoded.ok) throw new Error(`${event.type}: ${decoded.error.reason}`);
      expect(event.source).toBe('urn:simulator:telecom-billing');
      ids.add(event.id);
    }
    expect(ids.size).toBe(events.length);
  });

  it('contact data is fictional and derived from the customer number: c<n>@sim.example and a number in the reserved range', () => {
    const simulation = new Simulation(configWith({ customers: 300, seed: 5 }));
    for (const customer of simulation.customers) {
      if (customer.contact.email) expect(customer.contact.email).toBe(`${customer.id}@sim.example`);
      if (customer.contact.phone) expect(customer.contact.phone).toMatch(customer.country === 'SE' ? /^\+467017406\d{5}$/ : /^\+493023125\d{5}$/);
      expect(simulation.directory.customerByAddress(customer.contact.name, customer.contact.postalAddress)).toBe(customer.id);
      if (customer.contact.phone) expect(simulation.directory.customerByPhone(customer.contact.phone)).toBe(customer.id);
    }
    expect(new Set(simulation.customers.map((c) => c.country))).toEqual(new Set(['SE', 'DE']));
    expect(new Set(simulation.customers.map((c) => c.type))).toEqual(new Set(['consumer', 'business']));
  });
});

describe('money', () => {
  it('payments are positive integers in the invoice currency and never exceed what is owed (amount + fees seen − credits)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom<HiddenType>(...HIDDEN_TYPES), (seed, type) => {
        const config = configWith({ customers: 25, months: 2, followUpDays: 45, seed, types: onlyType(type) });
        const simulation = new Simulation(config);
        const events = run(simulation, (day, dayEvents) =>
          dayEvents
            .filter((e) => e.type === 'billing.invoice.issued')
            .flatMap((e) => [
              { kind: 'reminder' as const, customerId: e.data.customerId, invoiceId: e.data.invoiceId, day: day + 22, channel: 'letter' as const, feeMinor: 6000 },
              { kind: 'collection-demand' as const, customerId: e.data.customerId, invoiceId: e.data.invoiceId, day: day + 40 },
            ]),
        );
        const invoices = new Map<string, { amount: number; currency: string; paid: number; credited: number }>();
        for (const event of events) {
          if (event.type === 'billing.invoice.issued') {
            expect(Number.isSafeInteger(event.data.amount.minor)).toBe(true);
            invoices.set(event.data.invoiceId, { amount: event.data.amount.minor, currency: event.data.amount.currency, paid: 0, credited: 0 });
          }
          if (event.type === 'billing.invoice.credited') {
            const invoice = invoices.get(event.data.invoiceId)!;
            invoice.credited += event.data.amount.minor;
            expect(invoice.credited).toBeLessThanOrEqual(invoice.amount);
          }
          if (event.type === 'billing.payment.received') {
            const reference = event.data.paymentReference!;
            const invoiceId = event.data.invoiceId ?? simulation.directory.invoiceByPaymentReference(reference)!.invoiceId;
            const invoice = invoices.get(invoiceId)!;
            expect(Number.isSafeInteger(event.data.amount.minor) && event.data.amount.minor > 0).toBe(true);
            expect(event.data.amount.currency).toBe(invoice.currency);
            invoice.paid += event.data.amount.minor;
            // One fee of 6000 minor units was announced per invoice in this run; nothing beyond it is ever paid.
            expect(invoice.paid + invoice.credited).toBeLessThanOrEqual(invoice.amount + 6000);
          }
        }
        for (const result of simulation.results().invoices) {
          expect(result.recoveredMinor).toBeLessThanOrEqual(result.amountMinor - result.creditedMinor);
          expect(result.payments.every((p) => Number.isSafeInteger(p.amountMinor))).toBe(true);
          if (result.settledDaysSinceDue !== null) expect(result.payments.every((p) => p.daysSinceDue <= result.settledDaysSinceDue!)).toBe(true);
        }
      }),
      { numRuns: 12 },
    );
  });
});

describe('hidden types, directionally', () => {
  const noChurn = { ...DEFAULT_CONFIG.churn, baseMonthlyHazard: { consumer: 0, business: 0 } };

  function outcomes(type: HiddenType, messages: (issue: BillingEvent & { type: 'billing.invoice.issued' }) => SeenMessage[], seed = 11, customers = 400) {
    const config = configWith({ customers, months: 3, followUpDays: 60, seed, types: onlyType(type), churn: noChurn });
    const simulation = new Simulation(config);
    run(simulation, (_day, events) => events.flatMap((e) => (e.type === 'billing.invoice.issued' ? messages(e) : [])));
    return simulation.results().invoices;
  }

  const dueDay = (e: { data: { dueDate: string } }): number => epochDayOf(e.data.dueDate);
  const firstPayment = (invoice: { payments: readonly { daysSinceDue: number }[] }): number => invoice.payments[0]?.daysSinceDue ?? Number.POSITIVE_INFINITY;

  it('reminders never delay a forgetful customer: with the same dice, every invoice is paid no later than without them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.integer({ min: -5, max: 40 }), { minLength: 1, maxLength: 4 }), (seed, offsets) => {
        const without = outcomes('forgetful', () => [], seed, 40);
        const withReminders = outcomes('forgetful', (issue) => offsets.map((offset) => ({ kind: 'reminder' as const, customerId: issue.data.customerId, invoiceId: issue.data.invoiceId, day: dueDay(issue) + offset, channel: 'sms' as const })), seed, 40);
        const before = new Map(without.map((i) => [i.invoiceId, firstPayment(i)]));
        for (const invoice of withReminders) expect(firstPayment(invoice)).toBeLessThanOrEqual(before.get(invoice.invoiceId)!);
      }),
      { numRuns: 15 },
    );
  });

  it('a reminder after the due date raises the forgetful type a lot: paid within 7 days of it', () => {
    const late = (invoices: ReturnType<typeof outcomes>) => invoices.filter((i) => i.lateAfterDueDay);
    const paidWithin = (invoices: ReturnType<typeof outcomes>, from: number, days: number) => invoices.filter((i) => firstPayment(i) > from && firstPayment(i) <= from + days).length / invoices.length;
    const quiet = late(outcomes('forgetful', () => []));
    const reminded = late(outcomes('forgetful', (issue) => [{ kind: 'reminder', customerId: issue.data.customerId, invoiceId: issue.data.invoiceId, day: dueDay(issue) + 5, channel: 'sms' }]));
    expect(quiet.length).toBeGreaterThan(50);
    // Unpaid on day 5 in both runs: same invoices (the same dice until the reminder).
    const unpaidAt5 = (invoices: ReturnType<typeof outcomes>) => invoices.filter((i) => firstPayment(i) > 5);
    expect(paidWithin(unpaidAt5(reminded), 5, 7)).toBeGreaterThan(paidWithin(unpaidAt5(quiet), 5, 7) + 0.2);
  });

  it('the reliable type pays before the due date, almost always', () => {
    const invoices = outcomes('reliable', () => []);
    expect(invoices.filter((i) => firstPayment(i) <= 0).length / invoices.length).toBeGreaterThan(0.9);
  });

  it('the short-of-money type pays mostly in the days right after payday', () => {
    const config = configWith({ customers: 400, months: 3, followUpDays: 60, seed: 21, types: onlyType('short-of-money'), churn: noChurn });
    const simulation = new Simulation(config);
    const events = run(simulation);
    const customers = new Map(simulation.customers.map((c) => [c.id, c]));
    const payments = events.filter((e) => e.type === 'billing.payment.received');
    const window = config.types['short-of-money'].payday!.cashWindowDays;
    const afterPayday = payments.filter((p) => {
      const customer = customers.get(p.data.customerId)!;
      const day = epochDayOf(p.data.receivedAt.slice(0, 10)); // local times 08–22 in CET: same calendar day in UTC
      return day - lastPaydayOnOrBefore(customer.payday, day) < window;
    });
    expect(payments.length).toBeGreaterThan(500);
    expect(afterPayday.length / payments.length).toBeGreaterThan(0.75);
  });

  it('a collection demand makes the unwilling type pay who otherwise would not; the unable type barely moves', () => {
    const demand = (issue: BillingEvent & { type: 'billing.invoice.issued' }): SeenMessage[] => [{ kind: 'collection-demand', customerId: issue.data.customerId, invoiceId: issue.data.invoiceId, day: dueDay(issue) + 30 }];
    const paidBy60 = (invoices: ReturnType<typeof outcomes>) => {
      const late = invoices.filter((i) => i.lateAfterDueDay);
      return late.filter((i) => i.settledBy === 'payment' && i.settledDaysSinceDue! <= 60).length / late.length;
    };
    const unwillingQuiet = paidBy60(outcomes('unwilling', () => []));
    const unwillingDemanded = paidBy60(outcomes('unwilling', demand));
    expect(unwillingDemanded).toBeGreaterThan(unwillingQuiet + 0.05);
    const unableQuiet = paidBy60(outcomes('unable', () => []));
    const unableDemanded = paidBy60(outcomes('unable', demand));
    expect(unableDemanded - unableQuiet).toBeLessThan(unwillingDemanded - unwillingQuiet);
    expect(unableDemanded).toBeLessThan(0.4);
  });

  it('churn: about ×2 after a reminder past the due date and ×5 after a collection demand', () => {
    const types = Object.fromEntries(HIDDEN_TYPES.map((t) => [t, { ...DEFAULT_CONFIG.types[t], churnMultiplier: 1, paymentPlanProbability: 0 }])) as unknown as SimulatorConfig['types'];
    const config = configWith({ customers: 4000, months: 1, followUpDays: 75, seed: 99, types, churn: { ...DEFAULT_CONFIG.churn, baseMonthlyHazard: { consumer: 0.06, business: 0.06 } } });
    const simulation = new Simulation(config);
    // Every customer gets one invoice; five days after its due date a third get a reminder, a third a demand, a third nothing.
    const messageDay = new Map<string, number>();
    run(simulation, (_day, events) =>
      events.flatMap((e): SeenMessage[] => {
        if (e.type !== 'billing.invoice.issued') return [];
        const day = dueDay(e) + 5;
        const group = Number(e.data.customerId.slice(-6)) % 3;
        messageDay.set(e.data.customerId, day);
        if (group === 0) return [{ kind: 'reminder', customerId: e.data.customerId, invoiceId: e.data.invoiceId, day, channel: 'letter' }];
        if (group === 1) return [{ kind: 'collection-demand', customerId: e.data.customerId, invoiceId: e.data.invoiceId, day }];
        return [];
      }),
    );
    const left = [0, 0, 0];
    const atRisk = [0, 0, 0];
    for (const customer of simulation.results().customers) {
      const day = messageDay.get(customer.customerId);
      if (day === undefined) continue;
      const leftOn = customer.leftOn === null ? undefined : epochDayOf(customer.leftOn);
      if (leftOn !== undefined && leftOn <= day) continue; // gone before the message
      const group = Number(customer.customerId.slice(-6)) % 3;
      atRisk[group]! += 1;
      if (leftOn !== undefined && leftOn <= day + 30) left[group]! += 1;
    }
    const rate = left.map((n, g) => n / atRisk[g]!);
    expect(rate[2]).toBeGreaterThan(0.03);
    expect(rate[0]! / rate[2]!).toBeGreaterThan(1.5);
    expect(rate[0]! / rate[2]!).toBeLessThan(2.7);
    expect(rate[1]! / rate[2]!).toBeGreaterThan(3.8);
    expect(rate[1]! / rate[2]!).toBeLessThan(6.5);
  });
});
