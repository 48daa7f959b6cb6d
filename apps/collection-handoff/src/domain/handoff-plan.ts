import { buildClaim, type AgencyClaim, type Creditor } from './claim';
import type { CollectionCase, DeliveryChannel } from './collection-case';
import type { InvoiceView } from './invoice-view';
import { collectionRulesFor, type CollectionRules } from './law/country-rules';
import { checkBeforeHandoff, type RefusalReason } from './pre-handoff-check';

/** Which agency takes a country's cases, through which channel, on which terms (configuration, as data). */
export interface AgencyRoute {
  readonly agencyId: string;
  readonly channel: DeliveryChannel;
  /** Days to pay the agency's demand gives; raised to the country's legal minimum when lower. */
  readonly daysToPay: number;
  readonly creditor?: Creditor | undefined;
}

export interface HandoffPlanContext {
  readonly now: Date;
  readonly maxWaitForInvoiceMs: number;
  readonly routeFor: (country: string | undefined) => AgencyRoute | undefined;
  readonly rulesFor?: (country: string | undefined) => CollectionRules;
}

export type HandoffPlan =
  | { readonly kind: 'approve'; readonly agencyId: string; readonly channel: DeliveryChannel; readonly claim: AgencyClaim }
  | { readonly kind: 'refuse'; readonly reason: RefusalReason; readonly detail: string }
  | { readonly kind: 'wait'; readonly detail: string };

/** The whole pre-hand-off decision for one case: the invoice check, the agency, the lawful claim. */
export function planHandoff(state: CollectionCase, view: InvoiceView | undefined, context: HandoffPlanContext): HandoffPlan {
  const check = checkBeforeHandoff(view, { amountDue: state.amountDue, requestedAt: state.requestedAt }, context);
  if (check.verdict === 'wait') return { kind: 'wait', detail: check.detail };
  if (check.verdict === 'refuse' || !view) return check.verdict === 'refuse' ? { kind: 'refuse', reason: check.reason, detail: check.detail } : { kind: 'wait', detail: 'no invoice' };
  const invoice = view;
  const route = context.routeFor(invoice.customer.country);
  if (!route) return { kind: 'refuse', reason: 'no-agency', detail: `no agency is configured for country ${invoice.customer.country ?? 'unknown'}` };
  const rules = (context.rulesFor ?? collectionRulesFor)(invoice.customer.country);
  const built = buildClaim({
    handoffId: state.handoffId,
    collectionCaseId: state.collectionCaseId,
    view: invoice,
    principal: check.claimAmount,
    agency: { agencyId: route.agencyId, daysToPay: route.daysToPay },
    creditor: route.creditor,
    rules,
    handoffAt: context.now,
  });
  if (!built.ok) return { kind: 'refuse', reason: built.reason, detail: built.detail };
  return { kind: 'approve', agencyId: route.agencyId, channel: route.channel, claim: built.claim };
}
