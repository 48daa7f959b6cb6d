import { z } from 'zod';
import { defineIntegrationEvent } from '../cloudevents/envelope';
import { createEventRegistry, type EventOfRegistry } from '../cloudevents/event-registry';
import {
  bcp47Locale,
  calendarDate,
  countryCode,
  customerId,
  customerType,
  entityId,
  ianaTimeZone,
  instant,
  money,
  positiveMoney,
  reasonCode,
  shortText,
} from '../shared/primitives';
import { contactChannel } from '../shared/vocabulary';
import { TOPICS } from '../topics';

// invoicing's public events (invoicing.invoices.v1): each invoice's lifecycle as facts other services
// react to. Public messages, separate from invoicing's domain events; the outbox relay maps one to the
// other. No personal contact data travels here — only ids, money, dates and the non-personal profile
// a decision needs (type, locale, time zone, country, which channels can reach the customer).

export const INVOICING_SOURCE = 'urn:dunning:invoicing';

/** What a decision may know about a customer; contact details stay in invoicing (and later a contacts service). */
export const customerProfile = z
  .object({
    type: customerType,
    locale: bcp47Locale,
    timeZone: ianaTimeZone,
    country: countryCode.optional().meta({ description: 'Country of the postal address, when known; selects the rules of law.' }),
    customerSince: calendarDate.optional(),
    reachableChannels: z
      .array(contactChannel)
      .max(3)
      .meta({ description: 'Channels with a contact on file and no opt-out, e.g. ["sms", "email"]. Empty: no way to reach the customer.' }),
  })
  .meta({ description: 'The non-personal customer profile a dunning decision may use.' });
export type CustomerProfile = z.infer<typeof customerProfile>;

const invoiceId = entityId('the invoice id');
const planId = entityId('the payment plan id');
const collectionCaseId = entityId('the collection case id');

export const invoiceOpenedData = z.object({
  invoiceId,
  customerId,
  issuedAt: instant,
  dueDate: calendarDate,
  amount: positiveMoney,
  balance: money.meta({ description: 'What is left to pay now (the amount, less any customer credit applied at once).' }),
  brand: shortText('the brand').optional(),
  paymentReference: shortText('the payment reference').optional(),
  customer: customerProfile,
});

export const PAYMENT_MATCHES = ['invoice-id', 'payment-reference', 'oldest-open-invoice', 'customer-credit'] as const;
export const paymentAppliedData = z.object({
  invoiceId,
  customerId,
  paymentId: entityId('the payment id'),
  appliedAmount: positiveMoney.meta({ description: 'The part of the payment applied to this invoice.' }),
  remainingBalance: money.meta({ description: 'What is left to pay on the invoice after this payment; 0 means settled (a settled event follows).' }),
  receivedAt: instant,
  matchedBy: z.enum(PAYMENT_MATCHES).meta({ description: 'How the payment found this invoice.' }),
});

export const invoiceSettledData = z.object({
  invoiceId,
  customerId,
  settledAt: instant,
  settledBy: z.enum(['payment', 'credit']).meta({ description: 'What brought the balance to zero.' }),
});

export const invoiceCreditedData = z.object({
  invoiceId,
  customerId,
  creditNoteId: entityId('the credit note id'),
  creditedAmount: positiveMoney,
  remainingBalance: money,
  creditedAt: instant,
});

export const invoiceDisputedData = z.object({
  invoiceId,
  customerId,
  disputedAt: instant,
});

export const invoiceDisputeResolvedData = z.object({
  invoiceId,
  customerId,
  resolvedAt: instant,
  outcome: z.enum(['upheld', 'rejected']).meta({ description: "upheld: the customer's dispute was accepted; rejected: the invoice stands and dunning may resume." }),
});

export const paymentPlanAgreedData = z.object({
  planId,
  invoiceId,
  customerId,
  agreedAt: instant,
  installments: z.array(z.object({ dueDate: calendarDate, amount: positiveMoney })).min(1),
});

export const installmentMissedData = z.object({
  planId,
  invoiceId,
  customerId,
  installmentNumber: z.int().min(1).meta({ description: '1 for the first installment.' }),
  dueDate: calendarDate,
  amountDue: positiveMoney,
  detectedAt: instant,
});

export const PLAN_BROKEN_REASONS = ['installment-missed', 'cancelled-by-customer', 'cancelled-by-billing'] as const;
export const paymentPlanBrokenData = z.object({
  planId,
  invoiceId,
  customerId,
  brokenAt: instant,
  remainingBalance: money,
  reasonCode: reasonCode('why the plan ended', PLAN_BROKEN_REASONS),
});

export const invoiceHandedOffData = z.object({
  invoiceId,
  customerId,
  collectionCaseId,
  handedOffAt: instant,
  amount: positiveMoney.meta({ description: 'The balance handed to the agency.' }),
});

