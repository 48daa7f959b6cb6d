import { inTransaction, type SqlPool } from '@dunning/messaging';
import { z } from 'zod';
import type { AgencyCallback } from '../domain';
import type { CaseStore } from '../persistence/case-store';

const kebab = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'expected a kebab-case code' }).max(100);

/** The callback body an agency POSTs (documented in docs/collection-handoff.md). */
export const agencyCallbackBody = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('paid'),
    callbackId: z.string().min(1).max(200),
    handoffId: z.string().min(1).max(200),
    occurredAt: z.iso.datetime({ offset: true }),
    amount: z.object({ minor: z.int().min(1), currency: z.string().regex(/^[A-Z]{3}$/) }),
  }),
  z.object({ type: z.literal('closed'), callbackId: z.string().min(1).max(200), handoffId: z.string().min(1).max(200), occurredAt: z.iso.datetime({ offset: true }), outcome: kebab }),
  z.object({ type: z.literal('returned'), callbackId: z.string().min(1).max(200), handoffId: z.string().min(1).max(200), occurredAt: z.iso.datetime({ offset: true }), reason: kebab }),
]);
export type AgencyCallbackBody = z.infer<typeof agencyCallbackBody>;

export type CallbackAnswer =
  | { readonly status: 'applied'; readonly events: readonly string[] }
  | { readonly status: 'duplicate' }
  | { readonly status: 'unknown-case' }
  | { readonly status: 'rejected'; readonly code: string; readonly reason: string };

/**
 * Folds an agency callback into its case, in one transaction under the case's locks. Duplicates
 * and out-of-order arrivals are the domain's business (idempotent by callback id, status by
 * precedence); this only finds the case and records what the decision says.
 */
export class ReceiveAgencyCallback {
  constructor(private readonly deps: { readonly pool: SqlPool; readonly cases: CaseStore; readonly onApplied?: () => void }) {}

  async receive(agencyId: string, body: AgencyCallbackBody): Promise<CallbackAnswer> {
    const { pool, cases } = this.deps;
    const located = await cases.locate(pool, { handoffId: body.handoffId });
    // Another agency's case is, to this agency, a case that does not exist.
    if (!located || located.agencyId !== agencyId) return { status: 'unknown-case' };
    const callback: AgencyCallback =
      body.type === 'paid'
        ? { kind: 'paid', callbackId: body.callbackId, amount: body.amount, occurredAt: body.occurredAt }
        : body.type === 'closed'
          ? { kind: 'closed', callbackId: body.callbackId, outcome: body.outcome, occurredAt: body.occurredAt }
          : { kind: 'returned', callbackId: body.callbackId, reason: body.reason, occurredAt: body.occurredAt };
    const executed = await inTransaction(pool, (tx) => cases.execute(tx, located.invoiceId, located.collectionCaseId, { type: 'receive-agency-callback', callback }));
    const { decision } = executed;
    if (!decision.ok) return decision.code === 'unknown-case' ? { status: 'unknown-case' } : { status: 'rejected', code: decision.code, reason: decision.reason };
    if (decision.events.length === 0) return { status: 'duplicate' };
    this.deps.onApplied?.();
    return { status: 'applied', events: decision.events.map((e) => e.type) };
  }
}
