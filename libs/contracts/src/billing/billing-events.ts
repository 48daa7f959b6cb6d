import { z } from 'zod';
import { defineIngressEvent } from '../cloudevents/envelope';
import { createEventRegistry, type EventOfRegistry } from '../cloudevents/event-registry';
import {
  bcp47Locale,
  calendarDate,
  countryCode,
  customerId,
  customerType,
  emailAddress,
  entityId,
  freeText,
  ianaTimeZone,
  instant,
  phoneE164,
  positiveMoney,
  shortText,
} from '../shared/primitives';
import { TOPICS } from '../topics';

// The ingress contract (DESIGN.md, "The ingress contract"): what telecom billing systems write to
// billing.events.v1. It is fixed — billing systems depend on it — so it only ever grows additively:
// unknown extra fields are accepted (and dropped), new optional fields may appear, nothing is removed.

/** A postal address. Personal data as a whole; never echoed in error reasons. */
export const postalAddress = z
  .object({
    lines: z
      .array(z.string().min(1).max(200), { error: 'expected the address lines as an array of strings' })
      .min(1, { error: 'expected at least one address line' })
      .max(6, { error: 'expected at most 6 address lines' })
      .meta({ description: 'Street address lines, e.g. ["Kanariegatan 1", "lgh 1101"].' }),
    postalCode: z.string().min(1).max(20).optional(),
    city: z.string().min(1).max(100),
    country: countryCode,
  })
  .meta({ description: 'Postal address. Personal data.' });

const customerName = z
  .string({ error: "expected the customer's name as a string" })
  .min(1, { error: "expected the customer's name as a non-empty string" })
  .max(500, { error: "expected the customer's name of at most 500 characters" })
  .meta({ description: "The customer's name (a person or a company). Personal data." });

/** The customer as the billing system knows them, sent with every invoice. */
export const billingCustomer = z
  .object({
    name: customerName,
    email: emailAddress.optional(),
    phone: phoneE164.optional(),
    postalAddress: postalAddress.optional(),
    locale: bcp47Locale.meta({ description: 'Language for messages to the customer, BCP 47, e.g. sv-SE.' }),
    timeZone: ianaTimeZone.meta({ description: "The customer's IANA time zone; due dates and quiet hours are read in it." }),
    type: customerType,
    customerSince: calendarDate.optional().meta({ description: 'First day as a customer (YYYY-MM-DD).' }),
  })
  .meta({ description: 'The customer. name, email, phone and postalAddress are personal data.' });
export type BillingCustomer = z.infer<typeof billingCustomer>;

/** In an update, contact fields may be null: the customer removed that contact. */
export const billingCustomerUpdate = billingCustomer
  .extend({
    email: emailAddress.nullable().optional(),
    phone: phoneE164.nullable().optional(),
    postalAddress: postalAddress.nullable().optional(),
  })
  .partial()
  .meta({ description: 'The customer fields that changed; absent means unchanged, null (email, phone, postalAddress) means removed.' });
export type BillingCustomerUpdate = z.infer<typeof billingCustomerUpdate>;

export const invoiceIssuedData = z.object({
  invoiceId: entityId('the invoice id'),
  customerId,
  issuedAt: instant.meta({ description: 'When the invoice was issued.' }),
  dueDate: calendarDate.meta({ description: "Last day to pay, in the customer's time zone." }),
  amount: positiveMoney.meta({ description: 'The invoice total, at least one minor unit.' }),
  customer: billingCustomer,
  brand: shortText('the brand that issued the invoice').optional(),
  paymentReference: shortText('the payment reference (e.g. OCR number)').optional(),
});

export const paymentReceivedData = z.object({
  paymentId: entityId('the payment id'),
  customerId,
  amount: positiveMoney.meta({ description: 'The amount paid, at least one minor unit.' }),
  receivedAt: instant.meta({ description: 'When the payment was received.' }),
  invoiceId: entityId('the invoice id').optional().meta({
    description: 'The invoice paid. Without it the payment is matched by paymentReference, else to the oldest open invoice; a surplus stays as customer credit.',
  }),
  paymentReference: shortText('the payment reference').optional(),
  method: shortText('the payment method (e.g. bank-transfer, card, direct-debit)').optional(),
});

export const invoiceCreditedData = z.object({
  creditNoteId: entityId('the credit note id'),
  invoiceId: entityId('the invoice id'),
  customerId,
  amount: positiveMoney.meta({ description: 'The amount credited, at least one minor unit.' }),
  creditedAt: instant,
  reason: freeText('the reason for the credit').optional(),
});

export const invoiceDisputedData = z.object({
  invoiceId: entityId('the invoice id'),
  customerId,
  disputedAt: instant,
  reason: freeText('the reason the customer gave').optional(),
});

export const disputeOutcome = z
  .enum(['upheld', 'rejected'], { error: "expected outcome 'upheld' or 'rejected'" })
  .meta({
    description:
      "upheld: the customer's dispute was accepted (a credit, if any, follows as billing.invoice.credited); rejected: the invoice stands and is payable again.",
  });

export const disputeResolvedData = z.object({
  invoiceId: entityId('the invoice id'),
  customerId,
  resolvedAt: instant,
  outcome: disputeOutcome,
});

