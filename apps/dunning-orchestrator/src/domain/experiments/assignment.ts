import { createHash } from 'node:crypto';
import { matchConditions, type SegmentationFacts } from '../policy/segmentation';
import { BY_SEGMENT_FLOW, type Experiment, type Policy } from '../policy/policy-schema';
import { toMillis, type Instant } from '../time/time';

/**
 * A customer's position in [0, 1) for one experiment: the first 52 bits of
 * SHA-256(experimentId ":" customerId). Deterministic, so the same customer lands in the same arm
 * after a restart, a replay, or on another instance; independent across experiments.
 */
export function assignmentBucket(experimentId: string, customerId: string): number {
  const digest = createHash('sha256').update(`${experimentId}:${customerId}`, 'utf8').digest();
  // 52 bits fit a double exactly: 6 whole bytes (48 bits) plus the high nibble of the 7th.
  let value = 0;
  for (let i = 0; i < 6; i++) value = value * 256 + (digest[i] ?? 0);
  value = value * 16 + ((digest[6] ?? 0) >> 4);
  return value / 2 ** 52;
}

/** The arm whose share of the cumulative integer weights contains the bucket. */
export function armForBucket<Arm extends { readonly weight: number }>(arms: readonly Arm[], bucket: number): Arm {
  const total = arms.reduce((sum, arm) => sum + arm.weight, 0);
  const target = bucket * total;
  let cumulative = 0;
  for (const arm of arms) {
    cumulative += arm.weight;
    if (target < cumulative) return arm;
  }
  const last = arms[arms.length - 1];
  if (!last) throw new Error('an experiment needs arms');
  return last;
}

export interface ArmAssignment {
  readonly experimentId: string;
  readonly armId: string;
  /** The flow the case follows: the arm's, or (arm flow `by-segment`) the one its segment chose. */
  readonly flowId: string;
  /** `segment`: the arm keeps the segment's flow, and follows it when a re-evaluation changes the segment. */
  readonly flowChosenBy: 'arm' | 'segment';
  readonly control: boolean;
  readonly bucket: number;
  /** Why the case follows this flow, in words. */
  readonly reasons: readonly string[];
}

/** The segment the case was put in (what a `by-segment` arm keeps). */
export interface SegmentOfCase {
  readonly segmentId: string;
  readonly flowId: string;
}

export function assignArm(experiment: Experiment, customerId: string, segment?: SegmentOfCase): ArmAssignment {
  const bucket = assignmentBucket(experiment.id, customerId);
  const arm = armForBucket(experiment.arms, bucket);
  const common = { experimentId: experiment.id, armId: arm.id, control: arm.control === true, bucket };
  const drawn = `bucket ${bucket.toFixed(6)} of experiment ${experiment.id} falls in arm ${arm.id}`;
  if (arm.flow !== BY_SEGMENT_FLOW) return { ...common, flowId: arm.flow, flowChosenBy: 'arm', reasons: [drawn, `arm ${arm.id} prescribes flow ${arm.flow}`] };
  if (!segment) throw new Error(`arm ${arm.id} of experiment ${experiment.id} keeps the segment's flow, but the case has no segment`);
  return { ...common, flowId: segment.flowId, flowChosenBy: 'segment', reasons: [drawn, `arm ${arm.id} keeps the flow of segment ${segment.segmentId}: ${segment.flowId}`] };
}

/** The first experiment running at `at` whose eligibility the case meets. */
export function eligibleExperiment(policy: Pick<Policy, 'experiments'>, facts: SegmentationFacts, segmentId: string, at: Instant): Experiment | undefined {
  const now = toMillis(at);
  return policy.experiments.find((experiment) => {
    if (now < Date.parse(experiment.start) || now >= Date.parse(experiment.end)) return false;
    const { segments, ...conditions } = experiment.eligibility;
    if (segments && !segments.includes(segmentId)) return false;
    return matchConditions(conditions, facts).matched;
  });
}
