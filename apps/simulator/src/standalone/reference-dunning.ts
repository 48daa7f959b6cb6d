import { createHash } from 'node:crypto';
import type { BillingEvent } from '@dunning/contracts';
import { epochDayOf, firstPaydayOnOrAfter, localDayOf, weekdayOf, type EpochDay, type PaydayRule } from '../domain/calendar';
import type { Channel, ReferenceDunningConfig } from '../domain/config';
import type { SeenMessage } from '../domain/seen-message';

// A small, in-memory stand-in for the platform, for the standalone mode: it reads the same contract
// events the real services read and plays the seeds' experiment policy
// (apps/dunning-orchestrator/policies/seeds-experiment.yaml) — everyone gets a soft e-mail three days
// before the due date and an SMS on it; late consumer cases are split by customer into collection as
// before / friendlier SMS reminders / no action; business cases follow the standard flow. It knows the
// contact rules (cap, minimum gap, no SMS or e-mail on Sundays, a step slipping too far is skipped)
// but not holidays, quiet hours or scores. It is a baseline to develop the behaviour model against,
// not a second implementation of the orchestrator.

export type ArmOrFlow = string;

interface Step {
  readonly id: string;
  readonly at: { readonly daysFromDue: number } | { readonly firstPaydayAtLeastDaysAfterDue: number };
  readonly action: 'reminder' | 'handoff';
  readonly channel?: Channel;
  readonly fallback?: Channel;
  readonly fee?: boolean;
  /** Skip the step when less is owed (per currency, minor units). */
  readonly minOutstanding?: Readonly<Record<string, number>>;
}

const BEFORE_DUE: readonly Step[] = [
  { id: 'soft-reminder', at: { daysFromDue: -3 }, action: 'reminder', channel: 'email', fallback: 'sms' },
  { id: 'due-today', at: { daysFromDue: 0 }, action: 'reminder', channel: 'sms', fallback: 'email' },
];

/** The flows of the seeds' policy, by arm (consumers) or by segment (businesses: `standard`). */
export const REFERENCE_FLOWS: Readonly<Record<string, readonly Step[]>> = {
  'collection-as-before': [
    { id: 'letter', at: { daysFromDue: 10 }, action: 'reminder', channel: 'letter', fee: true },
    { id: 'collection', at: { daysFromDue: 30 }, action: 'handoff' },
  ],
  'friendly-sms': [
    { id: 'sms-1', at: { daysFromDue: 5 }, action: 'reminder', channel: 'sms', fallback: 'email' },
    { id: 'sms-payday', at: { firstPaydayAtLeastDaysAfterDue: 10 }, action: 'reminder', channel: 'sms', fallback: 'email' },
    { id: 'sms-final', at: { daysFromDue: 30 }, action: 'reminder', channel: 'sms', fallback: 'email' },
  ],
  'no-action': [],
  standard: [
    { id: 'sms-reminder', at: { daysFromDue: 3 }, action: 'reminder', channel: 'sms', fallback: 'email' },
    { id: 'payday-email', at: { firstPaydayAtLeastDaysAfterDue: 7 }, action: 'reminder', channel: 'email', fallback: 'sms' },
    { id: 'letter', at: { daysFromDue: 25 }, action: 'reminder', channel: 'letter', fee: true, minOutstanding: { SEK: 5000, EUR: 500 } },
  ],
};

/** The country's usual payday (the orchestrator's fallback when it has not learned the customer's). */
const COUNTRY_PAYDAY: Readonly<Record<string, PaydayRule>> = {
  SE: { kind: 'day-of-month', day: 25 },
  DE: { kind: 'last-banking-day' },
};

const SEGMENT_AFTER_DUE_DAYS = 2;
const MAX_DELAY_BEFORE_DUE = 3;
const MAX_DELAY_AFTER_DUE = 21;

interface RefCustomer {
  readonly id: string;
  type: 'consumer' | 'business';
  timeZone: string;
  country: string;
  email: boolean;
  phone: boolean;
  consent: { sms: boolean; email: boolean; letter: boolean };
  readonly contactDays: EpochDay[];
}

interface RefInvoice {
  readonly id: string;
  readonly customer: RefCustomer;
  readonly dueDay: EpochDay;
  readonly amountMinor: number;
  readonly currency: string;
  readonly paymentReference: string | undefined;
  readonly issuedOrder: number;
  paidMinor: number;
  creditedMinor: number;
  disputed: boolean;
  underPlan: boolean;
  flow: ArmOrFlow | undefined;
  readonly done: Set<string>;
  handoffDay: EpochDay | undefined;
  demandDelivered: boolean;
}

/** A customer's position in [0, 1) for an experiment: as the orchestrator computes it (docs/orchestrator.md). */
export function assignmentBucket(experimentId: string, customerId: string): number {
  const digest = createHash('sha256').update(`${experimentId}:${customerId}`, 'utf8').digest();
  const high = digest.readUIntBE(0, 6);
  const nibble = (digest[6] ?? 0) >> 4;
  return (high * 16 + nibble) / 2 ** 52;
}

