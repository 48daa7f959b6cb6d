import { decodeRecord, dunningEventRegistry, type DunningEvent } from '@dunning/contracts';
import type { BatchHandler, DecodeResult, KafkaRecord } from '@dunning/messaging';
import { armFactOf, type ArmActionFact, type ArmAssignmentFact } from '../domain';
import { recordArmActions, recordArmAssignments } from '../persistence/scoring-store';

export const decodeDunningRecord = (record: KafkaRecord): DecodeResult<DunningEvent> => decodeRecord(record, dunningEventRegistry);

/** Records which invoices the orchestrator randomized into which arm, and which actions each arm took (to name its treatment). */
export function createDunningEventsHandler(): BatchHandler<DunningEvent> {
  return async (events, tx) => {
    const assignments: ArmAssignmentFact[] = [];
    const actions: ArmActionFact[] = [];
    for (const { value } of events) {
      const fact = armFactOf(value);
      if (fact?.kind === 'assignment') assignments.push(fact.fact);
      else if (fact?.kind === 'action') actions.push(fact.fact);
    }
    await recordArmAssignments(tx, assignments);
    await recordArmActions(tx, actions);
  };
}
