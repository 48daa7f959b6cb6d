import type { AgencyClaim } from './claim';
import { assertNever, type RecallReason } from './invoice-view';
import type { Money } from '@dunning/law';
import type { RefusalReason } from './pre-handoff-check';

// A collection case, event-sourced: decide(command, state) → events, evolve(state, event) → state.
// Time and ids arrive in the commands; nothing here reads a clock or makes an id.

export type CaseStatus = 'requested' | 'cancelled' | 'checked' | 'handed-off' | 'recalled' | 'paid-at-agency' | 'closed' | 'returned';
export type DeliveryChannel = 'api' | 'batch';

export type CaseEvent =
  | {
      readonly type: 'handoff-requested';
      readonly data: {
        readonly collectionCaseId: string;
        readonly handoffId: string;
        readonly actionId: string;
        readonly dunningCaseId: string;
        readonly invoiceId: string;
        readonly customerId: string;
        readonly amountDue: Money;
        readonly requestedAt: string;
      };
    }
  | { readonly type: 'handoff-refused'; readonly data: { readonly reason: RefusalReason; readonly detail: string; readonly refusedAt: string } }
  | { readonly type: 'handoff-approved'; readonly data: { readonly agencyId: string; readonly claim: AgencyClaim; readonly checkedAt: string } }
  | { readonly type: 'delivery-started'; readonly data: { readonly channel: DeliveryChannel; readonly startedAt: string; readonly batchId?: string | undefined } }
  | {
      readonly type: 'handed-off';
      readonly data: { readonly agencyId: string; readonly handedOffAt: string; readonly via: DeliveryChannel | 'agency-callback'; readonly agencyReference?: string | undefined };
    }
  /** A change arrived after the check but before the agency could have seen the claim: cancelled without contacting it. */
  | { readonly type: 'handoff-withdrawn'; readonly data: { readonly reason: RecallReason; readonly withdrawnAt: string } }
  | { readonly type: 'recall-requested'; readonly data: { readonly reason: RecallReason; readonly requestedAt: string } }
  | { readonly type: 'recalled'; readonly data: { readonly reason: RecallReason; readonly recalledAt: string; readonly agencyKnewCase: boolean } }
  | { readonly type: 'agency-payment-reported'; readonly data: { readonly callbackId: string; readonly amount: Money; readonly paidAt: string } }
  | { readonly type: 'agency-closed-case'; readonly data: { readonly callbackId: string; readonly outcome: string; readonly closedAt: string } }
  | { readonly type: 'agency-returned-case'; readonly data: { readonly callbackId: string; readonly reason: string; readonly returnedAt: string } };

export type CaseEventType = CaseEvent['type'];

export interface CollectionCase {
  readonly collectionCaseId: string;
  readonly handoffId: string;
  readonly actionId: string;
  readonly dunningCaseId: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly amountDue: Money;
  readonly requestedAt: string;
  readonly status: CaseStatus;
  readonly refusal?: { readonly reason: RefusalReason; readonly detail: string; readonly at: string } | undefined;
  readonly approval?: { readonly agencyId: string; readonly claim: AgencyClaim; readonly checkedAt: string } | undefined;
  readonly delivery?: { readonly channel: DeliveryChannel; readonly startedAt: string; readonly batchId?: string | undefined } | undefined;
  readonly handedOff?: { readonly at: string; readonly via: DeliveryChannel | 'agency-callback'; readonly agencyReference?: string | undefined } | undefined;
  readonly withdrawn?: { readonly reason: RecallReason; readonly at: string } | undefined;
  readonly recall?: { readonly reason: RecallReason; readonly requestedAt: string; readonly recalledAt?: string | undefined } | undefined;
  readonly agencyPayments: readonly { readonly callbackId: string; readonly amount: Money; readonly paidAt: string }[];
  readonly closed?: { readonly callbackId: string; readonly outcome: string; readonly at: string } | undefined;
  readonly returned?: { readonly callbackId: string; readonly reason: string; readonly at: string } | undefined;
  readonly seenCallbackIds: readonly string[];
}

/** What an agency tells us about a case, in whatever order and as often as it likes. */
export type AgencyCallback =
  | { readonly kind: 'paid'; readonly callbackId: string; readonly amount: Money; readonly occurredAt: string }
  | { readonly kind: 'closed'; readonly callbackId: string; readonly outcome: string; readonly occurredAt: string }
  | { readonly kind: 'returned'; readonly callbackId: string; readonly reason: string; readonly occurredAt: string };

