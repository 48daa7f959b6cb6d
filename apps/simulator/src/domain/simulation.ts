import type { BillingEvent, BillingEventOf, BillingEventType } from '@dunning/contracts';
import { churnHazard, dailyFromMonthly, payHazard } from './behaviour';
import { addMonths, epochDayOf, instantAt, isoDateOf, lastPaydayOnOrBefore, partsOf, dayInMonth, type EpochDay } from './calendar';
import type { Channel, SimulatorConfig, TypeBehaviour } from './config';
import { ContactDirectory } from './contact-directory';
import { generateCustomers, unitLineOf, type Customer } from './population';
import { Dice, PURPOSE, hashText } from './random';
import type { SeenMessage } from './seen-message';

// The customer base, stepped one day at a time. `step(day, seen)` first lets customers take in what
// they saw (messages that arrived up to the day before), then rolls each customer's day: leaving,
// a new invoice on their billing day, disputes and credits, plan installments, payments, changes of
// details. It returns the contract events of that day, each with its local time in the customer's
// zone. Everything is decided by keyed dice (random.ts), so the same seed and the same messages give
// the same events.

export interface Payment {
  readonly day: EpochDay;
  readonly amountMinor: number;
}

export interface Contact {
  readonly day: EpochDay;
  readonly channel: Channel | 'collection-demand';
}

interface InvoiceState {
  readonly seq: number;
  readonly id: string;
  readonly paymentReference: string;
  readonly issuedDay: EpochDay;
  readonly dueDay: EpochDay;
  readonly amountMinor: number;
  readonly currency: string;
  paidMinor: number;
  creditedMinor: number;
  /** Reminder fees the customer read about; they pay them on top. */
  feeMinor: number;
  plannedDay: EpochDay | undefined;
  lastNoticedReminderDay: EpochDay | undefined;
  lastDemandDay: EpochDay | undefined;
  firstDemandDay: EpochDay | undefined;
  disputeDay: EpochDay | undefined;
  disputeResolveDay: EpochDay | undefined;
  disputeUpheld: boolean;
  disputed: boolean;
  everDisputed: boolean;
  goodwillCreditDay: EpochDay | undefined;
  goodwillCreditShare: number;
  plan: PlanState | undefined;
  planRequestedDay: EpochDay | undefined;
  settledDay: EpochDay | undefined;
  settledBy: 'payment' | 'credit' | undefined;
  readonly payments: Payment[];
  readonly contacts: Contact[];
}

interface PlanState {
  readonly id: string;
  readonly installments: readonly { readonly day: EpochDay; readonly amountMinor: number }[];
  next: number;
  broken: boolean;
}

interface CustomerState {
  readonly customer: Customer;
  readonly behaviour: TypeBehaviour;
  eventSeq: number;
  invoiceSeq: number;
  paymentSeq: number;
  moves: number;
  terminatedDay: EpochDay | undefined;
  lastPastDueReminderDay: EpochDay | undefined;
  lastDemandDay: EpochDay | undefined;
  readonly invoices: InvoiceState[];
  /** The invoices not settled yet (a subset of `invoices`, kept so a day does not walk the whole history). */
  open: InvoiceState[];
  /** Messages about no invoice of theirs that is still known (e.g. about another customer's). */
  contactsSeen: number;
}

/** One invoice's story, for the report (and nothing else: the platform never sees it). */
export interface InvoiceResult {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly brand: string;
  readonly country: string;
  readonly currency: string;
  readonly customerType: 'consumer' | 'business';
  readonly hiddenType: string;
  readonly issuedDate: string;
  readonly dueDate: string;
  readonly amountMinor: number;
  readonly creditedMinor: number;
  readonly paidMinor: number;
  /** Paid towards the invoice itself (not fees), within the run. */
  readonly recoveredMinor: number;
  /** Still unpaid at the end of the day after the due date: a late case. */
  readonly lateAfterDueDay: boolean;
  readonly settledDaysSinceDue: number | null;
  readonly settledBy: 'payment' | 'credit' | null;
  readonly payments: readonly { readonly daysSinceDue: number; readonly amountMinor: number }[];
  readonly handoffDaysSinceDue: number | null;
  readonly contacts: readonly { readonly daysSinceDue: number; readonly channel: Channel | 'collection-demand' }[];
  readonly disputed: boolean;
  readonly paymentPlan: boolean;
  readonly customerLeftDaysSinceDue: number | null;
}

