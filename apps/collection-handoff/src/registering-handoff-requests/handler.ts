import type { DunningEvent } from '@dunning/contracts';
import type { BatchContext, BatchResult, ConsumedEvent, SqlClient } from '@dunning/messaging';
import { collectionCaseIdFor, handoffIdFor } from '../ids';
import type { CaseStore } from '../persistence/case-store';
import type { ChunkRef } from '../wake-after-commit';

export interface RegisterHandoffRequestsDeps {
  readonly cases: CaseStore;
  /**
   * A case to check was registered in this chunk (inside its transaction, not yet committed): the
   * worker is to be woken once the chunk committed (WakeAfterCommit).
   */
  readonly onRegistered?: (chunk: ChunkRef) => void;
}

/**
 * Records each dunning.handoff.requested.v1 as a requested collection case (one per actionId, so a
 * redelivery opens nothing new). The check and the hand-off happen in the worker, right before the
 * agency is contacted; every other type on dunning.actions.v1 is not ours and is skipped.
 */
export class RegisterHandoffRequests {
  constructor(private readonly deps: RegisterHandoffRequestsDeps) {}

  readonly handle = async (events: readonly ConsumedEvent<DunningEvent>[], tx: SqlClient, context: BatchContext): Promise<BatchResult> => {
    let registered = 0;
    for (const { value } of events) {
      if (await this.register(tx, value)) registered++;
    }
    if (registered > 0) this.deps.onRegistered?.(context);
    return {};
  };

  async register(tx: SqlClient, event: DunningEvent): Promise<boolean> {
    if (event.type !== 'dunning.handoff.requested.v1') return false;
    const d = event.data;
    const collectionCaseId = collectionCaseIdFor(d.actionId);
    const executed = await this.deps.cases.execute(tx, d.invoiceId, collectionCaseId, {
      type: 'request-handoff',
      collectionCaseId,
      handoffId: handoffIdFor(d.actionId),
      actionId: d.actionId,
      dunningCaseId: d.caseId,
      invoiceId: d.invoiceId,
      customerId: d.customerId,
      amountDue: d.amountDue,
      requestedAt: d.requestedAt,
    });
    return executed.decision.ok && executed.decision.events.length > 0;
  }
}
