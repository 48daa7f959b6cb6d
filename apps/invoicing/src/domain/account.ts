import type { AccountEvent, CustomerProfile, HoldableCommandSnapshot, Instant, PaymentMatch } from './events';
import { evolveInvoice, newInvoice, type InvoiceState } from './invoice';
import { add, subtract, zero, type Money } from './money';

/**
 * A customer's invoice account: the consistency boundary of invoicing, and one stream in the
 * event store. Invoices are entities inside it because what happens to one depends on the
 * others: a payment without an invoice id goes to the oldest open invoice, and a surplus is
 * credit of the customer, not of an invoice. Billing keys every event by customer id, so the
 * account also matches the order Kafka guarantees.
 */
export interface PaymentRecord {
  readonly amount: Money;
  readonly receivedAt: Instant;
  readonly requestedInvoiceId?: string;
  readonly paymentReference?: string;
  readonly invoiceId?: string;
  readonly matchedBy: PaymentMatch;
}

export interface CreditNoteRecord {
  readonly invoiceId: string;
  readonly amount: Money;
  readonly creditedAt: Instant;
}

export interface HeldEntry {
  readonly holdId: string;
  readonly invoiceId?: string;
  readonly heldAt: Instant;
  readonly expiresAt: Instant;
  readonly why: 'invoice-not-yet-seen' | 'customer-has-no-invoices';
  readonly command: HoldableCommandSnapshot;
}

export interface ContactState {
  /** How many contact versions the log holds (each sealed with the customer's key of its time). */
  readonly versions: number;
  readonly fields: readonly string[];
  readonly changedAt?: Instant;
  /** True after erasure until a new contact arrives. */
  readonly erased: boolean;
  readonly erasedAt?: Instant;
}

export interface AccountState {
  readonly customerId?: string;
  readonly invoices: Readonly<Record<string, InvoiceState>>;
  /** Customer credit per currency: overpayments and credit notes on amounts already paid. */
  readonly credit: Readonly<Record<string, Money>>;
  readonly payments: Readonly<Record<string, PaymentRecord>>;
  readonly creditNotes: Readonly<Record<string, CreditNoteRecord>>;
  readonly held: Readonly<Record<string, HeldEntry>>;
  readonly profile: CustomerProfile;
  readonly terminatedAt?: Instant;
  readonly contact: ContactState;
}

export const EMPTY_PROFILE: CustomerProfile = { consent: {}, contactOnFile: { email: false, phone: false, postalAddress: false } };

export const initialState = (): AccountState => ({
  invoices: {},
  credit: {},
  payments: {},
  creditNotes: {},
  held: {},
  profile: EMPTY_PROFILE,
  contact: { versions: 0, fields: [], erased: false },
});

export const creditIn = (state: AccountState, currency: string): Money => state.credit[currency] ?? zero(currency);

function withInvoice(state: AccountState, invoiceId: string, event: AccountEvent): AccountState {
  const invoice = state.invoices[invoiceId];
  if (!invoice) throw new Error(`event ${event.type} names invoice ${invoiceId}, which the account does not hold`);
  return { ...state, invoices: { ...state.invoices, [invoiceId]: evolveInvoice(invoice, event) } };
}

function without<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

export function evolve(state: AccountState, event: AccountEvent): AccountState {
  const { type } = event;
  switch (type) {
    case 'InvoiceIssued':
      return {
        ...state,
        customerId: event.data.customerId,
        invoices: { ...state.invoices, [event.data.invoiceId]: newInvoice(event.data) },
      };
    case 'PaymentReceived': {
      const { paymentId, amount, receivedAt, requestedInvoiceId, paymentReference, invoiceId, matchedBy } = event.data;
      const record: PaymentRecord = {
        amount,
        receivedAt,
        matchedBy,
        ...(requestedInvoiceId === undefined ? {} : { requestedInvoiceId }),
        ...(paymentReference === undefined ? {} : { paymentReference }),
        ...(invoiceId === undefined ? {} : { invoiceId }),
      };
      return { ...state, customerId: event.data.customerId, payments: { ...state.payments, [paymentId]: record } };
    }
    case 'InvoiceCredited': {
      const { creditNoteId, invoiceId, amount, creditedAt } = event.data;
      const next = withInvoice(state, invoiceId, event);
      return { ...next, creditNotes: { ...next.creditNotes, [creditNoteId]: { invoiceId, amount, creditedAt } } };
    }
    case 'PaymentApplied':
    case 'InvoiceSettled':
    case 'InvoiceDisputed':
    case 'DisputeResolved':
    case 'PaymentPlanAgreed':
    case 'InstallmentMissed':
    case 'PaymentPlanBroken':
    case 'InvoiceHandedOff':
    case 'InvoiceRecalled':
      return withInvoice(state, event.data.invoiceId, event);
    case 'CustomerCreditAdded': {
      const { currency } = event.data.amount;
      return { ...state, credit: { ...state.credit, [currency]: add(creditIn(state, currency), event.data.amount) } };
    }
    case 'CustomerCreditUsed': {
      const { currency } = event.data.amount;
      const next = withInvoice(state, event.data.invoiceId, event);
      return { ...next, credit: { ...next.credit, [currency]: subtract(creditIn(next, currency), event.data.amount) } };
    }
    case 'CustomerDetailsChanged': {
      const { customerId, changedAt, contact, contactFields, profile } = event.data;
      return {
        ...state,
        customerId,
        profile,
        contact:
          contact === undefined
            ? state.contact
            : { versions: state.contact.versions + 1, fields: contactFields ?? [], changedAt, erased: false },
      };
    }
    case 'CustomerTerminated':
      return { ...state, customerId: event.data.customerId, terminatedAt: event.data.terminatedAt };
    case 'PersonalDataErased':
      return {
        ...state,
        customerId: event.data.customerId,
        profile: { ...state.profile, contactOnFile: { email: false, phone: false, postalAddress: false } },
        contact: { ...state.contact, erased: true, erasedAt: event.data.erasedAt },
      };
    case 'EventHeld': {
      const { holdId, invoiceId, heldAt, expiresAt, why, command } = event.data;
      const entry: HeldEntry = { holdId, heldAt, expiresAt, why, command, ...(invoiceId === undefined ? {} : { invoiceId }) };
      return { ...state, customerId: event.data.customerId, held: { ...state.held, [holdId]: entry } };
    }
    case 'HeldEventReleased':
    case 'HeldEventDropped':
      return { ...state, held: without(state.held, event.data.holdId) };
    default: {
      const unknownType: never = type;
      throw new Error(`unknown account event type ${String(unknownType)}`);
    }
  }
}

export const replay = (events: readonly AccountEvent[], from: AccountState = initialState()): AccountState => events.reduce(evolve, from);

/** The channels that can reach the customer: a contact on file and no opt-out. */
export function reachableChannels(profile: CustomerProfile): ('sms' | 'email' | 'letter')[] {
  const channels: ('sms' | 'email' | 'letter')[] = [];
  if (profile.contactOnFile.phone && profile.consent.sms !== false) channels.push('sms');
  if (profile.contactOnFile.email && profile.consent.email !== false) channels.push('email');
  if (profile.contactOnFile.postalAddress && profile.consent.letter !== false) channels.push('letter');
  return channels;
}