export interface CustomerResult {
  readonly customerId: string;
  readonly brand: string;
  readonly country: string;
  readonly customerType: 'consumer' | 'business';
  readonly hiddenType: string;
  readonly invoices: number;
  /** Every message and demand the customer saw in the run. */
  readonly contacts: number;
  /** Of those, the ones about an invoice past its due date (dunning proper). */
  readonly contactsAfterDue: number;
  readonly leftOn: string | null;
}

export interface SimulationResults {
  readonly seed: number;
  readonly firstDay: string;
  readonly lastDay: string;
  readonly lastInvoiceDay: string;
  readonly invoices: readonly InvoiceResult[];
  readonly customers: readonly CustomerResult[];
  readonly unmatchedMessages: number;
}

interface DayEvent {
  readonly time: string;
  readonly order: number;
  readonly event: BillingEvent;
}

export class Simulation {
  readonly customers: readonly Customer[];
  readonly directory: ContactDirectory;
  readonly firstDay: EpochDay;
  /** Invoices are issued on days before this one. */
  readonly invoicingEndDay: EpochDay;
  readonly lastDay: EpochDay;
  private readonly dice: Dice;
  private readonly states: CustomerState[];
  private readonly byId = new Map<string, CustomerState>();
  private readonly referenceTag: string;
  private unmatchedMessages = 0;
  private lastStepped: EpochDay | undefined;

  constructor(readonly config: SimulatorConfig) {
    this.dice = new Dice(config.seed);
    this.customers = generateCustomers(config, this.dice);
    this.directory = ContactDirectory.of(this.customers);
    this.firstDay = epochDayOf(config.startDate);
    const end = addMonths(partsOf(this.firstDay), config.months);
    this.invoicingEndDay = dayInMonth(end.year, end.month, partsOf(this.firstDay).day);
    this.lastDay = this.invoicingEndDay + config.followUpDays - 1;
    this.referenceTag = config.runTag ? String(1000 + (hashText(config.runTag) % 9000)) : '';
    this.states = this.customers.map((customer) => {
      const state: CustomerState = {
        customer,
        behaviour: config.types[customer.hiddenType],
        eventSeq: 0,
        invoiceSeq: 0,
        paymentSeq: 0,
        moves: 0,
        terminatedDay: undefined,
        lastPastDueReminderDay: undefined,
        lastDemandDay: undefined,
        invoices: [],
        open: [],
        contactsSeen: 0,
      };
      this.byId.set(customer.id, state);
      return state;
    });
  }

  /** The customers' time zones, so a runner can move a platform's clock past everybody's day. */
  timeZones(): string[] {
    return [...new Set(this.customers.map((c) => c.timeZone))];
  }

