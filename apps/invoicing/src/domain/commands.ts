import type { CalendarDate, CustomerProfilePatch, Installment, Instant, SealedText } from './events';
import type { Money } from './money';

/**
 * What the outside world asks of a customer's invoice account. Billing events become these
 * commands after contract validation (libs/contracts) and after personal data has been sealed.
 * `metadata.now` is the only clock a decision sees.
 */
export interface CommandMetadata {
  readonly now: Instant;
}

type Command<Type extends string, Data> = { readonly type: Type; readonly data: Data; readonly metadata: CommandMetadata };

export type IssueInvoice = Command<
  'IssueInvoice',
  {
    invoiceId: string;
    customerId: string;
    issuedAt: Instant;
    dueDate: CalendarDate;
    amount: Money;
    paymentReference?: string;
    brand?: string;
    profile?: CustomerProfilePatch;
    /** The contact sent with the invoice, sealed; present only when it differs from what the account holds. */
    contact?: SealedText;
    contactFields?: readonly string[];
  }
>;

export type RecordPayment = Command<
  'RecordPayment',
  {
    paymentId: string;
    customerId: string;
    amount: Money;
    receivedAt: Instant;
    invoiceId?: string;
    paymentReference?: string;
    method?: string;
  }
>;

export type CreditInvoice = Command<
  'CreditInvoice',
  { creditNoteId: string; invoiceId: string; customerId: string; amount: Money; creditedAt: Instant; reason?: SealedText }
>;

export type DisputeInvoice = Command<'DisputeInvoice', { invoiceId: string; customerId: string; disputedAt: Instant; reason?: SealedText }>;

export type ResolveDispute = Command<'ResolveDispute', { invoiceId: string; customerId: string; resolvedAt: Instant; outcome: 'upheld' | 'rejected' }>;

export type AgreePaymentPlan = Command<
  'AgreePaymentPlan',
  { planId: string; invoiceId: string; customerId: string; agreedAt: Instant; installments: readonly Installment[] }
>;

export type UpdateCustomer = Command<
  'UpdateCustomer',
  {
    customerId: string;
    updatedAt: Instant;
    profile?: CustomerProfilePatch;
    /** Sealed contact after the update; present only when it differs from what the account holds. */
    contact?: SealedText;
    contactFields?: readonly string[];
  }
>;

export type TerminateCustomer = Command<'TerminateCustomer', { customerId: string; terminatedAt: Instant; reason?: SealedText }>;

export type RecordHandoff = Command<
  'RecordHandoff',
  { invoiceId: string; customerId: string; caseId: string; handedOffAt: Instant; amount: Money; agencyId?: string }
>;

export type RecordRecall = Command<'RecordRecall', { invoiceId: string; customerId: string; caseId: string; recalledAt: Instant; reasonCode: string }>;

export type ErasePersonalData = Command<'ErasePersonalData', { customerId: string }>;

/** Time passed: expire held events, detect missed installments and broken plans. */
export type CheckDeadlines = Command<'CheckDeadlines', { customerId: string }>;

export type AccountCommand =
  | IssueInvoice
  | RecordPayment
  | CreditInvoice
  | DisputeInvoice
  | ResolveDispute
  | AgreePaymentPlan
  | UpdateCustomer
  | TerminateCustomer
  | RecordHandoff
  | RecordRecall
  | ErasePersonalData
  | CheckDeadlines;

/** Commands that name an invoice and wait for it when it has not arrived yet (out-of-order delivery). */
export type HoldableCommand = RecordPayment | CreditInvoice | DisputeInvoice | ResolveDispute | AgreePaymentPlan;