export const RECALL_REASONS = ['paid', 'credited', 'disputed', 'payment-plan', 'manual'] as const;
export const invoiceRecalledData = z.object({
  invoiceId,
  customerId,
  collectionCaseId,
  recalledAt: instant,
  reasonCode: reasonCode('why the case was recalled', RECALL_REASONS),
});

export const customerUpdatedData = z.object({
  customerId,
  updatedAt: instant,
  customer: customerProfile.meta({ description: 'The whole profile after the change.' }),
});

export const customerTerminatedData = z.object({
  customerId,
  terminatedAt: instant,
});

export const invoicingInvoiceOpened = defineIntegrationEvent({
  type: 'invoicing.invoice.opened.v1',
  summary: 'An invoice was issued and is open for payment.',
  data: invoiceOpenedData,
});
export const invoicingPaymentApplied = defineIntegrationEvent({
  type: 'invoicing.payment.applied.v1',
  summary: 'A payment (or part of one) was applied to an invoice; carries the remaining balance.',
  data: paymentAppliedData,
});
export const invoicingInvoiceSettled = defineIntegrationEvent({
  type: 'invoicing.invoice.settled.v1',
  summary: 'The invoice balance reached zero.',
  data: invoiceSettledData,
});
export const invoicingInvoiceCredited = defineIntegrationEvent({
  type: 'invoicing.invoice.credited.v1',
  summary: 'A credit note reduced the invoice; carries the remaining balance.',
  data: invoiceCreditedData,
});
export const invoicingInvoiceDisputed = defineIntegrationEvent({
  type: 'invoicing.invoice.disputed.v1',
  summary: 'The customer disputed the invoice; no reminder, fee or hand-off until resolved.',
  data: invoiceDisputedData,
});
export const invoicingInvoiceDisputeResolved = defineIntegrationEvent({
  type: 'invoicing.invoice.dispute-resolved.v1',
  summary: 'The dispute was resolved (upheld or rejected).',
  data: invoiceDisputeResolvedData,
});
export const invoicingPaymentPlanAgreed = defineIntegrationEvent({
  type: 'invoicing.payment-plan.agreed.v1',
  summary: 'The invoice is now paid by installments; dunning pauses while the plan is honoured.',
  data: paymentPlanAgreedData,
});
export const invoicingInstallmentMissed = defineIntegrationEvent({
  type: 'invoicing.payment-plan.installment-missed.v1',
  summary: 'An installment of a payment plan was not paid by its due date.',
  data: installmentMissedData,
});
export const invoicingPaymentPlanBroken = defineIntegrationEvent({
  type: 'invoicing.payment-plan.broken.v1',
  summary: 'The payment plan no longer holds; the remaining balance is due again.',
  data: paymentPlanBrokenData,
});
export const invoicingInvoiceHandedOff = defineIntegrationEvent({
  type: 'invoicing.invoice.handed-off.v1',
  summary: 'The invoice is with a collection agency.',
  data: invoiceHandedOffData,
});
export const invoicingInvoiceRecalled = defineIntegrationEvent({
  type: 'invoicing.invoice.recalled.v1',
  summary: 'The invoice was recalled from the collection agency.',
  data: invoiceRecalledData,
});
export const invoicingCustomerUpdated = defineIntegrationEvent({
  type: 'invoicing.customer.updated.v1',
  summary: "The customer's non-personal profile changed (type, locale, time zone, country, reachable channels).",
  data: customerUpdatedData,
});
export const invoicingCustomerTerminated = defineIntegrationEvent({
  type: 'invoicing.customer.terminated.v1',
  summary: 'The customer ended their subscription (the churn signal).',
  data: customerTerminatedData,
});

export const invoicingEventRegistry = createEventRegistry(
  {
    topic: TOPICS.invoicingInvoices,
    title: 'Invoices (invoicing)',
    description: "Each invoice's lifecycle as invoicing knows it: opened, paid, settled, credited, disputed, under a payment plan, handed off, recalled; and customer changes. Record key = customerId.",
    producer: 'invoicing',
    consumers: ['dunning-orchestrator', 'scoring', 'collection-handoff'],
    timeRequired: true,
  },
  [
    invoicingInvoiceOpened,
    invoicingPaymentApplied,
    invoicingInvoiceSettled,
    invoicingInvoiceCredited,
    invoicingInvoiceDisputed,
    invoicingInvoiceDisputeResolved,
    invoicingPaymentPlanAgreed,
    invoicingInstallmentMissed,
    invoicingPaymentPlanBroken,
    invoicingInvoiceHandedOff,
    invoicingInvoiceRecalled,
    invoicingCustomerUpdated,
    invoicingCustomerTerminated,
  ],
);

export type InvoicingEvent = EventOfRegistry<typeof invoicingEventRegistry>;
export type InvoicingEventType = InvoicingEvent['type'];
export type InvoicingEventOf<T extends InvoicingEventType> = Extract<InvoicingEvent, { type: T }>;
