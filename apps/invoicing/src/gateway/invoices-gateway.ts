import { encodeBinary, INVOICING_SOURCE, invoicingEventRegistry, type CustomerProfile as PublicProfile, type InvoicingEvent } from '@dunning/contracts';
import type { OutboxMessage } from '@dunning/event-store';
import { evolve, reachableChannels, type AccountState } from '../domain/account';
import type { AccountEvent, CustomerProfile } from '../domain/events';
import type { InvoiceState } from '../domain/invoice';

/**
 * The gateway from invoicing's domain events to its public messages on `invoicing.invoices.v1`
 * (libs/contracts). One domain event maps to at most one integration event, whose CloudEvents
 * id is the domain event's id, so a consumer can trace one to the other and a re-published
 * outbox row is recognisably the same message. Events that only matter inside invoicing
 * (a payment received, customer credit, holds) publish nothing. No contact data is published:
 * sealed values stay in the event store.
 */
export interface IdentifiedEvent {
  readonly eventId: string;
  readonly event: AccountEvent;
}

type Data<T extends InvoicingEvent['type']> = Extract<InvoicingEvent, { type: T }>['data'];

function publicProfile(profile: CustomerProfile): PublicProfile | undefined {
  if (profile.type === undefined || profile.locale === undefined || profile.timeZone === undefined) return undefined;
  return {
    type: profile.type,
    locale: profile.locale,
    timeZone: profile.timeZone,
    ...(profile.country === undefined ? {} : { country: profile.country }),
    ...(profile.customerSince === undefined ? {} : { customerSince: profile.customerSince }),
    reachableChannels: reachableChannels(profile),
  };
}

function invoiceIn(state: AccountState, invoiceId: string): InvoiceState {
  const invoice = state.invoices[invoiceId];
  if (!invoice) throw new Error(`gateway: invoice ${invoiceId} is not in the account`);
  return invoice;
}