export const installment = z.object({
  dueDate: calendarDate,
  amount: positiveMoney,
});

export const paymentPlanAgreedData = z.object({
  planId: entityId('the payment plan id'),
  invoiceId: entityId('the invoice id'),
  customerId,
  agreedAt: instant,
  installments: z
    .array(installment, { error: 'expected the installments as an array' })
    .min(1, { error: 'expected at least one installment' })
    .max(120, { error: 'expected at most 120 installments' })
    .superRefine((installments, context) => {
      const currency = installments[0]?.amount.currency;
      installments.forEach((entry, index) => {
        if (index > 0 && entry.amount.currency !== currency) {
          context.addIssue({
            code: 'custom',
            path: [index, 'amount', 'currency'],
            message: `expected every installment in the currency of the first one (${currency ?? 'unknown'})`,
          });
        }
      });
    })
    .meta({ description: 'The installments, in one currency; at least one.' }),
});

export const consent = z
  .object({
    sms: z.boolean().optional(),
    email: z.boolean().optional(),
    letter: z.boolean().optional(),
  })
  .meta({ description: 'Whether the customer agrees to be contacted on each channel; absent means unchanged.' });

export const customerUpdatedData = z.object({
  customerId,
  updatedAt: instant,
  customer: billingCustomerUpdate,
  consent: consent.optional(),
});

export const customerTerminatedData = z.object({
  customerId,
  terminatedAt: instant.meta({ description: 'When the subscription ended (the churn signal).' }),
  reason: freeText('the reason for the termination').optional(),
});

export const billingInvoiceIssued = defineIngressEvent({
  type: 'billing.invoice.issued',
  summary: 'An invoice was issued to a customer.',
  data: invoiceIssuedData,
});
export const billingPaymentReceived = defineIngressEvent({
  type: 'billing.payment.received',
  summary: 'A payment was received from a customer.',
  description: 'Without invoiceId the payment is matched by paymentReference, else to the oldest open invoice; a surplus stays as customer credit.',
  data: paymentReceivedData,
});
export const billingInvoiceCredited = defineIngressEvent({
  type: 'billing.invoice.credited',
  summary: 'An invoice was (partly) credited by a credit note.',
  data: invoiceCreditedData,
});
export const billingInvoiceDisputed = defineIngressEvent({
  type: 'billing.invoice.disputed',
  summary: 'The customer disputed an invoice; dunning pauses.',
  data: invoiceDisputedData,
});
export const billingInvoiceDisputeResolved = defineIngressEvent({
  type: 'billing.invoice.dispute-resolved',
  summary: 'A dispute was resolved: upheld (the customer was right) or rejected (the invoice stands).',
  data: disputeResolvedData,
});
export const billingPaymentPlanAgreed = defineIngressEvent({
  type: 'billing.payment-plan.agreed',
  summary: 'The customer agreed to pay an invoice in installments.',
  data: paymentPlanAgreedData,
});
export const billingCustomerUpdated = defineIngressEvent({
  type: 'billing.customer.updated',
  summary: "The customer's details or consents changed.",
  data: customerUpdatedData,
});
export const billingCustomerTerminated = defineIngressEvent({
  type: 'billing.customer.terminated',
  summary: 'The customer ended their subscription (the churn signal).',
  data: customerTerminatedData,
});

export const billingEventDefinitions = [
  billingInvoiceIssued,
  billingPaymentReceived,
  billingInvoiceCredited,
  billingInvoiceDisputed,
  billingInvoiceDisputeResolved,
  billingPaymentPlanAgreed,
  billingCustomerUpdated,
  billingCustomerTerminated,
] as const;

export const billingEventRegistry = createEventRegistry(
  {
    topic: TOPICS.billingEvents,
    title: 'Billing events (ingress)',
    description:
      'What telecom billing systems produce: invoices, payments, credits, disputes, payment plans and customer changes. Record key = customerId. CloudEvents 1.0, binary mode (ce_* headers, content-type: application/json) or structured mode (content-type: application/cloudevents+json). source + id identify an event; a repeat is a duplicate.',
    producer: 'telecom billing systems',
    consumers: ['invoicing'],
    timeRequired: false,
  },
  billingEventDefinitions,
);

export type BillingEvent = EventOfRegistry<typeof billingEventRegistry>;
/** Every billing event, discriminated by `type`. */
export const billingEventSchema = billingEventRegistry.schema;
export type BillingEventType = BillingEvent['type'];
export type BillingEventOf<T extends BillingEventType> = Extract<BillingEvent, { type: T }>;
export type InvoiceIssuedData = z.infer<typeof invoiceIssuedData>;
export type PaymentReceivedData = z.infer<typeof paymentReceivedData>;
export type InvoiceCreditedData = z.infer<typeof invoiceCreditedData>;
export type InvoiceDisputedData = z.infer<typeof invoiceDisputedData>;
export type DisputeResolvedData = z.infer<typeof disputeResolvedData>;
export type PaymentPlanAgreedData = z.infer<typeof paymentPlanAgreedData>;
export type CustomerUpdatedData = z.infer<typeof customerUpdatedData>;
export type CustomerTerminatedData = z.infer<typeof customerTerminatedData>;
export type Installment = z.infer<typeof installment>;
export type DisputeOutcome = z.infer<typeof disputeOutcome>;
