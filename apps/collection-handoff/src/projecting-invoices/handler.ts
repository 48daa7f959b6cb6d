import type { InvoicingEvent } from '@dunning/contracts';
import type { BatchContext, BatchResult, ConsumedEvent, SqlClient } from '@dunning/messaging';
import { evolveInvoiceView, isCustomerEvent, withCustomerProfile } from '../domain';
import type { CaseStore } from '../persistence/case-store';
import type { InvoiceProjectionStore } from '../persistence/invoice-projection-store';

export interface ProjectInvoicesDeps {
  readonly projections: InvoiceProjectionStore;
  readonly cases: CaseStore;
  readonly clock: () => Date;
  /** Called after the batch's transaction work is queued: wake the delivery worker (recalls to send). */
  readonly onRecallRequested?: () => void;
}

export interface AppliedChange {
  readonly invoiceId: string;
  /** The projection version this change wrote. */
  readonly version: number;
  readonly recall?: { readonly collectionCaseId: string; readonly outcome: 'withdrawn' | 'recall-requested' | 'none' };
}

/**
 * Keeps the invoice projection (exactly once: it runs inside libs/messaging's transaction, which
 * commits the consumed offsets with it) and turns a payment, credit, dispute or plan that reaches an
 * invoice held by a collection case into a recall of that case — in the same transaction, under the
 * projection row's lock, which is the lock the hand-off check takes too (promise 2).
 */
export class ProjectInvoices {
  constructor(private readonly deps: ProjectInvoicesDeps) {}

  readonly handle = async (events: readonly ConsumedEvent<InvoicingEvent>[], tx: SqlClient, context: BatchContext): Promise<BatchResult> => {
    for (const event of events) await this.apply(tx, event.value, context.mode);
    return {};
  };

  async apply(tx: SqlClient, event: InvoicingEvent, mode: 'live' | 'replay' = 'live'): Promise<AppliedChange[]> {
    const { projections, cases, clock } = this.deps;
    const now = clock();
    if (isCustomerEvent(event)) {
      if (event.type === 'invoicing.customer.terminated.v1') {
        await projections.markTerminated(tx, event.data.customerId, event.data.terminatedAt, now);
        return [];
      }
      const p = event.data.customer;
      const facts = { type: p.type, country: p.country, locale: p.locale, timeZone: p.timeZone };
      await projections.saveProfile(tx, event.data.customerId, facts, now);
      const changes: AppliedChange[] = [];
      for (const row of await projections.lockCustomer(tx, event.data.customerId)) {
        changes.push({ invoiceId: row.view.invoiceId, version: await projections.save(tx, withCustomerProfile(row.view, facts), now) });
      }
      return changes;
    }

    const locked = await projections.lock(tx, event.data.invoiceId);
    const change = evolveInvoiceView(locked?.view, event);
    if (!change.view || change.view === locked?.view) return [];
    const version = await projections.save(tx, change.view, now);
    const holder = locked?.view.activeCaseId;
    // A replay rebuilds the projection only: it never recalls anything (promise 3).
    if (!change.recallTrigger || !holder || mode === 'replay') return [{ invoiceId: change.view.invoiceId, version }];

    const executed = await cases.execute(tx, change.view.invoiceId, holder, { type: 'trigger-recall', reason: change.recallTrigger, at: event.time }, { invoiceLocked: true });
    const emitted = executed.decision.ok ? executed.decision.events.map((e) => e.type) : [];
    const outcome = emitted.includes('handoff-withdrawn') ? 'withdrawn' : emitted.includes('recall-requested') ? 'recall-requested' : 'none';
    if (outcome === 'recall-requested') this.deps.onRecallRequested?.();
    return [{ invoiceId: change.view.invoiceId, version, recall: { collectionCaseId: holder, outcome } }];
  }
}