export function assignArm(config: ReferenceDunningConfig, customerId: string): string {
  const total = config.arms.reduce((sum, arm) => sum + arm.weight, 0);
  let threshold = assignmentBucket(config.experimentId, customerId) * total;
  for (const arm of config.arms) {
    threshold -= arm.weight;
    if (threshold < 0) return arm.id;
  }
  return config.arms[config.arms.length - 1]?.id ?? 'none';
}

export class ReferenceDunning {
  private readonly customers = new Map<string, RefCustomer>();
  private readonly invoices = new Map<string, RefInvoice>();
  private readonly byReference = new Map<string, RefInvoice>();
  /** Invoices dunning may still act on; settled ones and those with nothing left to do leave it. */
  private readonly active = new Set<RefInvoice>();
  private issued = 0;

  constructor(private readonly config: ReferenceDunningConfig) {}

  /** Takes in the contract events billing produced (what invoicing would ingest). */
  observe(events: readonly BillingEvent[]): void {
    for (const event of events) this.observeOne(event);
  }

  private observeOne(event: BillingEvent): void {
    switch (event.type) {
      case 'billing.invoice.issued': {
        const { data } = event;
        const customer = this.customerOf(data.customerId);
        customer.type = data.customer.type;
        customer.timeZone = data.customer.timeZone;
        customer.country = data.customer.postalAddress?.country ?? customer.country;
        customer.email = data.customer.email !== undefined;
        customer.phone = data.customer.phone !== undefined;
        this.issued += 1;
        const invoice: RefInvoice = {
          id: data.invoiceId,
          customer,
          dueDay: epochDayOf(data.dueDate),
          amountMinor: data.amount.minor,
          currency: data.amount.currency,
          paymentReference: data.paymentReference,
          issuedOrder: this.issued,
          paidMinor: 0,
          creditedMinor: 0,
          disputed: false,
          underPlan: false,
          flow: undefined,
          done: new Set(),
          handoffDay: undefined,
          demandDelivered: false,
        };
        this.invoices.set(invoice.id, invoice);
        this.active.add(invoice);
        if (invoice.paymentReference) this.byReference.set(invoice.paymentReference, invoice);
        return;
      }
      case 'billing.payment.received': {
        const { data } = event;
        const invoice =
          (data.invoiceId ? this.invoices.get(data.invoiceId) : undefined) ??
          (data.paymentReference ? this.byReference.get(data.paymentReference) : undefined) ??
          this.oldestOpen(data.customerId);
        if (invoice) invoice.paidMinor += data.amount.minor;
        return;
      }
      case 'billing.invoice.credited': {
        const invoice = this.invoices.get(event.data.invoiceId);
        if (invoice) invoice.creditedMinor += event.data.amount.minor;
        return;
      }
      case 'billing.invoice.disputed': {
        const invoice = this.invoices.get(event.data.invoiceId);
        if (invoice) invoice.disputed = true;
        return;
      }
      case 'billing.invoice.dispute-resolved': {
        const invoice = this.invoices.get(event.data.invoiceId);
        if (invoice) invoice.disputed = false;
        return;
      }
      case 'billing.payment-plan.agreed': {
        const invoice = this.invoices.get(event.data.invoiceId);
        if (invoice) invoice.underPlan = true;
        return;
      }
      case 'billing.customer.updated': {
        const customer = this.customerOf(event.data.customerId);
        const { consent } = event.data;
        if (consent?.sms !== undefined) customer.consent.sms = consent.sms;
        if (consent?.email !== undefined) customer.consent.email = consent.email;
        if (consent?.letter !== undefined) customer.consent.letter = consent.letter;
        return;
      }
      case 'billing.customer.terminated':
        return;
      default: {
        const unknown: never = event;
        throw new Error(`unexpected event ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Runs one day of dunning; the messages and demands that reach customers that day. */
  runDay(day: EpochDay): SeenMessage[] {
    const seen: SeenMessage[] = [];
    for (const invoice of this.active) {
      if (this.outstanding(invoice) <= 0 || invoice.demandDelivered || (invoice.flow !== undefined && this.flowFinished(invoice))) {
        this.active.delete(invoice);
        continue;
      }
      if (!this.isOpen(invoice)) continue;
      // A hand-off already made: the agency's demand reaches the customer unless the invoice was settled meanwhile.
      if (invoice.handoffDay !== undefined) {
        if (!invoice.demandDelivered && day >= invoice.handoffDay + this.config.demandDelayDays) {
          invoice.demandDelivered = true;
          seen.push({ kind: 'collection-demand', customerId: invoice.customer.id, day, invoiceId: invoice.id, agencyId: 'reference-agency' });
        }
        continue;
      }
      if (invoice.flow === undefined && day >= invoice.dueDay + SEGMENT_AFTER_DUE_DAYS) {
        invoice.flow = invoice.customer.type === 'consumer' ? assignArm(this.config, invoice.customer.id) : 'standard';
      }
      const steps = invoice.flow === undefined ? BEFORE_DUE : (REFERENCE_FLOWS[invoice.flow] ?? []);
      for (const step of steps) {
        if (invoice.done.has(step.id)) continue;
        const scheduled = this.scheduledDay(invoice, step);
        if (day < scheduled) break; // steps run in order
        const maxDelay = scheduled <= invoice.dueDay ? MAX_DELAY_BEFORE_DUE : MAX_DELAY_AFTER_DUE;
        if (day > scheduled + maxDelay) {
          invoice.done.add(step.id); // slipped too far: skipped, not sent late
          continue;
        }
        if (step.minOutstanding && this.outstanding(invoice) < (step.minOutstanding[invoice.currency] ?? 0)) {
          invoice.done.add(step.id);
          continue;
        }
        if (step.action === 'handoff') {
          invoice.done.add(step.id);
          invoice.handoffDay = day;
          if (this.config.demandDelayDays === 0) {
            invoice.demandDelivered = true;
            seen.push({ kind: 'collection-demand', customerId: invoice.customer.id, day, invoiceId: invoice.id, agencyId: 'reference-agency' });
          }
          break;
        }
        const channel = this.reachableChannel(invoice.customer, step);
        if (!channel) {
          invoice.done.add(step.id);
          continue;
        }
        if (!this.mayContact(invoice.customer, day, channel)) break; // wait for a day the rules allow
        invoice.done.add(step.id);
        invoice.customer.contactDays.push(day);
        const fee = step.fee ? this.config.letterFeeMinor[invoice.currency] ?? 0 : 0;
        seen.push({ kind: 'reminder', customerId: invoice.customer.id, day, channel, invoiceId: invoice.id, ...(fee > 0 ? { feeMinor: fee } : {}) });
        break; // one step per invoice and day
      }
    }
    return seen;
  }

  /** The flow (experiment arm, or `standard`) each late invoice got; invoices never late have none. */
  assignments(): Map<string, ArmOrFlow> {
    const result = new Map<string, ArmOrFlow>();
    for (const invoice of this.invoices.values()) if (invoice.flow !== undefined) result.set(invoice.id, invoice.flow);
    return result;
  }

  private flowFinished(invoice: RefInvoice): boolean {
    if (invoice.handoffDay !== undefined) return false;
    return (REFERENCE_FLOWS[invoice.flow ?? ''] ?? []).every((step) => invoice.done.has(step.id));
  }

  private scheduledDay(invoice: RefInvoice, step: Step): EpochDay {
    if ('daysFromDue' in step.at) return invoice.dueDay + step.at.daysFromDue;
    const rule = COUNTRY_PAYDAY[invoice.customer.country] ?? COUNTRY_PAYDAY['SE'];
    return firstPaydayOnOrAfter(rule as PaydayRule, invoice.dueDay + step.at.firstPaydayAtLeastDaysAfterDue);
  }

  private reachableChannel(customer: RefCustomer, step: Step): Channel | undefined {
    for (const channel of [step.channel, step.fallback]) {
      if (channel === 'sms' && customer.phone && customer.consent.sms) return 'sms';
      if (channel === 'email' && customer.email && customer.consent.email) return 'email';
      if (channel === 'letter' && customer.consent.letter) return 'letter';
    }
    return undefined;
  }

  private mayContact(customer: RefCustomer, day: EpochDay, channel: Channel): boolean {
    if (channel !== 'letter' && weekdayOf(day) === 7) return false;
    const { maxContacts, perDays } = this.config.contactCap;
    const recent = customer.contactDays.filter((d) => d > day - perDays).length;
    const last = customer.contactDays[customer.contactDays.length - 1];
    if (last !== undefined && day - last < this.config.minDaysBetweenContacts) return false;
    return recent < maxContacts;
  }

  private outstanding(invoice: RefInvoice): number {
    return invoice.amountMinor - invoice.paidMinor - invoice.creditedMinor;
  }

  private isOpen(invoice: RefInvoice): boolean {
    return this.outstanding(invoice) > 0 && !invoice.disputed && !invoice.underPlan;
  }

  private oldestOpen(customerId: string): RefInvoice | undefined {
    let oldest: RefInvoice | undefined;
    for (const invoice of this.invoices.values()) {
      if (invoice.customer.id !== customerId || this.outstanding(invoice) <= 0) continue;
      if (!oldest || invoice.issuedOrder < oldest.issuedOrder) oldest = invoice;
    }
    return oldest;
  }

  private customerOf(id: string): RefCustomer {
    let customer = this.customers.get(id);
    if (!customer) {
      customer = { id, type: 'consumer', timeZone: 'Europe/Stockholm', country: 'SE', email: false, phone: false, consent: { sms: true, email: true, letter: true }, contactDays: [] };
      this.customers.set(id, customer);
    }
    return customer;
  }
}

/** The local day of an instant, for clocks given as instants. */
export function referenceDayOf(instant: Date, timeZone: string): EpochDay {
  return localDayOf(instant, timeZone);
}
