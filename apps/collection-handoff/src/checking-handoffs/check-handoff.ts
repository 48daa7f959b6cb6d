import { inTransaction, type SqlClient, type SqlPool } from '@dunning/messaging';
import { pendingWork, planHandoff, type AgencyRoute, type HandoffPlan } from '../domain';
import type { CaseStore } from '../persistence/case-store';
import type { InvoiceProjectionStore, LockedInvoice } from '../persistence/invoice-projection-store';

export interface CheckHandoffDeps {
  readonly pool: SqlPool;
  readonly cases: CaseStore;
  readonly projections: InvoiceProjectionStore;
  readonly clock: () => Date;
  readonly routeFor: (country: string | undefined) => AgencyRoute | undefined;
  readonly maxWaitForInvoiceMs: number;
  /** How long a request waits before its invoice is looked for again. */
  readonly recheckAfterMs: number;
  /**
   * How the check reads the invoice. Always the row lock in the service; the race test replaces it
   * with a plain read once, to prove that its invariant check catches what the lock prevents.
   */
  readonly readInvoiceForCheck?: ((tx: SqlClient, projections: InvoiceProjectionStore, invoiceId: string) => Promise<LockedInvoice | undefined>) | undefined;
}

export type CheckOutcome =
  | { readonly outcome: 'approved'; readonly agencyId: string; readonly projectionVersion: number }
  | { readonly outcome: 'refused'; readonly reason: string; readonly projectionVersion: number | undefined }
  | { readonly outcome: 'waiting' }
  | { readonly outcome: 'not-due' };

/**
 * The pre-hand-off check, in ONE transaction (promise 2):
 *   lock the invoice's projection row (FOR UPDATE) → lock the case → decide over what the row says
 *   now → approve (the case takes the invoice: active_case_id) or refuse → commit.
 * A payment being projected at the same moment holds or waits for the same row lock. If it
 * commits first, this check sees it and refuses; if this check commits first, the payment's
 * transaction sees the case holding the invoice and withdraws or recalls it. There is no order in
 * which an invoice paid before the hand-off is handed off.
 */
export class CheckHandoff {
  constructor(private readonly deps: CheckHandoffDeps) {}

  async run(collectionCaseId: string, invoiceId: string): Promise<CheckOutcome> {
    const { cases, projections, clock } = this.deps;
    return inTransaction(this.deps.pool, async (tx) => {
      const read = this.deps.readInvoiceForCheck ?? ((t, p, id) => p.lock(t, id));
      let invoice = await read(tx, projections, invoiceId);
      const stored = await cases.lock(tx, collectionCaseId);
      if (!stored || pendingWork(stored.state) !== 'check') return { outcome: 'not-due' };
      // No row to lock: the invoice may have been committed while this waited for the case lock
      // (the projection that inserts it makes waiting checks due under that same case lock). Read
      // again, or this check would wait for a recheck the projection already made.
      invoice ??= await read(tx, projections, invoiceId);
      const now = clock();
      const plan: HandoffPlan = planHandoff(stored.state, invoice?.view, { now, maxWaitForInvoiceMs: this.deps.maxWaitForInvoiceMs, routeFor: this.deps.routeFor });
      if (plan.kind === 'wait') {
        await cases.postpone(tx, collectionCaseId, this.deps.recheckAfterMs, plan.detail);
        return { outcome: 'waiting' };
      }
      if (plan.kind === 'refuse') {
        await cases.executeLocked(tx, stored, { type: 'complete-check', outcome: { kind: 'refuse', reason: plan.reason, detail: plan.detail }, at: now.toISOString() });
        return { outcome: 'refused', reason: plan.reason, projectionVersion: invoice?.version };
      }
      await cases.executeLocked(tx, stored, { type: 'complete-check', outcome: { kind: 'approve', agencyId: plan.agencyId, claim: plan.claim }, at: now.toISOString() });
      const version = await projections.setActiveCase(tx, invoiceId, collectionCaseId);
      return { outcome: 'approved', agencyId: plan.agencyId, projectionVersion: version ?? -1 };
    });
  }
}
