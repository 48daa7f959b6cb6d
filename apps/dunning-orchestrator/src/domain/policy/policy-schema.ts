import { z } from 'zod';

// The declarative, versioned dunning policy. A policy file (YAML or JSON under
// apps/dunning-orchestrator/policies/) is validated by this schema before the service starts; its
// `id@version` is written on every decision. Objects are strict: a misspelt key is an error, and
// there is deliberately no way to condition on protected attributes (sex, age, marital status).

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'expected a kebab-case id (e.g. first-time-late)' });
const currency = z.string().regex(/^[A-Z]{3}$/, { error: 'expected an ISO 4217 currency code' });
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a wall-clock time HH:MM' });
const minorUnits = z.int().min(0);

/** `atLeast` inclusive, `below` exclusive, so adjacent ranges never overlap. */
const range = (value: z.ZodNumber) =>
  z.strictObject({ atLeast: value.optional(), below: value.optional() }).refine((r) => r.atLeast === undefined || r.below === undefined || r.atLeast < r.below, {
    error: 'atLeast must be smaller than below',
  });

const probability = z.number().min(0).max(1);

export const historyClassSchema = z.enum(['new-customer', 'first-time-late', 'occasionally-late', 'habitually-late']);
export type HistoryClass = z.infer<typeof historyClassSchema>;

/**
 * The treatments scoring estimates an uplift for, by their names on scoring.scores.v1 (the
 * contracts' `dunningTreatment`; a unit test keeps the two lists equal). A policy keys uplift
 * conditions by these names, so a misspelt key (e.g. `handoff`) is an error, not a silent non-match.
 */
export const UPLIFT_TREATMENTS = ['no-action', 'sms-reminder', 'email-reminder', 'letter-reminder', 'collection-handoff'] as const;
export const upliftTreatmentSchema = z.enum(UPLIFT_TREATMENTS, { error: `expected a treatment name of scoring.scores.v1: ${UPLIFT_TREATMENTS.join(', ')}` });

export const channelSchema = z.enum(['email', 'sms', 'letter']);
export const actionKindSchema = z.enum(['reminder', 'handoff', 'nothing']);

/** Conditions of a segment or of experiment eligibility; all given conditions must hold. */
export const conditionsSchema = z.strictObject({
  hasScore: z.boolean().optional(),
  /** The model's probability that the invoice is paid without collection. Never matches without a score. */
  probabilityPayWithoutCollection: range(probability).optional(),
  /** Uplift (treatment effect on the probability to pay) per treatment, e.g. `collection-handoff`. Never matches without one. */
  uplift: z.partialRecord(upliftTreatmentSchema, range(z.number().min(-1).max(1))).optional(),
  paymentHistory: z.array(historyClassSchema).min(1).optional(),
  /** Outstanding amount in minor units, per currency; an unlisted currency does not match. */
  outstanding: z.record(currency, range(z.number().int().min(0))).optional(),
  customerType: z.array(z.enum(['consumer', 'business'])).min(1).optional(),
  tenureMonths: range(z.number().int().min(0)).optional(),
  brand: z.array(z.string().min(1)).min(1).optional(),
  country: z.array(z.string().regex(/^[A-Z]{2}$/)).min(1).optional(),
});
export type Conditions = z.infer<typeof conditionsSchema>;

export const stepTimingSchema = z.union([
  z.strictObject({ daysFromDue: z.int().min(-60).max(365) }),
  /** "On the first payday at least N days after the due date." */
  z.strictObject({ firstPaydayAtLeastDaysAfterDue: z.int().min(0).max(365) }),
]);
export type StepTiming = z.infer<typeof stepTimingSchema>;

export const feeRuleSchema = z.strictObject({
  /** The reminder fee asked for, per invoice currency; the country rule pack caps or removes it. */
  reminderFee: z.record(currency, minorUnits),
});