export type CaseCommand =
  | {
      readonly type: 'request-handoff';
      readonly collectionCaseId: string;
      readonly handoffId: string;
      readonly actionId: string;
      readonly dunningCaseId: string;
      readonly invoiceId: string;
      readonly customerId: string;
      readonly amountDue: Money;
      readonly requestedAt: string;
    }
  | {
      readonly type: 'complete-check';
      readonly outcome: { readonly kind: 'approve'; readonly agencyId: string; readonly claim: AgencyClaim } | { readonly kind: 'refuse'; readonly reason: RefusalReason; readonly detail: string };
      readonly at: string;
    }
  | { readonly type: 'start-delivery'; readonly channel: DeliveryChannel; readonly batchId?: string | undefined; readonly at: string }
  | { readonly type: 'confirm-handoff'; readonly agencyReference?: string | undefined; readonly at: string }
  | { readonly type: 'trigger-recall'; readonly reason: RecallReason; readonly at: string }
  | { readonly type: 'confirm-recall'; readonly agencyKnewCase: boolean; readonly at: string }
  | { readonly type: 'receive-agency-callback'; readonly callback: AgencyCallback };

export type Decision = { readonly ok: true; readonly events: readonly CaseEvent[] } | { readonly ok: false; readonly code: string; readonly reason: string };

const accept = (...events: CaseEvent[]): Decision => ({ ok: true, events });
const nothing: Decision = { ok: true, events: [] };
const reject = (code: string, reason: string): Decision => ({ ok: false, code, reason });

/** At the agency, or possibly at the agency (a delivery was attempted): a change must recall it. */
const mayBeAtAgency = (state: CollectionCase): boolean =>
  state.status === 'handed-off' || state.status === 'paid-at-agency' || (state.status === 'checked' && state.delivery !== undefined);

export function decide(command: CaseCommand, state: CollectionCase | undefined): Decision {
  if (command.type === 'request-handoff') {
    if (state) return nothing; // the same action redelivered: one case per action
    const { type: _type, ...data } = command;
    return accept({ type: 'handoff-requested', data });
  }
  if (!state) return reject('unknown-case', 'no collection case with this id');

  switch (command.type) {
    case 'complete-check': {
      if (state.status !== 'requested') return nothing; // checked once; a repeated check changes nothing
      const { outcome, at } = command;
      return outcome.kind === 'approve'
        ? accept({ type: 'handoff-approved', data: { agencyId: outcome.agencyId, claim: outcome.claim, checkedAt: at } })
        : accept({ type: 'handoff-refused', data: { reason: outcome.reason, detail: outcome.detail, refusedAt: at } });
    }
    case 'start-delivery':
      if (state.status !== 'checked' || state.delivery) return nothing;
      return accept({ type: 'delivery-started', data: { channel: command.channel, startedAt: command.at, batchId: command.batchId } });
    case 'confirm-handoff':
      if (state.status === 'requested' || (state.status === 'checked' && !state.delivery)) {
        return reject('not-delivered', 'the claim was never sent, so the agency cannot have accepted it');
      }
      if (state.status !== 'checked' || !state.approval || !state.delivery) return nothing; // already confirmed (or beyond)
      return accept({ type: 'handed-off', data: { agencyId: state.approval.agencyId, handedOffAt: command.at, via: state.delivery.channel, agencyReference: command.agencyReference } });
    case 'trigger-recall':
      if (state.recall || state.withdrawn) return nothing;
      if (state.status === 'checked' && !state.delivery) return accept({ type: 'handoff-withdrawn', data: { reason: command.reason, withdrawnAt: command.at } });
      if (mayBeAtAgency(state)) return accept({ type: 'recall-requested', data: { reason: command.reason, requestedAt: command.at } });
      return nothing; // requested: the check will see the change; ended cases have nothing to recall
    case 'confirm-recall':
      if (!state.recall || state.recall.recalledAt || state.closed || state.returned) return nothing;
      return accept({ type: 'recalled', data: { reason: state.recall.reason, recalledAt: command.at, agencyKnewCase: command.agencyKnewCase } });
    case 'receive-agency-callback':
      return decideCallback(command.callback, state);
    default:
      return assertNever(command);
  }
}

/**
 * Agency callbacks are folded idempotently and in any order: a callback id seen before changes
 * nothing, each fact is kept, and the status is derived from the set of facts by precedence
 * (closed > returned > recalled > paid at agency > handed off), never from the arrival order.
 */
