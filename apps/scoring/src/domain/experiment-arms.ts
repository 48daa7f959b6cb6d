import type { DunningEvent, DunningTreatment } from '@dunning/contracts';
import { dunningTreatment } from '@dunning/contracts';

// Which treatment each randomized arm stands for. The orchestrator randomizes cases into arms
// (dunning.experiment.arm-assigned.v1) and tags every action it then takes with the arm; scoring
// learns uplift per treatment, so it needs arm → treatment. An explicit mapping (configuration)
// wins; else an arm named like a treatment is that treatment; else the arm's most intensive action
// seen so far names it (a "collection" arm hands off only those who did not pay before, but it is
// the hand-off that sets it apart). An arm whose flow the case's segment chose (policy `by-segment`,
// e.g. the ML-driven policy against collection as before) is no treatment and is not recorded.
// Outcomes are compared by assigned arm (intention to treat), so
// the randomization stays valid whatever each case ended up receiving.

export interface ArmAssignmentFact {
  readonly experimentId: string;
  readonly arm: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly assignedAt: string;
}

export interface ArmActionFact {
  readonly experimentId: string;
  readonly arm: string;
  readonly invoiceId: string;
  readonly treatment: DunningTreatment;
}

/** Keys are `experimentId/arm` or just `arm`. */
export type ArmTreatmentOverrides = Readonly<Record<string, DunningTreatment>>;

export const TREATMENT_INTENSITY: readonly DunningTreatment[] = ['no-action', 'email-reminder', 'sms-reminder', 'letter-reminder', 'collection-handoff'];

export type ArmFact = { readonly kind: 'assignment'; readonly fact: ArmAssignmentFact } | { readonly kind: 'action'; readonly fact: ArmActionFact };

/** What a dunning event teaches about experiments; undefined for events outside any experiment. */
export function armFactOf(event: DunningEvent): ArmFact | undefined {
  switch (event.type) {
    case 'dunning.experiment.arm-assigned.v1': {
      const { data } = event;
      // An arm that keeps the segment's flow (a policy against a control) stands for no single
      // treatment: its cases get whatever their segment's flow does, so they teach no uplift.
      if (data.flowChosenBy === 'segment') return undefined;
      return { kind: 'assignment', fact: { experimentId: data.experimentId, arm: data.arm, invoiceId: data.invoiceId, customerId: data.customerId, assignedAt: data.assignedAt } };
    }
    case 'dunning.reminder.requested.v1': {
      const { data } = event;
      if (!data.experiment) return undefined;
      return { kind: 'action', fact: { ...data.experiment, invoiceId: data.invoiceId, treatment: `${data.channel}-reminder` } };
    }
    case 'dunning.handoff.requested.v1': {
      const { data } = event;
      if (!data.experiment) return undefined;
      return { kind: 'action', fact: { ...data.experiment, invoiceId: data.invoiceId, treatment: 'collection-handoff' } };
    }
    case 'dunning.step.skipped.v1': {
      const { data } = event;
      if (!data.experiment || data.reasonCode !== 'experiment-no-action') return undefined;
      return { kind: 'action', fact: { ...data.experiment, invoiceId: data.invoiceId, treatment: 'no-action' } };
    }
    case 'dunning.case.closed.v1':
      return undefined;
    default: {
      const unexpected: never = event;
      throw new Error(`unhandled dunning event ${(unexpected as { type: string }).type}`);
    }
  }
}

export function mostIntensive(treatments: readonly DunningTreatment[]): DunningTreatment | undefined {
  let best = -1;
  for (const treatment of treatments) best = Math.max(best, TREATMENT_INTENSITY.indexOf(treatment));
  return best < 0 ? undefined : TREATMENT_INTENSITY[best];
}

export type ArmTreatmentSource = 'configured' | 'arm-name' | 'observed-actions' | 'no-actions';

/**
 * The treatment an arm stands for, and why; undefined while nothing tells (no mapping, no telling
 * name, no action yet). A no-action arm shows itself by the steps the orchestrator skips with
 * reason experiment-no-action.
 */
export function treatmentOfArm(
  experimentId: string,
  arm: string,
  observed: readonly DunningTreatment[],
  overrides: ArmTreatmentOverrides = {},
): { readonly treatment: DunningTreatment; readonly source: ArmTreatmentSource } | undefined {
  const configured = overrides[`${experimentId}/${arm}`] ?? overrides[arm];
  if (configured) return { treatment: configured, source: 'configured' };
  const byName = dunningTreatment.safeParse(arm);
  if (byName.success) return { treatment: byName.data, source: 'arm-name' };
  const strongest = mostIntensive(observed);
  if (strongest) return { treatment: strongest, source: strongest === 'no-action' ? 'no-actions' : 'observed-actions' };
  return undefined;
}