export const stepSchema = z
  .strictObject({
    id: slug,
    action: actionKindSchema,
    channel: channelSchema.optional(),
    /** Channels tried in order when the first lacks consent or reachability. */
    fallbackChannels: z.array(channelSchema).optional(),
    template: z.string().min(1).optional(),
    at: stepTimingSchema,
    fee: feeRuleSchema.optional(),
    defaultInterest: z.boolean().optional(),
    businessCompensation: z.boolean().optional(),
    payWithinDays: z.int().min(1).max(90).optional(),
    guards: z
      .strictObject({
        /** Skip the step when less than this is outstanding (per currency, minor units). */
        minOutstanding: z.record(currency, minorUnits).optional(),
        /** Skip when the model says the customer will probably pay anyway (at least this probability). */
        skipIfProbabilityPayWithoutCollectionAtLeast: probability.optional(),
        /** Give up (skip) when caps and windows delay the step by more than this many days. */
        maxDelayDays: z.int().min(0).max(60).optional(),
      })
      .optional(),
  })
  .superRefine((step, ctx) => {
    if (step.action === 'reminder' && (!step.channel || !step.template)) ctx.addIssue({ code: 'custom', message: `reminder step ${step.id} needs a channel and a template` });
    if (step.action === 'handoff' && !step.template) ctx.addIssue({ code: 'custom', message: `handoff step ${step.id} needs a template (the demand letter)` });
    if (step.action !== 'reminder' && (step.fee || step.channel)) ctx.addIssue({ code: 'custom', message: `only a reminder step has a channel or fee (${step.id})` });
  });
export type Step = z.infer<typeof stepSchema>;

export const flowSchema = z.strictObject({ description: z.string().optional(), steps: z.array(stepSchema) });

const dailyWindow = z.strictObject({ from: clock, to: clock }).refine((w) => w.from < w.to, { error: 'a window opens before it closes' });

/**
 * The reserved flow of an experiment arm that keeps the flow its segment chose: the arm runs the
 * policy's own segments (e.g. score-driven ones) against a control arm, instead of one fixed flow.
 * It is not a flow id of its own (a flow may not be called so).
 */
export const BY_SEGMENT_FLOW = 'by-segment';

export const experimentSchema = z.strictObject({
  id: slug,
  description: z.string().optional(),
  /** Inclusive start and exclusive end, as instants. Cases that become overdue in between are eligible. */
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  eligibility: conditionsSchema.extend({ segments: z.array(slug).min(1).optional() }),
  arms: z
    .array(
      z.strictObject({
        id: slug,
        /** Integer weights: an arm with weight 2 gets twice the customers of one with weight 1. */
        weight: z.int().min(1),
        /** A flow of the policy, or `by-segment`: the case keeps (and follows) the flow of its segment. */
        flow: slug,
        control: z.boolean().optional(),
        /** What the arm does, for the estimator of who would have paid anyway. */
        role: z.enum(['collection', 'no-action', 'treatment']).optional(),
      }),
    )
    .min(2),
});
export type Experiment = z.infer<typeof experimentSchema>;

