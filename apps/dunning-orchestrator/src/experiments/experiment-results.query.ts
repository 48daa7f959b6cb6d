import type { SqlClient } from '@dunning/messaging';
import { experimentResults, toMillis, type CaseOutcome, type DunningCase, type ExperimentResults, type Policy } from '../domain';

/** Reads every case of an experiment from the projection and computes its results. */
export async function queryExperimentResults(db: SqlClient, schema: string, policy: Policy, experimentId: string, asOf: Date): Promise<ExperimentResults | undefined> {
  const experiment = policy.experiments.find((candidate) => candidate.id === experimentId);
  if (!experiment) return undefined;
  const { rows } = await db.query<{ state: DunningCase; terminated_at: Date | null }>(
    `SELECT c.state, cu.terminated_at FROM "${schema}".cases c LEFT JOIN "${schema}".customers cu ON cu.customer_id = c.customer_id WHERE c.experiment_id = $1`,
    [experimentId],
  );
  const outcomes = rows.flatMap(({ state, terminated_at }): CaseOutcome[] => {
    const assignment = state.experiment;
    if (!assignment || !state.outstanding) return [];
    const paidByPayment = state.paidInFullAt && state.lastBalanceChange === 'payment' ? state.paidInFullAt : undefined;
    const handedOffAt = state.handoff?.acceptedAt ?? state.handoff?.requestedAt;
    return [
      {
        caseId: state.caseId,
        armId: assignment.armId,
        assignedAt: assignment.at,
        outstandingAtAssignment: state.outstanding,
        ...(paidByPayment ? { paidInFullAt: paidByPayment } : {}),
        recovered: { minor: state.paidSinceAssignment, currency: state.outstanding.currency },
        ...(handedOffAt ? { handedOffAt } : {}),
        ...(terminated_at ? { terminatedAt: terminated_at.toISOString() } : {}),
        contacts: state.contacts.filter((contact) => toMillis(contact.at) >= toMillis(assignment.at)).length,
      },
    ];
  });
  return experimentResults(experiment.id, experiment.arms, outcomes, asOf.toISOString());
}
