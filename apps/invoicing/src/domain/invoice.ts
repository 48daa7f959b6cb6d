import type { AccountEvent, CalendarDate, Installment, Instant } from './events';
import { add, equals, isZero, subtract, zero, type Money } from './money';

/**
 * One invoice inside a customer's account: its amount, what has been paid and credited, and
 * the overlays that pause or end dunning (dispute, payment plan, collection).
 *
 * The invariant every evolution keeps: `balance = amount − paid − creditApplied`, never
 * negative; the invoice is settled exactly when the balance is zero. Whatever a payment or a
 * credit brings beyond the balance is the customer's credit, kept on the account.
 */
export type InvoiceStatus = 'open' | 'partly-paid' | 'settled';

export interface DisputeRecord {
  readonly disputedAt: Instant;
  readonly resolvedAt?: Instant;
  readonly outcome?: 'upheld' | 'rejected';
}

export interface PaymentPlanState {
  readonly planId: string;
  readonly agreedAt: Instant;
  readonly installments: readonly Installment[];
  readonly balanceAtAgreement: Money;
  readonly status: 'active' | 'broken' | 'completed' | 'superseded';
  /** 1-based numbers of the installments found missed. */
  readonly missed: readonly number[];
}

export type CollectionState =
  | { readonly status: 'none' }
  | { readonly status: 'handed-off'; readonly caseId: string; readonly handedOffAt: Instant; readonly amount: Money }
  | { readonly status: 'recalled'; readonly caseId: string; readonly recalledAt: Instant };

export interface InvoiceState {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly issuedAt: Instant;
  readonly dueDate: CalendarDate;
  readonly amount: Money;
  readonly paymentReference?: string;
  readonly brand?: string;
  /** Payments applied to this invoice (their surplus went to customer credit). */
  readonly paid: Money;
  /** All credit notes on this invoice; never more than the amount. */
  readonly creditedTotal: Money;
  /** The part of the credit notes that reduced the balance. */
  readonly creditApplied: Money;
  readonly balance: Money;
  readonly status: InvoiceStatus;
  readonly settledAt?: Instant;
  readonly settledBy?: 'payment' | 'credit';
  readonly disputes: readonly DisputeRecord[];
  readonly plans: readonly PaymentPlanState[];
  readonly collection: CollectionState;
  readonly paymentIds: readonly string[];
  readonly creditNoteIds: readonly string[];
}

export const isDisputed = (invoice: InvoiceState): boolean => invoice.disputes.some((dispute) => dispute.resolvedAt === undefined);
export const openDispute = (invoice: InvoiceState): DisputeRecord | undefined => invoice.disputes.find((dispute) => dispute.resolvedAt === undefined);
export const activePlan = (invoice: InvoiceState): PaymentPlanState | undefined => invoice.plans.find((plan) => plan.status === 'active');
export const isOpen = (invoice: InvoiceState): boolean => invoice.status !== 'settled';
export const isFullyCredited = (invoice: InvoiceState): boolean => equals(invoice.creditedTotal, invoice.amount);

// A credit note alone does not make an invoice "partly paid": only money received does.
function statusOf(balance: Money, paid: Money): InvoiceStatus {
  if (isZero(balance)) return 'settled';
  return paid.minor > 0 ? 'partly-paid' : 'open';
}

function withAmounts(invoice: InvoiceState, paid: Money, creditApplied: Money): InvoiceState {
  const balance = subtract(subtract(invoice.amount, paid), creditApplied);
  if (balance.minor < 0) throw new Error(`invariant broken: invoice ${invoice.invoiceId} balance below zero`);
  return { ...invoice, paid, creditApplied, balance, status: statusOf(balance, paid) };
}

function replacePlan(invoice: InvoiceState, planId: string, change: (plan: PaymentPlanState) => PaymentPlanState): InvoiceState {
  return { ...invoice, plans: invoice.plans.map((plan) => (plan.planId === planId ? change(plan) : plan)) };
}

/** The invoice after one of the account's events that concerns it (other events leave it as it is). */
export function evolveInvoice(invoice: InvoiceState, event: AccountEvent): InvoiceState {
  switch (event.type) {
    case 'CustomerCreditUsed':
      return withAmounts(invoice, add(invoice.paid, event.data.amount), invoice.creditApplied);
    case 'PaymentApplied':
      return { ...withAmounts(invoice, add(invoice.paid, event.data.amount), invoice.creditApplied), paymentIds: [...invoice.paymentIds, event.data.paymentId] };
    case 'InvoiceCredited': {
      const credited = withAmounts(invoice, invoice.paid, add(invoice.creditApplied, event.data.appliedToBalance));
      return { ...credited, creditedTotal: add(invoice.creditedTotal, event.data.amount), creditNoteIds: [...invoice.creditNoteIds, event.data.creditNoteId] };
    }
    case 'InvoiceSettled':
      return {
        ...invoice,
        settledAt: event.data.settledAt,
        settledBy: event.data.settledBy,
        plans: invoice.plans.map((plan) => (plan.status === 'active' ? { ...plan, status: 'completed' } : plan)),
      };
    case 'InvoiceDisputed':
      return { ...invoice, disputes: [...invoice.disputes, { disputedAt: event.data.disputedAt }] };
    case 'DisputeResolved':
      return {
        ...invoice,
        disputes: invoice.disputes.map((dispute) =>
          dispute.resolvedAt === undefined ? { ...dispute, resolvedAt: event.data.resolvedAt, outcome: event.data.outcome } : dispute,
        ),
      };
    case 'PaymentPlanAgreed':
      return {
        ...invoice,
        plans: [
          ...invoice.plans.map((plan) => (plan.status === 'active' ? { ...plan, status: 'superseded' as const } : plan)),
          {
            planId: event.data.planId,
            agreedAt: event.data.agreedAt,
            installments: event.data.installments,
            balanceAtAgreement: event.data.balanceAtAgreement,
            status: 'active',
            missed: [],
          },
        ],
      };
    case 'InstallmentMissed':
      return replacePlan(invoice, event.data.planId, (plan) => ({ ...plan, missed: [...plan.missed, event.data.installmentNumber] }));
    case 'PaymentPlanBroken':
      return replacePlan(invoice, event.data.planId, (plan) => ({ ...plan, status: 'broken' }));
    case 'InvoiceHandedOff':
      return { ...invoice, collection: { status: 'handed-off', caseId: event.data.caseId, handedOffAt: event.data.handedOffAt, amount: event.data.amount } };
    case 'InvoiceRecalled':
      return { ...invoice, collection: { status: 'recalled', caseId: event.data.caseId, recalledAt: event.data.recalledAt } };
    default:
      return invoice;
  }
}

export function newInvoice(data: {
  invoiceId: string;
  customerId: string;
  issuedAt: Instant;
  dueDate: CalendarDate;
  amount: Money;
  paymentReference?: string;
  brand?: string;
}): InvoiceState {
  const nothing = zero(data.amount.currency);
  return {
    invoiceId: data.invoiceId,
    customerId: data.customerId,
    issuedAt: data.issuedAt,
    dueDate: data.dueDate,
    amount: data.amount,
    ...(data.paymentReference === undefined ? {} : { paymentReference: data.paymentReference }),
    ...(data.brand === undefined ? {} : { brand: data.brand }),
    paid: nothing,
    creditedTotal: nothing,
    creditApplied: nothing,
    balance: data.amount,
    status: 'open',
    disputes: [],
    plans: [],
    collection: { status: 'none' },
    paymentIds: [],
    creditNoteIds: [],
  };
}