export const policySchema = z
  .strictObject({
    id: slug,
    version: z.string().regex(/^\d+(\.\d+)*$/, { error: 'expected a version like 3 or 2026.1' }),
    description: z.string().optional(),
    contactWindows: z.strictObject({ weekdays: dailyWindow.nullable(), saturday: dailyWindow.nullable(), sunday: dailyWindow.nullable() }),
    contactCap: z.strictObject({ maxContacts: z.int().min(1), perDays: z.int().min(1) }),
    minDaysBetweenContacts: z.int().min(0),
    /** Whether a brand's contract terms include a reminder fee (Sweden allows one only if agreed). */
    contractTerms: z.strictObject({ reminderFeeAgreedByDefault: z.boolean(), reminderFeeAgreedByBrand: z.record(z.string(), z.boolean()).optional() }),
    segmentation: z.strictObject({
      /** Days after the due date at which a case counts as late and gets its segment (payments in transit). */
      afterDueDays: z.int().min(0).max(30),
      history: z.strictObject({
        newCustomerMonths: z.int().min(0),
        lookbackMonths: z.int().min(1),
        /** At least this many late invoices within the lookback: habitually late. */
        habituallyLateFrom: z.int().min(1),
        /** Tenure needed for "first time late after years of paying". */
        firstTimeLateMinTenureMonths: z.int().min(0),
        /** Days after the due date a payment may arrive and still count as on time. */
        graceDays: z.int().min(0),
      }),
    }),
    paymentPlans: z.strictObject({
      /** Days after an installment's due date before it counts as missed and dunning resumes. */
      graceDays: z.int().min(0).max(30),
    }),
    beforeDue: flowSchema,
    flows: z.record(slug, flowSchema),
    segments: z.array(z.strictObject({ id: slug, description: z.string().optional(), when: conditionsSchema, flow: slug })).min(1),
    experiments: z.array(experimentSchema),
  })
  .superRefine((policy, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    const flowIds = new Set(Object.keys(policy.flows));
    const segmentIds = new Set<string>();
    for (const segment of policy.segments) {
      if (segmentIds.has(segment.id)) issue(`segment ${segment.id} is defined twice`);
      segmentIds.add(segment.id);
      if (!flowIds.has(segment.flow)) issue(`segment ${segment.id} names unknown flow ${segment.flow}`);
    }
    const last = policy.segments[policy.segments.length - 1];
    if (last && Object.keys(last.when).length > 0) issue(`the last segment (${last.id}) must have no conditions, so every case gets a segment`);
    for (const step of policy.beforeDue.steps) {
      if (!('daysFromDue' in step.at) || step.at.daysFromDue > 0) issue(`before-due step ${step.id} must be at daysFromDue <= 0`);
      if (step.action === 'handoff') issue(`before-due step ${step.id} cannot hand off`);
    }
    for (const [flowId, flow] of Object.entries(policy.flows)) {
      if (flowId === BY_SEGMENT_FLOW) issue(`flow ${BY_SEGMENT_FLOW} is reserved for experiment arms that keep the segment's flow; give the flow another name`);
      const stepIds = new Set<string>();
      for (const step of flow.steps) {
        if (stepIds.has(step.id)) issue(`flow ${flowId} has step ${step.id} twice`);
        stepIds.add(step.id);
      }
    }
    const experimentIds = new Set<string>();
    for (const experiment of policy.experiments) {
      if (experimentIds.has(experiment.id)) issue(`experiment ${experiment.id} is defined twice`);
      experimentIds.add(experiment.id);
      if (Date.parse(experiment.start) >= Date.parse(experiment.end)) issue(`experiment ${experiment.id} ends before it starts`);
      const controls = experiment.arms.filter((arm) => arm.control);
      if (controls.length !== 1) issue(`experiment ${experiment.id} needs exactly one control arm`);
      const armIds = new Set(experiment.arms.map((arm) => arm.id));
      if (armIds.size !== experiment.arms.length) issue(`experiment ${experiment.id} has duplicate arm ids`);
      for (const arm of experiment.arms) if (arm.flow !== BY_SEGMENT_FLOW && !flowIds.has(arm.flow)) issue(`experiment ${experiment.id} arm ${arm.id} names unknown flow ${arm.flow}`);
      for (const segment of experiment.eligibility.segments ?? []) if (!segmentIds.has(segment)) issue(`experiment ${experiment.id} names unknown segment ${segment}`);
    }
    // A case is assigned to at most one experiment (the first running one it is eligible for); two
    // running at the same instant would silently starve the later one. So windows must not overlap.
    const windows = policy.experiments.map((e) => ({ id: e.id, start: Date.parse(e.start), end: Date.parse(e.end) })).sort((a, b) => a.start - b.start);
    windows.forEach((current, i) => {
      const previous = windows[i - 1];
      if (previous && current.start < previous.end) issue(`experiments ${previous.id} and ${current.id} overlap in time ([start, end) windows must not overlap, so a case is never eligible for both)`);
    });
  });

export type Policy = z.infer<typeof policySchema>;

/** The label written on every decision: which policy, which version. */
export function policyVersionOf(policy: Pick<Policy, 'id' | 'version'>): string {
  return `${policy.id}@${policy.version}`;
}
