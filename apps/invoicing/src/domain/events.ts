import type { Money } from './money';

/**
 * The domain events of a customer's invoice account: the facts invoicing has accepted, as it
 * stores them in its event store. They are not the integration events on Kafka
 * (`invoicing.invoices.v1`, in libs/contracts); `../gateway` maps one to the other.
 *
 * Nothing here is personal data in the clear. Contact details and free-text reasons travel as
 * `SealedText`: ciphertext under the customer's own key (crypto-shredding, docs/personal-data.md),
 * produced and opened outside the domain. The domain only carries it.
 */
export type SealedText = string;

/** ISO 8601 instant (UTC, `Z`). */
export type Instant = string;
/** Calendar date `YYYY-MM-DD`, in the customer's time zone. */
export type CalendarDate = string;

export interface Installment {
  readonly dueDate: CalendarDate;
  readonly amount: Money;
}

/** How a payment found its invoice (or did not). */
export type PaymentMatch = 'invoice-id' | 'payment-reference' | 'oldest-open-invoice' | 'no-open-invoice';

export type CustomerType = 'consumer' | 'business';

/**
 * What decisions may know about a customer: no name, no address, no number. Kept in the clear
 * because downstream scheduling and the rules of law need it (time zone, locale, country, type)
 * and because it is what `invoicing.invoices.v1` publishes (docs/personal-data.md).
 */
export interface CustomerProfile {
  readonly type?: CustomerType;
  readonly locale?: string;
  readonly timeZone?: string;
  readonly country?: string;
  readonly customerSince?: CalendarDate;
  readonly consent: { readonly sms?: boolean; readonly email?: boolean; readonly letter?: boolean };
  /** Whether a contact of each kind is on file (the contact itself is sealed). */
  readonly contactOnFile: { readonly email: boolean; readonly phone: boolean; readonly postalAddress: boolean };
}

/** A change to the profile: absent fields are unchanged. */
export interface CustomerProfilePatch {
  readonly type?: CustomerType;
  readonly locale?: string;
  readonly timeZone?: string;
  readonly country?: string;
  readonly customerSince?: CalendarDate;
  readonly consent?: { readonly sms?: boolean; readonly email?: boolean; readonly letter?: boolean };
  readonly contactOnFile?: { readonly email: boolean; readonly phone: boolean; readonly postalAddress: boolean };
}

export type DomainEvent<Type extends string, Data> = { readonly type: Type; readonly data: Data };

export type InvoiceIssued = DomainEvent<
  'InvoiceIssued',
  {
    invoiceId: string;
    customerId: string;
    issuedAt: Instant;
    dueDate: CalendarDate;
    amount: Money;
    paymentReference?: string;
    brand?: string;
  }
>;

/** A payment was accepted; where it went is told by the PaymentApplied / CustomerCreditAdded events that follow. */
export type PaymentReceived = DomainEvent<
  'PaymentReceived',
  {
    paymentId: string;
    customerId: string;
    amount: Money;
    receivedAt: Instant;
    requestedInvoiceId?: string;
    paymentReference?: string;
    method?: string;
    matchedBy: PaymentMatch;
    invoiceId?: string;
  }
>;

export type PaymentApplied = DomainEvent<
  'PaymentApplied',
  {
    paymentId: string;
    invoiceId: string;
    customerId: string;
    amount: Money;
    balanceAfter: Money;
    receivedAt: Instant;
    matchedBy: PaymentMatch;
  }
>;

export type InvoiceCredited = DomainEvent<
  'InvoiceCredited',
  {
    creditNoteId: string;
    invoiceId: string;
    customerId: string;
    amount: Money;
    /** The part that reduced the balance; the rest (credit on an already paid amount) became customer credit. */
    appliedToBalance: Money;
    balanceAfter: Money;
    creditedTotal: Money;
    creditedAt: Instant;
    reason?: SealedText;
  }
>;

export type InvoiceSettled = DomainEvent<
  'InvoiceSettled',
  { invoiceId: string; customerId: string; settledAt: Instant; settledBy: 'payment' | 'credit'; amount: Money }
>;

export type CustomerCreditAdded = DomainEvent<
  'CustomerCreditAdded',
  {
    customerId: string;
    amount: Money;
    creditAfter: Money;
    cause: { kind: 'payment-surplus'; paymentId: string; invoiceId?: string } | { kind: 'credit-note-surplus'; creditNoteId: string; invoiceId: string };
    at: Instant;
  }
>;

export type InvoiceDisputed = DomainEvent<'InvoiceDisputed', { invoiceId: string; customerId: string; disputedAt: Instant; reason?: SealedText }>;

export type DisputeResolved = DomainEvent<
  'DisputeResolved',
  { invoiceId: string; customerId: string; resolvedAt: Instant; outcome: 'upheld' | 'rejected' }
>;

export type PaymentPlanAgreed = DomainEvent<
  'PaymentPlanAgreed',
  {
    planId: string;
    invoiceId: string;
    customerId: string;
    agreedAt: Instant;
    installments: readonly Installment[];
    /** The open balance when the plan was agreed; installments are covered by what is paid or credited after it. */
    balanceAtAgreement: Money;
    supersedesPlanId?: string;
  }
