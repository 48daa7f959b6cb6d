import { z } from 'zod';

// Words several services' events share. Each service still owns its own event types; these are
// only the values that must mean the same thing everywhere.

export const contactChannel = z
  .enum(['sms', 'email', 'letter'], { error: "expected a channel: 'sms', 'email' or 'letter'" })
  .meta({ description: 'A contact channel.' });
export type ContactChannel = z.infer<typeof contactChannel>;

/**
 * The treatments scoring estimates an uplift for and the orchestrator chooses between.
 * `no-action` is the baseline every uplift is measured against.
 */
export const dunningTreatment = z
  .enum(['no-action', 'sms-reminder', 'email-reminder', 'letter-reminder', 'collection-handoff'], {
    error: "expected a treatment: 'no-action', 'sms-reminder', 'email-reminder', 'letter-reminder' or 'collection-handoff'",
  })
  .meta({ description: 'A dunning treatment; no-action is the baseline.' });
export type DunningTreatment = z.infer<typeof dunningTreatment>;

/** The arm of a randomized experiment a case was assigned to; decided by the orchestrator, echoed by effects. */
export const experimentAssignment = z
  .object({
    experimentId: z.string().min(1).max(200).meta({ description: 'Experiment id, e.g. exp-2026-friendly-sms.' }),
    arm: z.string().min(1).max(100).meta({ description: 'Arm name within the experiment, e.g. control, friendly-sms, no-action.' }),
  })
  .meta({ description: 'Experiment and arm a decision was made under.' });
export type ExperimentAssignment = z.infer<typeof experimentAssignment>;
