import type { CollectionEvent, InvoicingEvent, NotifierEvent, ScoringEvent, invoicing } from '@dunning/contracts';
import type { CaseInput, CustomerProfile } from '../domain';
import { CHANNELS, normaliseInstant, type Channel } from '../domain';

/** A decoded event of any of the four topics the orchestrator reads. */
export type OrchestratorInputEvent = InvoicingEvent | ScoringEvent | NotifierEvent | CollectionEvent;

export interface CaseInputFor {
  readonly caseId: string;
  readonly input: CaseInput;
}

/** What one integration event means to the orchestrator. */
export interface MappedEvent {
  readonly customerId: string;
  /** `source|id`: identifies the event; a case takes each one in once. */
  readonly inputKey: string;
  readonly caseInputs: readonly CaseInputFor[];
  /** A change that applies to every open case of the customer (their profile). */
  readonly forEveryOpenCase?: CaseInput;
  readonly payment?: { readonly caseId: string; readonly receivedAt: string };
  readonly terminatedAt?: string;
}

/** The country whose rules and holidays apply: the postal address's, else the locale's region. */
export function countryOf(profile: { country?: string | undefined; locale: string }): string {
  if (profile.country) return profile.country;
  try {
    return new Intl.Locale(profile.locale).maximize().region ?? 'ZZ';
  } catch {
    return 'ZZ';
  }
}

function consentOf(reachable: readonly Channel[]): Record<Channel, boolean> {
  return Object.fromEntries(CHANNELS.map((channel) => [channel, reachable.includes(channel)])) as Record<Channel, boolean>;
}

function profileOf(customerId: string, profile: invoicing.CustomerProfile, brand: string | undefined): CustomerProfile {
  return {
    customerId,
    type: profile.type,
    timeZone: profile.timeZone,
    country: countryOf(profile),
    locale: profile.locale,
    ...(profile.customerSince ? { customerSince: profile.customerSince } : {}),
    ...(brand ? { brand } : {}),
    consent: consentOf(profile.reachableChannels),
  };
}

const at = normaliseInstant;

/** Maps the other services' public events to the case's inputs (an anti-corruption layer). */
export function mapInputEvent(event: OrchestratorInputEvent): MappedEvent {
  const base = { customerId: event.data.customerId, inputKey: `${event.source}|${event.id}` };
  const one = (caseId: string, input: CaseInput): MappedEvent => ({ ...base, caseInputs: [{ caseId, input }] });
  switch (event.type) {
    case 'invoicing.invoice.opened.v1': {
      const d = event.data;
      return one(d.invoiceId, {
        type: 'InvoiceIssued',
        invoiceId: d.invoiceId,
        issuedAt: at(d.issuedAt),
        dueDate: d.dueDate,
        amount: d.amount,
        balance: d.balance,
        customer: profileOf(d.customerId, d.customer, d.brand),
      });
    }
    case 'invoicing.payment.applied.v1': {
      const d = event.data;
      return {
        ...one(d.invoiceId, { type: 'PaymentApplied', paymentId: d.paymentId, amount: d.appliedAmount, outstanding: d.remainingBalance, receivedAt: at(d.receivedAt) }),
        payment: { caseId: d.invoiceId, receivedAt: at(d.receivedAt) },
      };
    }
    case 'invoicing.invoice.settled.v1':
      return one(event.data.invoiceId, { type: 'InvoiceSettled', settledAt: at(event.data.settledAt), settledBy: event.data.settledBy });
    case 'invoicing.invoice.credited.v1': {
      const d = event.data;
      return one(d.invoiceId, { type: 'InvoiceCredited', creditNoteId: d.creditNoteId, amount: d.creditedAmount, outstanding: d.remainingBalance, creditedAt: at(d.creditedAt) });
    }
    case 'invoicing.invoice.disputed.v1':
      return one(event.data.invoiceId, { type: 'InvoiceDisputed', disputedAt: at(event.data.disputedAt) });
    case 'invoicing.invoice.dispute-resolved.v1':
      return one(event.data.invoiceId, { type: 'DisputeResolved', outcome: event.data.outcome, resolvedAt: at(event.data.resolvedAt) });
    case 'invoicing.payment-plan.agreed.v1': {
      const d = event.data;
      return one(d.invoiceId, { type: 'PaymentPlanAgreed', planId: d.planId, agreedAt: at(d.agreedAt), installments: d.installments });
    }
    case 'invoicing.payment-plan.installment-missed.v1':
      return one(event.data.invoiceId, { type: 'PaymentPlanBroken', at: at(event.data.detectedAt), reason: 'installment-missed' });
    case 'invoicing.payment-plan.broken.v1':
      return one(event.data.invoiceId, { type: 'PaymentPlanBroken', at: at(event.data.brokenAt), reason: event.data.reasonCode });
    case 'invoicing.invoice.handed-off.v1':
      return one(event.data.invoiceId, { type: 'HandoffAccepted', at: at(event.data.handedOffAt) });
    case 'invoicing.invoice.recalled.v1':
      return one(event.data.invoiceId, { type: 'HandoffRecalled', at: at(event.data.recalledAt), reason: event.data.reasonCode });
    case 'invoicing.customer.updated.v1': {
      const { customer } = event.data;
      const { customerId: _id, ...profile } = profileOf(event.data.customerId, customer, undefined);
      return { ...base, caseInputs: [], forEveryOpenCase: { type: 'CustomerUpdated', at: at(event.data.updatedAt), customer: profile } };
    }
    case 'invoicing.customer.terminated.v1':
      return { ...base, caseInputs: [], terminatedAt: at(event.data.terminatedAt) };
    case 'scoring.score.computed.v1': {
      const d = event.data;
      return one(d.invoiceId, {
        type: 'ScoreReceived',
        score: {
          modelVersion: d.modelVersion,
          probabilityPayWithoutCollection: d.probabilityPaysWithoutCollection,
          uplift: Object.fromEntries(d.uplift.map((u) => [u.treatment, u.effect])),
          scoredAt: at(d.computedAt),
        },
      });
    }
    case 'notifier.message.delivered.v1':
      return one(event.data.invoiceId, { type: 'DeliveryReported', actionId: event.data.actionId, status: 'delivered', at: at(event.data.deliveredAt) });
    case 'notifier.message.failed.v1':
      return one(event.data.invoiceId, { type: 'DeliveryReported', actionId: event.data.actionId, status: 'failed', at: at(event.data.failedAt) });
    case 'notifier.message.skipped.v1':
      return one(event.data.invoiceId, { type: 'DeliveryReported', actionId: event.data.actionId, status: 'failed', at: at(event.data.skippedAt) });
    case 'notifier.message.sent.v1':
      return { ...base, caseInputs: [] };
    case 'collection.case.opened.v1':
      return one(event.data.invoiceId, { type: 'HandoffAccepted', at: at(event.data.openedAt) });
    case 'collection.handoff.cancelled.v1':
      return one(event.data.invoiceId, { type: 'HandoffDeclined', at: at(event.data.cancelledAt), reason: event.data.reasonCode });
    case 'collection.case.recalled.v1':
      return one(event.data.invoiceId, { type: 'HandoffRecalled', at: at(event.data.recalledAt), reason: event.data.reasonCode });
    case 'collection.case.paid-at-agency.v1':
    case 'collection.case.closed.v1':
    case 'collection.case.returned.v1':
      // Payments reach the case through invoicing; the agency's bookkeeping changes nothing here.
      return { ...base, caseInputs: [] };
    default: {
      const unknown: never = event;
      throw new Error(`unmapped event ${(unknown as { type: string }).type}`);
    }
  }
}