>;

export type InstallmentMissed = DomainEvent<
  'InstallmentMissed',
  {
    planId: string;
    invoiceId: string;
    customerId: string;
    installmentNumber: number;
    dueDate: CalendarDate;
    /** What the plan required by this installment and was not paid. */
    shortfall: Money;
    detectedAt: Instant;
  }
>;

export type PaymentPlanBroken = DomainEvent<
  'PaymentPlanBroken',
  { planId: string; invoiceId: string; customerId: string; brokenAt: Instant; installmentNumber: number; shortfall: Money }
>;

export type InvoiceHandedOff = DomainEvent<
  'InvoiceHandedOff',
  { invoiceId: string; customerId: string; caseId: string; handedOffAt: Instant; amount: Money; agencyId?: string }
>;

export type InvoiceRecalled = DomainEvent<'InvoiceRecalled', { invoiceId: string; customerId: string; caseId: string; recalledAt: Instant; reasonCode: string }>;

/** Customer credit paid part of a newly issued invoice (it counts as paid: it was the customer's money). */
export type CustomerCreditUsed = DomainEvent<
  'CustomerCreditUsed',
  { customerId: string; invoiceId: string; amount: Money; balanceAfter: Money; creditAfter: Money; at: Instant }
>;

export type CustomerDetailsChanged = DomainEvent<
  'CustomerDetailsChanged',
  {
    customerId: string;
    changedAt: Instant;
    /** The whole contact (name, e-mail, phone, address, locale, time zone, consent), sealed with the customer's key. */
    contact?: SealedText;
    /** Which contact fields the producer sent (names only, never values). */
    contactFields?: readonly string[];
    /** The whole profile after the change. */
    profile: CustomerProfile;
  }
>;

export type CustomerTerminated = DomainEvent<'CustomerTerminated', { customerId: string; terminatedAt: Instant; reason?: SealedText }>;

/** The customer's personal data was erased: their key is destroyed, sealed values in this log are unreadable from now on. */
export type PersonalDataErased = DomainEvent<'PersonalDataErased', { customerId: string; erasedAt: Instant }>;

export type EventHeld = DomainEvent<
  'EventHeld',
  {
    holdId: string;
    customerId: string;
    invoiceId?: string;
    heldAt: Instant;
    expiresAt: Instant;
    why: 'invoice-not-yet-seen' | 'customer-has-no-invoices';
    command: HoldableCommandSnapshot;
  }
>;

export type HeldEventReleased = DomainEvent<'HeldEventReleased', { holdId: string; customerId: string; releasedAt: Instant }>;

/** A held event that could not be applied: it expired, or the invoice it waited for rejects it. */
export type HeldEventDropped = DomainEvent<
  'HeldEventDropped',
  { holdId: string; customerId: string; droppedAt: Instant; code: string; reason: string }
>;

/** The command a held event will be decided with once its invoice arrives (JSON, as stored). */
export interface HoldableCommandSnapshot {
  readonly type: 'RecordPayment' | 'CreditInvoice' | 'DisputeInvoice' | 'ResolveDispute' | 'AgreePaymentPlan';
  readonly data: Readonly<Record<string, unknown>>;
}

export type AccountEvent =
  | InvoiceIssued
  | PaymentReceived
  | PaymentApplied
  | InvoiceCredited
  | InvoiceSettled
  | CustomerCreditAdded
  | CustomerCreditUsed
  | InvoiceDisputed
  | DisputeResolved
  | PaymentPlanAgreed
  | InstallmentMissed
  | PaymentPlanBroken
  | InvoiceHandedOff
  | InvoiceRecalled
  | CustomerDetailsChanged
  | CustomerTerminated
  | PersonalDataErased
  | EventHeld
  | HeldEventReleased
  | HeldEventDropped;

export type AccountEventType = AccountEvent['type'];

export const ACCOUNT_EVENT_TYPES: readonly AccountEventType[] = [
  'InvoiceIssued',
  'PaymentReceived',
  'PaymentApplied',
  'InvoiceCredited',
  'InvoiceSettled',
  'CustomerCreditAdded',
  'CustomerCreditUsed',
  'InvoiceDisputed',
  'DisputeResolved',
  'PaymentPlanAgreed',
  'InstallmentMissed',
  'PaymentPlanBroken',
  'InvoiceHandedOff',
  'InvoiceRecalled',
  'CustomerDetailsChanged',
  'CustomerTerminated',
  'PersonalDataErased',
  'EventHeld',
  'HeldEventReleased',
  'HeldEventDropped',
];

/** The invoice an event concerns, if any: the event history of one invoice is the account's events filtered by it. */
export function invoiceIdOf(event: AccountEvent): string | undefined {
  const data = event.data as { invoiceId?: unknown; cause?: { invoiceId?: unknown } };
  if (typeof data.invoiceId === 'string') return data.invoiceId;
  return typeof data.cause?.invoiceId === 'string' ? data.cause.invoiceId : undefined;
}