/** The public payload of one domain event, given the account state right after it; undefined when it is internal. */
function toPublic(event: AccountEvent, after: AccountState): { type: InvoicingEvent['type']; data: InvoicingEvent['data']; subject?: string } | undefined {
  switch (event.type) {
    case 'InvoiceIssued': {
      const { invoiceId, customerId, issuedAt, dueDate, amount, brand, paymentReference } = event.data;
      const customer = publicProfile(after.profile);
      if (!customer) throw new Error(`gateway: invoice ${invoiceId} opened without a complete customer profile`);
      const data: Data<'invoicing.invoice.opened.v1'> = {
        invoiceId,
        customerId,
        issuedAt,
        dueDate,
        amount,
        balance: amount,
        ...(brand === undefined ? {} : { brand }),
        ...(paymentReference === undefined ? {} : { paymentReference }),
        customer,
      };
      return { type: 'invoicing.invoice.opened.v1', data, subject: invoiceId };
    }
    case 'PaymentApplied': {
      const { invoiceId, customerId, paymentId, amount, balanceAfter, receivedAt, matchedBy } = event.data;
      const data: Data<'invoicing.payment.applied.v1'> = {
        invoiceId,
        customerId,
        paymentId,
        appliedAmount: amount,
        remainingBalance: balanceAfter,
        receivedAt,
        matchedBy: matchedBy === 'no-open-invoice' ? 'customer-credit' : matchedBy,
      };
      return { type: 'invoicing.payment.applied.v1', data, subject: invoiceId };
    }
    case 'CustomerCreditUsed': {
      const { invoiceId, customerId, amount, balanceAfter, at } = event.data;
      const data: Data<'invoicing.payment.applied.v1'> = {
        invoiceId,
        customerId,
        paymentId: `customer-credit:${invoiceId}`,
        appliedAmount: amount,
        remainingBalance: balanceAfter,
        receivedAt: at,
        matchedBy: 'customer-credit',
      };
      return { type: 'invoicing.payment.applied.v1', data, subject: invoiceId };
    }
    case 'InvoiceSettled': {
      const { invoiceId, customerId, settledAt, settledBy } = event.data;
      return { type: 'invoicing.invoice.settled.v1', data: { invoiceId, customerId, settledAt, settledBy }, subject: invoiceId };
    }
    case 'InvoiceCredited': {
      const { invoiceId, customerId, creditNoteId, amount, balanceAfter, creditedAt } = event.data;
      const data: Data<'invoicing.invoice.credited.v1'> = { invoiceId, customerId, creditNoteId, creditedAmount: amount, remainingBalance: balanceAfter, creditedAt };
      return { type: 'invoicing.invoice.credited.v1', data, subject: invoiceId };
    }
    case 'InvoiceDisputed': {
      const { invoiceId, customerId, disputedAt } = event.data;
      return { type: 'invoicing.invoice.disputed.v1', data: { invoiceId, customerId, disputedAt }, subject: invoiceId };
    }
    case 'DisputeResolved': {
      const { invoiceId, customerId, resolvedAt, outcome } = event.data;
      return { type: 'invoicing.invoice.dispute-resolved.v1', data: { invoiceId, customerId, resolvedAt, outcome }, subject: invoiceId };
    }
    case 'PaymentPlanAgreed': {
      const { planId, invoiceId, customerId, agreedAt, installments } = event.data;
      const data: Data<'invoicing.payment-plan.agreed.v1'> = { planId, invoiceId, customerId, agreedAt, installments: installments.map(({ dueDate, amount }) => ({ dueDate, amount })) };
      return { type: 'invoicing.payment-plan.agreed.v1', data, subject: invoiceId };
    }
    case 'InstallmentMissed': {
      const { planId, invoiceId, customerId, installmentNumber, dueDate, shortfall, detectedAt } = event.data;
      const data: Data<'invoicing.payment-plan.installment-missed.v1'> = { planId, invoiceId, customerId, installmentNumber, dueDate, amountDue: shortfall, detectedAt };
      return { type: 'invoicing.payment-plan.installment-missed.v1', data, subject: invoiceId };
    }
    case 'PaymentPlanBroken': {
      const { planId, invoiceId, customerId, brokenAt } = event.data;
      const data: Data<'invoicing.payment-plan.broken.v1'> = {
        planId,
        invoiceId,
        customerId,
        brokenAt,
        remainingBalance: invoiceIn(after, invoiceId).balance,
        reasonCode: 'installment-missed',
      };
      return { type: 'invoicing.payment-plan.broken.v1', data, subject: invoiceId };
    }
    case 'InvoiceHandedOff': {
      const { invoiceId, customerId, caseId, handedOffAt, amount } = event.data;
      const data: Data<'invoicing.invoice.handed-off.v1'> = { invoiceId, customerId, collectionCaseId: caseId, handedOffAt, amount };
      return { type: 'invoicing.invoice.handed-off.v1', data, subject: invoiceId };
    }
    case 'InvoiceRecalled': {
      const { invoiceId, customerId, caseId, recalledAt, reasonCode } = event.data;
      const data: Data<'invoicing.invoice.recalled.v1'> = { invoiceId, customerId, collectionCaseId: caseId, recalledAt, reasonCode };
      return { type: 'invoicing.invoice.recalled.v1', data, subject: invoiceId };
    }
    case 'CustomerDetailsChanged':
    case 'PersonalDataErased': {
      const customer = publicProfile(after.profile);
      // A profile is published once it is complete (the first invoice brings type, locale and time zone).
      if (!customer) return undefined;
      const updatedAt = event.type === 'CustomerDetailsChanged' ? event.data.changedAt : event.data.erasedAt;
      return { type: 'invoicing.customer.updated.v1', data: { customerId: event.data.customerId, updatedAt, customer } };
    }
    case 'CustomerTerminated': {
      const { customerId, terminatedAt } = event.data;
      return { type: 'invoicing.customer.terminated.v1', data: { customerId, terminatedAt } };
    }
    case 'PaymentReceived':
    case 'CustomerCreditAdded':
    case 'EventHeld':
    case 'HeldEventReleased':
    case 'HeldEventDropped':
      return undefined;
    default: {
      const unknown: never = event;
      throw new Error(`gateway: unknown domain event ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The integration events for `events`, appended after `before`, each validated against its
 * contract (a mapping bug fails the transaction instead of publishing a message nobody can read).
 */
export function toIntegrationEvents(before: AccountState, events: readonly IdentifiedEvent[], publishedAt: Date): InvoicingEvent[] {
  const time = publishedAt.toISOString();
  const published: InvoicingEvent[] = [];
  let state = before;
  for (const { eventId, event } of events) {
    state = evolve(state, event);
    const mapped = toPublic(event, state);
    if (!mapped) continue;
    const candidate = {
      specversion: '1.0',
      id: eventId,
      source: INVOICING_SOURCE,
      type: mapped.type,
      time,
      ...(mapped.subject === undefined ? {} : { subject: mapped.subject }),
      data: mapped.data,
    };
    const schema = invoicingEventRegistry.envelopeOf(mapped.type);
    if (!schema) throw new Error(`gateway: ${mapped.type} is not in the invoicing contract`);
    const parsed = schema.safeParse(candidate);
    if (!parsed.success) throw new Error(`gateway: ${mapped.type} does not satisfy its contract: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    published.push(parsed.data);
  }
  return published;
}

/** Outbox rows for the integration events: binary-mode CloudEvents keyed by customer id. */
export function toOutboxMessages(topic: string, events: readonly InvoicingEvent[]): OutboxMessage[] {
  return events.map((event) => {
    const record = encodeBinary(event);
    return { topic, key: record.key, messageId: event.id, value: record.value, headers: record.headers };
  });
}