function decideCallback(callback: AgencyCallback, state: CollectionCase): Decision {
  if (state.seenCallbackIds.includes(callback.callbackId)) return nothing;
  const approval = state.approval;
  if (!approval || state.status === 'requested' || state.status === 'cancelled' || (state.status === 'checked' && !state.delivery)) {
    return reject('unknown-case', 'this case was never sent to an agency');
  }
  const events: CaseEvent[] = [];
  // The agency can only report on a case it holds: its callback confirms a delivery whose answer we missed.
  if (state.status === 'checked') {
    events.push({ type: 'handed-off', data: { agencyId: approval.agencyId, handedOffAt: callback.occurredAt, via: 'agency-callback' } });
  }
  switch (callback.kind) {
    case 'paid':
      if (callback.amount.currency !== approval.claim.total.currency) {
        return reject('currency-mismatch', `the case is in ${approval.claim.total.currency}, the payment in ${callback.amount.currency}`);
      }
      events.push({ type: 'agency-payment-reported', data: { callbackId: callback.callbackId, amount: callback.amount, paidAt: callback.occurredAt } });
      break;
    case 'closed':
      if (state.closed) return nothing;
      events.push({ type: 'agency-closed-case', data: { callbackId: callback.callbackId, outcome: callback.outcome, closedAt: callback.occurredAt } });
      break;
    case 'returned':
      if (state.returned) return nothing;
      events.push({ type: 'agency-returned-case', data: { callbackId: callback.callbackId, reason: callback.reason, returnedAt: callback.occurredAt } });
      break;
    default:
      return assertNever(callback);
  }
  return { ok: true, events };
}

export function evolve(state: CollectionCase | undefined, event: CaseEvent): CollectionCase {
  if (event.type === 'handoff-requested') {
    return withStatus({ ...event.data, status: 'requested', agencyPayments: [], seenCallbackIds: [] });
  }
  if (!state) throw new Error(`${event.type} before handoff-requested`);
  const seen = (callbackId: string): readonly string[] => [...state.seenCallbackIds, callbackId];
  switch (event.type) {
    case 'handoff-refused':
      return withStatus({ ...state, refusal: { reason: event.data.reason, detail: event.data.detail, at: event.data.refusedAt } });
    case 'handoff-approved':
      return withStatus({ ...state, approval: event.data });
    case 'delivery-started':
      return withStatus({ ...state, delivery: event.data });
    case 'handed-off':
      return withStatus({ ...state, handedOff: { at: event.data.handedOffAt, via: event.data.via, agencyReference: event.data.agencyReference } });
    case 'handoff-withdrawn':
      return withStatus({ ...state, withdrawn: { reason: event.data.reason, at: event.data.withdrawnAt } });
    case 'recall-requested':
      return withStatus({ ...state, recall: { reason: event.data.reason, requestedAt: event.data.requestedAt } });
    case 'recalled':
      return withStatus({ ...state, recall: { reason: event.data.reason, requestedAt: state.recall?.requestedAt ?? event.data.recalledAt, recalledAt: event.data.recalledAt } });
    case 'agency-payment-reported':
      return withStatus({ ...state, agencyPayments: [...state.agencyPayments, event.data], seenCallbackIds: seen(event.data.callbackId) });
    case 'agency-closed-case':
      return withStatus({ ...state, closed: { callbackId: event.data.callbackId, outcome: event.data.outcome, at: event.data.closedAt }, seenCallbackIds: seen(event.data.callbackId) });
    case 'agency-returned-case':
      return withStatus({ ...state, returned: { callbackId: event.data.callbackId, reason: event.data.reason, at: event.data.returnedAt }, seenCallbackIds: seen(event.data.callbackId) });
    default:
      return assertNever(event);
  }
}

export const evolveAll = (events: readonly CaseEvent[], initial?: CollectionCase): CollectionCase | undefined =>
  events.reduce<CollectionCase | undefined>((state, event) => evolve(state, event), initial);

function withStatus(state: Omit<CollectionCase, 'status'> & { status?: CaseStatus }): CollectionCase {
  return { ...state, status: statusOf(state) };
}

function statusOf(s: Omit<CollectionCase, 'status'>): CaseStatus {
  if (s.closed) return 'closed';
  if (s.returned) return 'returned';
  if (s.recall?.recalledAt) return 'recalled';
  if (s.agencyPayments.length > 0) return 'paid-at-agency';
  if (s.handedOff) return 'handed-off';
  if (s.refusal || s.withdrawn) return 'cancelled';
  if (s.approval) return 'checked';
  return 'requested';
}

/** The work a case waits for, for the delivery worker. */
export type PendingWork = 'check' | 'deliver' | 'recall' | 'none';

export function pendingWork(state: CollectionCase): PendingWork {
  if (state.status === 'requested') return 'check';
  if (state.recall && !state.recall.recalledAt && !state.closed && !state.returned) return 'recall';
  if (state.status === 'checked') return 'deliver';
  return 'none';
}
