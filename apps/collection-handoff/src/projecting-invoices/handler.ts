import type { InvoicingEvent } from '@dunning/contracts';
import type { BatchContext, BatchResult, ConsumedEvent, ConsumerMode, SqlClient } from '@dunning/messaging';
import { evolveInvoiceView, isCustomerEvent, withCustomerProfile, type CustomerFacts, type InvoiceView } from '../domain';
import type { CaseStore } from '../persistence/case-store';
import type { InvoiceProjectionStore } from '../persistence/invoice-projection-store';
import type { ChunkRef } from '../wake-after-commit';

export interface ProjectInvoicesDeps {
  readonly projections: InvoiceProjectionStore;
  readonly cases: CaseStore;
  readonly clock: () => Date;
  /**
   * Work for the worker became due in this chunk (inside its transaction, not yet committed): a
   * recall to send, or a check that waited for an invoice that just arrived. The worker is to be
   * woken once the chunk committed (WakeAfterCommit).
   */
  readonly onWorkDue?: (chunk: ChunkRef) => void;
}

export interface AppliedChange {
  readonly invoiceId: string;
  /** The projection version this change's chunk wrote (one write per invoice and chunk). */
  readonly version: number;
  readonly recall?: { readonly collectionCaseId: string; readonly outcome: 'withdrawn' | 'recall-requested' | 'none' };
}

/**
 * Keeps the invoice projection (exactly once: it runs inside libs/messaging's transaction, which
 * commits the consumed offsets with it) and turns a payment, credit, dispute or plan that reaches an
 * invoice held by a collection case into a recall of that case — in the same transaction, under the
 * projection row's lock, which is the lock the hand-off check takes too (promise 2).
 *
 * A chunk costs a fixed number of statements, not a few per event: one statement locks every row
 * the chunk touches, the views evolve in memory in event order, and one upsert writes the changed
 * rows (another the customer profiles) at the end. Only a recall, which is rare, writes on the way.
 */
export class ProjectInvoices {
  constructor(private readonly deps: ProjectInvoicesDeps) {}

  readonly handle = async (events: readonly ConsumedEvent<InvoicingEvent>[], tx: SqlClient, context: BatchContext): Promise<BatchResult> => {
    const { changes, checksDue } = await this.fold(tx, events.map((e) => e.value), context.mode);
    if (checksDue > 0 || changes.some((c) => c.recall?.outcome === 'recall-requested')) this.deps.onWorkDue?.(context);
    return {};
  };

  apply(tx: SqlClient, event: InvoicingEvent, mode: ConsumerMode = 'live'): Promise<AppliedChange[]> {
    return this.applyAll(tx, [event], mode);
  }

  async applyAll(tx: SqlClient, events: readonly InvoicingEvent[], mode: ConsumerMode = 'live'): Promise<AppliedChange[]> {
    return (await this.fold(tx, events, mode)).changes;
  }

  private async fold(tx: SqlClient, events: readonly InvoicingEvent[], mode: ConsumerMode): Promise<{ changes: AppliedChange[]; checksDue: number }> {
    const { projections, cases, clock } = this.deps;
    const now = clock();
    const invoiceIds = new Set<string>();
    const profiledCustomers = new Set<string>();
    for (const event of events) {
      if (!isCustomerEvent(event)) invoiceIds.add(event.data.invoiceId);
      else if (event.type === 'invoicing.customer.updated.v1') profiledCustomers.add(event.data.customerId);
    }
    const views = new Map<string, InvoiceView>();
    for (const row of await projections.lockMany(tx, [...invoiceIds], [...profiledCustomers])) views.set(row.view.invoiceId, row.view);

    const changed = new Set<string>();
    const arrived = new Set<string>();
    const profiles = new Map<string, { profile?: CustomerFacts; terminatedAt?: string }>();
    const applied: Omit<AppliedChange, 'version'>[] = [];
    for (const event of events) {
      if (isCustomerEvent(event)) {
        const customerId = event.data.customerId;
        const profile = profiles.get(customerId) ?? {};
        profiles.set(customerId, profile);
        if (event.type === 'invoicing.customer.terminated.v1') {
          profile.terminatedAt = event.data.terminatedAt;
          continue;
        }
        const p = event.data.customer;
        const facts = { type: p.type, country: p.country, locale: p.locale, timeZone: p.timeZone };
        profile.profile = facts;
        // Every invoice of the customer known at this point of the chunk, in invoice id order.
        for (const view of [...views.values()].filter((v) => v.customerId === customerId).sort((a, b) => (a.invoiceId < b.invoiceId ? -1 : 1))) {
          views.set(view.invoiceId, withCustomerProfile(view, facts));
          changed.add(view.invoiceId);
          applied.push({ invoiceId: view.invoiceId });
        }
        continue;
      }

      const locked = views.get(event.data.invoiceId);
      const change = evolveInvoiceView(locked, event);
      if (!change.view || change.view === locked) continue;
      views.set(change.view.invoiceId, change.view);
      changed.add(change.view.invoiceId);
      if (!locked) arrived.add(change.view.invoiceId);
      const holder = locked?.activeCaseId;
      // A replay rebuilds the projection only: it never recalls anything (promise 3).
      if (!change.recallTrigger || !holder || mode === 'replay') {
        applied.push({ invoiceId: change.view.invoiceId });
        continue;
      }
      const executed = await cases.execute(tx, change.view.invoiceId, holder, { type: 'trigger-recall', reason: change.recallTrigger, at: event.time }, { invoiceLocked: true });
      if (executed.releasedInvoice) views.set(change.view.invoiceId, { ...change.view, activeCaseId: undefined });
      const emitted = executed.decision.ok ? executed.decision.events.map((e) => e.type) : [];
      const outcome = emitted.includes('handoff-withdrawn') ? 'withdrawn' : emitted.includes('recall-requested') ? 'recall-requested' : 'none';
      applied.push({ invoiceId: change.view.invoiceId, recall: { collectionCaseId: holder, outcome } });
    }

    await projections.saveProfiles(tx, profiles, now);
    const versions = await projections.saveMany(tx, [...changed].map((id) => views.get(id)).filter((v): v is InvoiceView => v !== undefined), now);
    // A request that came before its invoice (two topics, two consumers) waits `recheckAfterMs`;
    // on a simulated clock standing still that is until the next clock move. Its invoice is here now.
    const checksDue = mode === 'live' ? await cases.dueNowForInvoices(tx, [...arrived]) : 0;
    return { changes: applied.map((change) => ({ ...change, version: versions.get(change.invoiceId) ?? 0 })), checksDue };
  }
}