  /**
   * One simulated day. `seen` are the messages that reached customers before this day (typically
   * during the previous one); each carries its own day. Returns the day's events, ordered per
   * customer by time.
   */
  step(day: EpochDay, seen: readonly SeenMessage[] = []): BillingEvent[] {
    if (this.lastStepped !== undefined && day <= this.lastStepped) throw new Error(`days must move forward: ${isoDateOf(day)} after ${isoDateOf(this.lastStepped)}`);
    this.lastStepped = day;
    const requests = this.takeIn(seen, day);
    const events: BillingEvent[] = [];
    const dayOfMonth = partsOf(day).day;
    for (const state of this.states) {
      const dayEvents: DayEvent[] = [];
      this.liveDay(state, day, dayOfMonth, dayEvents, requests.get(state.customer.id));
      dayEvents.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.order - b.order));
      for (const entry of dayEvents) events.push(entry.event);
    }
    return events;
  }

  /** Applies what customers saw; returns the payment plans they ask for today. */
  private takeIn(seen: readonly SeenMessage[], today: EpochDay): Map<string, InvoiceState[]> {
    const planRequests = new Map<string, InvoiceState[]>();
    for (const message of seen) {
      const state = this.byId.get(message.customerId);
      if (!state) {
        this.unmatchedMessages += 1;
        continue;
      }
      const { customer, behaviour } = state;
      const concerned = message.invoiceId
        ? state.invoices.filter((invoice) => invoice.id === message.invoiceId)
        : state.open.filter((invoice) => invoice.issuedDay < message.day);
      if (concerned.length === 0) state.contactsSeen += 1;
      const pastDue = concerned.some((invoice) => message.day > invoice.dueDay);
      const channel = message.kind === 'reminder' ? message.channel : 'collection-demand';
      for (const invoice of concerned) invoice.contacts.push({ day: message.day, channel });

      if (message.kind === 'collection-demand') {
        state.lastDemandDay = max(state.lastDemandDay, message.day);
        for (const invoice of concerned) {
          invoice.lastDemandDay = max(invoice.lastDemandDay, message.day);
          invoice.firstDemandDay ??= message.day;
        }
      } else {
        if (pastDue) state.lastPastDueReminderDay = max(state.lastPastDueReminderDay, message.day);
        const channelCode = message.channel === 'sms' ? 1 : message.channel === 'email' ? 2 : 3;
        for (const invoice of concerned) {
          const noticed = this.dice.chance(behaviour.reminder.noticeProbability[message.channel], PURPOSE.noticeMessage, customer.index, message.day, channelCode * 10_000 + invoice.seq);
          if (!noticed) continue;
          invoice.lastNoticedReminderDay = max(invoice.lastNoticedReminderDay, message.day);
          if (message.feeMinor !== undefined && message.feeMinor > 0) invoice.feeMinor += message.feeMinor;
        }
      }

      // A message after the due date may make a customer who struggles ask for a payment plan.
      for (const invoice of concerned) {
        if (message.day <= invoice.dueDay || invoice.settledDay !== undefined || invoice.plan || invoice.planRequestedDay !== undefined || invoice.disputed) continue;
        const asks = this.dice.chance(behaviour.paymentPlanProbability, PURPOSE.paymentPlan, customer.index, invoice.seq, message.day);
        if (!asks) continue;
        invoice.planRequestedDay = today;
        const list = planRequests.get(customer.id) ?? [];
        list.push(invoice);
        planRequests.set(customer.id, list);
      }
    }
    return planRequests;
  }

  private liveDay(state: CustomerState, day: EpochDay, dayOfMonth: number, out: DayEvent[], planRequests: InvoiceState[] | undefined): void {
    const { customer } = state;
    if (state.terminatedDay === undefined) {
      const leaves = this.dice.chance(
        churnHazard({
          churn: this.config.churn,
          customerType: customer.type,
          typeMultiplier: state.behaviour.churnMultiplier,
          day,
          lastPastDueReminderDay: state.lastPastDueReminderDay,
          lastDemandDay: state.lastDemandDay,
        }),
        PURPOSE.churnToday,
        customer.index,
        day,
      );
      if (leaves) {
        state.terminatedDay = day;
        const time = this.localTime(customer, day, 17 * 60 + Math.floor(this.dice.uniform(PURPOSE.churnTime, customer.index, day) * 240));
        this.emit(state, out, time, 90, 'billing.customer.terminated', { customerId: customer.id, terminatedAt: time, reason: 'customer-request' });
      } else if (day < this.invoicingEndDay && dayOfMonth === customer.billingCycleDay) {
        this.issueInvoice(state, day, out);
      }
    }

    for (const invoice of planRequests ?? []) this.agreePlan(state, invoice, day, out);
    let settledToday = false;
    for (const invoice of state.open) {
      if (invoice.issuedDay >= day) continue;
      this.invoiceDay(state, invoice, day, out);
      settledToday ||= invoice.settledDay !== undefined;
    }
    if (settledToday) state.open = state.open.filter((invoice) => invoice.settledDay === undefined);
    if (state.terminatedDay === undefined) this.maybeUpdateDetails(state, day, out);
  }

  private issueInvoice(state: CustomerState, day: EpochDay, out: DayEvent[]): void {
    const { customer, behaviour } = state;
    const { brand } = customer;
    state.invoiceSeq += 1;
    const seq = state.invoiceSeq;
    const id = `inv-${customer.id}-${String(seq).padStart(3, '0')}`;
    const paymentReference = ocrReference(`${this.referenceTag}${String(customer.index + 1).padStart(6, '0')}${String(seq).padStart(3, '0')}`);
    const usage = this.dice.chance(brand.extraUsage.probability, PURPOSE.invoiceAmount, customer.index, seq, 1)
      ? brand.extraUsage.minMinor + Math.floor(this.dice.uniform(PURPOSE.invoiceAmount, customer.index, seq, 2) * (brand.extraUsage.maxMinor - brand.extraUsage.minMinor + 1))
      : 0;
    const amountMinor = customer.plan.monthlyMinor * customer.subscriptions + usage;
    const dueDay = day + brand.paymentTermDays;
    const offPlan = behaviour.payday !== null || this.dice.chance(behaviour.offPlanProbability, PURPOSE.invoicePlan, customer.index, seq, 1);
    // Most people pay close to the due date: the square root skews the planned day towards it.
    const plannedDay = offPlan ? undefined : day + 1 + Math.floor(Math.sqrt(this.dice.uniform(PURPOSE.invoicePlan, customer.index, seq, 2)) * brand.paymentTermDays);
    const disputes = this.dice.chance(behaviour.disputeProbability, PURPOSE.dispute, customer.index, seq, 1);
    const disputeDay = disputes ? day + 2 + Math.floor(this.dice.uniform(PURPOSE.dispute, customer.index, seq, 2) * (brand.paymentTermDays + 10)) : undefined;
    const { min, max: maxDays } = this.config.rates.disputeResolutionDays;
    const credit = this.dice.chance(this.config.rates.goodwillCreditProbability, PURPOSE.credit, customer.index, seq, 1);
    const invoice: InvoiceState = {
      seq,
      id,
      paymentReference,
      issuedDay: day,
      dueDay,
      amountMinor,
      currency: customer.currency,
      paidMinor: 0,
      creditedMinor: 0,
      feeMinor: 0,
      plannedDay,
      lastNoticedReminderDay: undefined,
      lastDemandDay: undefined,
      firstDemandDay: undefined,
      disputeDay,
      disputeResolveDay: disputeDay === undefined ? undefined : disputeDay + min + Math.floor(this.dice.uniform(PURPOSE.disputeResolution, customer.index, seq, 1) * (maxDays - min + 1)),
      disputeUpheld: this.dice.chance(this.config.rates.disputeUpheldProbability, PURPOSE.disputeResolution, customer.index, seq, 2),
      disputed: false,
      everDisputed: false,
      goodwillCreditDay: credit ? day + 1 + Math.floor(this.dice.uniform(PURPOSE.credit, customer.index, seq, 2) * 10) : undefined,
      goodwillCreditShare: 0.1 + 0.9 * this.dice.uniform(PURPOSE.credit, customer.index, seq, 3),
      plan: undefined,
      planRequestedDay: undefined,
      settledDay: undefined,
      settledBy: undefined,
      payments: [],
      contacts: [],
    };
    state.invoices.push(invoice);
    state.open.push(invoice);
    this.directory.addInvoice(id, paymentReference, customer.id);
    const time = this.localTime(customer, day, 6 * 60);
    const c = customer.contact;
    this.emit(state, out, time, 0, 'billing.invoice.issued', {
      invoiceId: id,
      customerId: customer.id,
      issuedAt: time,
      dueDate: isoDateOf(dueDay),
      amount: { minor: amountMinor, currency: customer.currency },
      customer: {
        name: c.name,
        ...(c.email ? { email: c.email } : {}),
        ...(c.phone ? { phone: c.phone } : {}),
        postalAddress: { lines: [...c.postalAddress.lines], postalCode: c.postalAddress.postalCode, city: c.postalAddress.city, country: c.postalAddress.country },
        locale: customer.locale,
        timeZone: customer.timeZone,
        type: customer.type,
        customerSince: isoDateOf(customer.customerSince),
      },
      brand: brand.id,
      paymentReference,
    });
  }

  private invoiceDay(state: CustomerState, invoice: InvoiceState, day: EpochDay, out: DayEvent[]): void {
    const { customer } = state;
    if (invoice.disputeDay === day && !invoice.disputed) {
      invoice.disputed = true;
      invoice.everDisputed = true;
      const time = this.localTime(customer, day, 9 * 60 + 30);
      this.emit(state, out, time, 10, 'billing.invoice.disputed', { invoiceId: invoice.id, customerId: customer.id, disputedAt: time, reason: 'customer-query' });
      return;
    }
    if (invoice.disputed) {
      if (invoice.disputeResolveDay !== day) return;
      invoice.disputed = false;
      const time = this.localTime(customer, day, 11 * 60);
      this.emit(state, out, time, 20, 'billing.invoice.dispute-resolved', {
        invoiceId: invoice.id,
        customerId: customer.id,
        resolvedAt: time,
        outcome: invoice.disputeUpheld ? 'upheld' : 'rejected',
      });
      if (invoice.disputeUpheld) {
        this.credit(state, invoice, day, principalLeft(invoice), 'dispute-upheld', out);
        return;
      }
      // A rejected dispute: the invoice stands, and the customer has to be reminded or remember.
      invoice.plannedDay = undefined;
    }
    if (invoice.goodwillCreditDay === day) {
      const amount = Math.min(principalLeft(invoice), Math.max(1, Math.round((invoice.amountMinor * invoice.goodwillCreditShare) / 100) * 100));
      if (amount > 0) this.credit(state, invoice, day, amount, 'goodwill', out);
      if (invoice.settledDay !== undefined) return;
    }
    if (invoice.plan && !invoice.plan.broken && invoice.plan.next < invoice.plan.installments.length) {
      this.installmentDay(state, invoice, invoice.plan, day, out);
      return;
    }
    this.maybePay(state, invoice, day, out);
  }

  private maybePay(state: CustomerState, invoice: InvoiceState, day: EpochDay, out: DayEvent[]): void {
    const { customer, behaviour } = state;
    if (invoice.plannedDay === day && this.dice.chance(behaviour.slipProbability, PURPOSE.invoicePlan, customer.index, invoice.seq, 3)) {
      invoice.plannedDay = undefined; // slipped: from now on the hazards decide
    }
    const hazard = payHazard({
      behaviour,
      day,
      plannedDay: invoice.plannedDay,
      lastNoticedReminderDay: invoice.lastNoticedReminderDay,
      lastDemandDay: invoice.lastDemandDay,
      feeActive: invoice.feeMinor > 0,
      hasMoneyToday: this.hasMoney(state, day),
      customerLeft: state.terminatedDay !== undefined && state.terminatedDay < day,
      payFactorAfterLeaving: this.config.churn.payFactorAfterLeaving,
    });
    if (!this.dice.chance(hazard, PURPOSE.payToday, customer.index, invoice.seq, day)) return;
    const balance = balanceOf(invoice);
    if (balance <= 0) return;
    let amount = balance;
    if (this.dice.chance(behaviour.partialPaymentProbability, PURPOSE.partialPayment, customer.index, invoice.seq, day)) {
      const share = 0.3 + 0.4 * this.dice.uniform(PURPOSE.partialPayment, customer.index, invoice.seq, day + 1_000_000);
      const partial = Math.floor((balance * share) / 100) * 100;
      if (partial > 0 && partial < balance) amount = partial;
    }
    // Whatever they had planned, from now on this invoice is paid from the hazards.
    invoice.plannedDay = undefined;
    this.pay(state, invoice, day, amount, out);
  }

  private hasMoney(state: CustomerState, day: EpochDay): boolean {
    const binding = state.behaviour.payday;
    if (!binding) return true;
    const payday = lastPaydayOnOrBefore(state.customer.payday, day);
    if (day - payday >= binding.cashWindowDays) return false;
    // The same dice for both probabilities: a demand can only turn a month without money into one with.
    const recentDemand = state.lastDemandDay !== undefined && state.lastDemandDay < day && state.lastDemandDay >= payday - 31;
    const probability = recentDemand ? binding.affordProbabilityAfterDemand : binding.affordProbability;
    return this.dice.chance(probability, PURPOSE.affordThisPayday, state.customer.index, payday);
  }

  private pay(state: CustomerState, invoice: InvoiceState, day: EpochDay, amount: number, out: DayEvent[]): void {
    const { customer } = state;
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > balanceOf(invoice)) throw new Error(`invariant: a payment of ${amount} on a balance of ${balanceOf(invoice)}`);
    state.paymentSeq += 1;
    invoice.paidMinor += amount;
    invoice.payments.push({ day, amountMinor: amount });
    if (balanceOf(invoice) === 0) this.settle(invoice, day, 'payment');
    const minute = 8 * 60 + Math.floor(this.dice.uniform(PURPOSE.paymentTime, customer.index, invoice.seq, day) * 14 * 60);
    const time = this.localTime(customer, day, minute);
    const country = this.config.countries[customer.country];
    const method = country ? country.paymentMethods[Math.floor(this.dice.uniform(PURPOSE.paymentMethod, customer.index, state.paymentSeq) * country.paymentMethods.length)]?.value : undefined;
    const referenceOnly = this.dice.chance(this.config.rates.referenceOnlyPaymentProbability, PURPOSE.referenceOnlyPayment, customer.index, state.paymentSeq);
    this.emit(state, out, time, 50, 'billing.payment.received', {
      paymentId: `pay-${customer.id}-${String(state.paymentSeq).padStart(4, '0')}`,
      customerId: customer.id,
      amount: { minor: amount, currency: invoice.currency },
      receivedAt: time,
      ...(referenceOnly ? {} : { invoiceId: invoice.id }),
      paymentReference: invoice.paymentReference,
      ...(method ? { method } : {}),
    });
  }

  private credit(state: CustomerState, invoice: InvoiceState, day: EpochDay, amount: number, reason: string, out: DayEvent[]): void {
    if (amount <= 0) return;
    const { customer } = state;
    invoice.creditedMinor += amount;
    if (principalLeft(invoice) === 0) this.settle(invoice, day, 'credit');
    const time = this.localTime(customer, day, 11 * 60 + 15);
    this.emit(state, out, time, 30, 'billing.invoice.credited', {
      creditNoteId: `cn-${invoice.id}-${invoice.everDisputed ? 'd' : 'g'}`,
      invoiceId: invoice.id,
      customerId: customer.id,
      amount: { minor: amount, currency: invoice.currency },
      creditedAt: time,
      reason,
    });
  }

  private settle(invoice: InvoiceState, day: EpochDay, by: 'payment' | 'credit'): void {
    invoice.settledDay = day;
    invoice.settledBy = by;
  }

  private agreePlan(state: CustomerState, invoice: InvoiceState, day: EpochDay, out: DayEvent[]): void {
    const balance = principalLeft(invoice);
    if (invoice.settledDay !== undefined || balance <= 0 || invoice.plan) return;
    const count = Math.min(this.config.rates.paymentPlanInstallments, Math.max(1, Math.floor(balance / 100)));
    const base = Math.floor(balance / count);
    const installments = Array.from({ length: count }, (_, i) => ({
      day: day + 7 + 30 * i,
      amountMinor: i === count - 1 ? balance - base * (count - 1) : base,
    }));
    invoice.plan = { id: `plan-${invoice.id}`, installments, next: 0, broken: false };
    const time = this.localTime(state.customer, day, 12 * 60);
    this.emit(state, out, time, 40, 'billing.payment-plan.agreed', {
      planId: invoice.plan.id,
      invoiceId: invoice.id,
      customerId: state.customer.id,
      agreedAt: time,
      installments: installments.map((entry) => ({ dueDate: isoDateOf(entry.day), amount: { minor: entry.amountMinor, currency: invoice.currency } })),
    });
  }

  private installmentDay(state: CustomerState, invoice: InvoiceState, plan: PlanState, day: EpochDay, out: DayEvent[]): void {
    const installment = plan.installments[plan.next];
    if (!installment || installment.day !== day) return;
    const keeps = this.dice.chance(state.behaviour.installmentKeepProbability, PURPOSE.installment, state.customer.index, invoice.seq, plan.next);
    if (!keeps) {
      // A missed installment breaks the plan; what is left is owed as before.
      plan.broken = true;
      invoice.plannedDay = undefined;
      return;
    }
    plan.next += 1;
    const amount = Math.min(installment.amountMinor, balanceOf(invoice));
    if (amount > 0) this.pay(state, invoice, day, amount, out);
  }

  private maybeUpdateDetails(state: CustomerState, day: EpochDay, out: DayEvent[]): void {
    const { customer } = state;
    const probability = dailyFromMonthly(this.config.rates.customerUpdateMonthlyProbability);
    if (!this.dice.chance(probability, PURPOSE.customerUpdate, customer.index, day, 1)) return;
    const time = this.localTime(customer, day, 13 * 60);
    const kind = Math.floor(this.dice.uniform(PURPOSE.customerUpdate, customer.index, day, 2) * 3);
    const base = { customerId: customer.id, updatedAt: time };
    if (kind === 0) {
      // A move: a new unit number keeps the new address ours and unique.
      state.moves += 1;
      const country = this.config.countries[customer.country];
      if (!country) return;
      const address = customer.contact.postalAddress;
      const lines = [address.lines[0] ?? '', unitLineOf(customer.index, country, state.moves)];
      this.directory.addAddress(customer.contact.name, { lines, postalCode: address.postalCode }, customer.id);
      this.emit(state, out, time, 60, 'billing.customer.updated', {
        ...base,
        customer: { postalAddress: { lines, postalCode: address.postalCode, city: address.city, country: address.country } },
      });
    } else if (kind === 1) {
      this.emit(state, out, time, 60, 'billing.customer.updated', { ...base, customer: {}, consent: { sms: false } });
    } else {
      this.emit(state, out, time, 60, 'billing.customer.updated', { ...base, customer: {}, consent: { email: true, sms: true, letter: true } });
    }
  }

  private localTime(customer: Customer, day: EpochDay, minuteOfDay: number): string {
    return instantAt(day, minuteOfDay, customer.timeZone);
  }

  private emit<T extends BillingEventType>(state: CustomerState, out: DayEvent[], time: string, order: number, type: T, data: BillingEventOf<T>['data']): void {
    state.eventSeq += 1;
    const event = {
      specversion: '1.0' as const,
      id: `${state.customer.id}-${String(state.eventSeq).padStart(5, '0')}`,
      source: this.config.eventSource,
      type,
      time,
      subject: 'invoiceId' in data && typeof data.invoiceId === 'string' ? data.invoiceId : state.customer.id,
      data,
    } as unknown as BillingEvent;
    out.push({ time, order, event });
  }

  /** Takes in the last messages of a run (they count as contacts) without living another day. */
  finish(seen: readonly SeenMessage[]): void {
    this.takeIn(seen, (this.lastStepped ?? this.lastDay) + 1);
  }

  /** What happened to every invoice and customer, for the report. */
  results(): SimulationResults {
    const invoices: InvoiceResult[] = [];
    const customers: CustomerResult[] = [];
    for (const state of this.states) {
      const { customer } = state;
      let contacts = state.contactsSeen;
      let contactsAfterDue = 0;
      for (const invoice of state.invoices) {
        contacts += invoice.contacts.length;
        contactsAfterDue += invoice.contacts.filter((c) => c.day > invoice.dueDay).length;
        const since = (day: EpochDay | undefined): number | null => (day === undefined ? null : day - invoice.dueDay);
        const paidByDueNextDay = invoice.payments.filter((p) => p.day <= invoice.dueDay + 1).reduce((sum, p) => sum + p.amountMinor, 0);
        const settledEarly = invoice.settledDay !== undefined && invoice.settledDay <= invoice.dueDay + 1;
        invoices.push({
          invoiceId: invoice.id,
          customerId: customer.id,
          brand: customer.brand.id,
          country: customer.country,
          currency: invoice.currency,
          customerType: customer.type,
          hiddenType: customer.hiddenType,
          issuedDate: isoDateOf(invoice.issuedDay),
          dueDate: isoDateOf(invoice.dueDay),
          amountMinor: invoice.amountMinor,
          creditedMinor: invoice.creditedMinor,
          paidMinor: invoice.paidMinor,
          recoveredMinor: Math.min(invoice.paidMinor, invoice.amountMinor - invoice.creditedMinor),
          lateAfterDueDay: !settledEarly && !invoice.everDisputed && paidByDueNextDay < invoice.amountMinor - invoice.creditedMinor,
          settledDaysSinceDue: since(invoice.settledDay),
          settledBy: invoice.settledBy ?? null,
          payments: invoice.payments.map((p) => ({ daysSinceDue: p.day - invoice.dueDay, amountMinor: p.amountMinor })),
          handoffDaysSinceDue: since(invoice.firstDemandDay),
          contacts: invoice.contacts.map((c) => ({ daysSinceDue: c.day - invoice.dueDay, channel: c.channel })),
          disputed: invoice.everDisputed,
          paymentPlan: invoice.plan !== undefined,
          customerLeftDaysSinceDue: since(state.terminatedDay),
        });
      }
      customers.push({
        customerId: customer.id,
        brand: customer.brand.id,
        country: customer.country,
        customerType: customer.type,
        hiddenType: customer.hiddenType,
        invoices: state.invoices.length,
        contacts,
        contactsAfterDue,
        leftOn: state.terminatedDay === undefined ? null : isoDateOf(state.terminatedDay),
      });
    }
    return {
      seed: this.config.seed,
      firstDay: isoDateOf(this.firstDay),
      lastDay: isoDateOf(this.lastDay),
      lastInvoiceDay: isoDateOf(this.invoicingEndDay - 1),
      invoices,
      customers,
      unmatchedMessages: this.unmatchedMessages,
    };
  }
}

function balanceOf(invoice: InvoiceState): number {
  return Math.max(0, invoice.amountMinor + invoice.feeMinor - invoice.paidMinor - invoice.creditedMinor);
}

/** What is left of the invoice itself (fees aside): what a credit can still cover. */
function principalLeft(invoice: InvoiceState): number {
  return Math.max(0, invoice.amountMinor - invoice.paidMinor - invoice.creditedMinor);
}

const max = (a: number | undefined, b: number): number => (a === undefined ? b : Math.max(a, b));

/** A numeric payment reference with a Luhn (mod 10) check digit, like a Swedish OCR number. */
export function ocrReference(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return `${digits}${(10 - (sum % 10)) % 10}`;
}
