import type { InvoiceView } from './invoice-view';
import type { Money } from '@dunning/law';

/**
 * Why a requested hand-off did not happen. The first five are the contract's known codes
 * (collection.handoff.cancelled.v1); the others are new kebab-case codes, which v1 allows.
 */
export type RefusalReason =
  | 'invoice-settled'
  | 'invoice-credited'
  | 'invoice-disputed'
  | 'payment-plan-agreed'
  | 'payment-received'
  | 'dispute-upheld'
  | 'already-handed-off'
  | 'amount-mismatch'
  | 'invoice-unknown'
  | 'legal-data-missing'
  | 'no-agency';

export interface HandoffRequestFacts {
  readonly amountDue: Money;
  readonly requestedAt: string;
}

export type PreHandoffDecision =
  | { readonly verdict: 'hand-off'; readonly claimAmount: Money }
  | { readonly verdict: 'refuse'; readonly reason: RefusalReason; readonly detail: string }
  /** The invoice is not in our projection yet (its topic lags the orchestrator's): look again later. */
  | { readonly verdict: 'wait'; readonly detail: string };

export interface PreHandoffOptions {
  readonly now: Date;
  /** How long a request may wait for its invoice to appear before it is refused. */
  readonly maxWaitForInvoiceMs: number;
}

/**
 * Promise 2, as a pure decision over the projection row read under lock in the hand-off
 * transaction: hand off only an open, unpaid (nothing paid or credited since the orchestrator
 * decided), undisputed invoice that is not under an honoured payment plan and not already at an
 * agency. Rules are checked in a fixed order so the reason is stable.
 */
export function checkBeforeHandoff(view: InvoiceView | undefined, request: HandoffRequestFacts, options: PreHandoffOptions): PreHandoffDecision {
  if (!view) {
    const waitedMs = options.now.getTime() - Date.parse(request.requestedAt);
    return waitedMs > options.maxWaitForInvoiceMs
      ? { verdict: 'refuse', reason: 'invoice-unknown', detail: `no invoicing event for this invoice within ${options.maxWaitForInvoiceMs} ms of the request` }
      : { verdict: 'wait', detail: 'the invoice is not in the projection yet' };
  }
  if (view.activeCaseId !== undefined) {
    return { verdict: 'refuse', reason: 'already-handed-off', detail: 'another collection case holds this invoice' };
  }
  if (view.balance.currency !== request.amountDue.currency) {
    return { verdict: 'refuse', reason: 'amount-mismatch', detail: `request in ${request.amountDue.currency}, invoice in ${view.balance.currency}` };
  }
  if (view.status === 'settled' || view.balance.minor === 0) {
    return view.settledBy === 'credit'
      ? { verdict: 'refuse', reason: 'invoice-credited', detail: 'the invoice was credited to zero' }
      : { verdict: 'refuse', reason: 'invoice-settled', detail: 'the invoice is paid' };
  }
  if (view.dispute === 'open') return { verdict: 'refuse', reason: 'invoice-disputed', detail: 'the invoice is disputed' };
  if (view.dispute === 'upheld') return { verdict: 'refuse', reason: 'dispute-upheld', detail: "the customer's dispute was upheld" };
  if (view.paymentPlan === 'honoured') return { verdict: 'refuse', reason: 'payment-plan-agreed', detail: 'a payment plan is being honoured' };
  if (view.balance.minor < request.amountDue.minor) {
    return view.lastReduction?.kind === 'credit'
      ? { verdict: 'refuse', reason: 'invoice-credited', detail: 'a credit lowered the balance after the request was decided' }
      : { verdict: 'refuse', reason: 'payment-received', detail: 'a payment lowered the balance after the request was decided' };
  }
  return { verdict: 'hand-off', claimAmount: view.balance };
}
