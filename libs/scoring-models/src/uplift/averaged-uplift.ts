/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { z } from 'zod';
import type { FeatureMatrix } from '../dataset/feature-matrix';
import { assertKnownArm, type ExperimentData, type UpliftLearner, type UpliftModel } from './uplift-model';

const serializedSchema = z.object({
  kind: z.literal('averaged-uplift'),
  formatVersion: z.literal(1),
  featureNames: z.array(z.string()),
  controlArm: z.string(),
  treatmentArms: z.array(z.string()).min(1),
  members: z.array(z.unknown()).min(1),
});

export type SerializedAveragedUplift = z.infer<typeof serializedSchema>;

export type UpliftModelDeserializer = (json: unknown) => UpliftModel;

/**
 * The mean uplift of several models of the same arms: seed-averaged (bagged) learners, or an
 * ensemble of different learners whose errors differ.
 */
export class AveragedUpliftModel implements UpliftModel<SerializedAveragedUplift> {
  readonly kind = 'averaged-uplift';
  readonly featureNames: readonly string[];
  readonly controlArm: string;
  readonly treatmentArms: readonly string[];

  constructor(readonly members: readonly UpliftModel[]) {
    if (members.length === 0) throw new Error('an average needs at least one member');
    const first = members[0]!;
    this.featureNames = first.featureNames;
    this.controlArm = first.controlArm;
    this.treatmentArms = first.treatmentArms;
    const key = (model: UpliftModel) => JSON.stringify([model.featureNames, model.controlArm, [...model.treatmentArms].sort()]);
    if (members.some((member) => key(member) !== key(first))) throw new Error('members of an uplift average must share features, control arm and treatment arms');
  }

  static fromJSON(json: unknown, deserialize: UpliftModelDeserializer): AveragedUpliftModel {
    return new AveragedUpliftModel(serializedSchema.parse(json).members.map(deserialize));
  }

  predictUplift(row: ArrayLike<number>): Record<string, number> {
    const total: Record<string, number> = Object.fromEntries(this.treatmentArms.map((arm) => [arm, 0]));
    for (const member of this.members) {
      const uplift = member.predictUplift(row);
      for (const arm of this.treatmentArms) total[arm] = total[arm]! + uplift[arm]! / this.members.length;
    }
    return total;
  }

  predictArmUplift(features: FeatureMatrix, arm: string): Float64Array {
    assertKnownArm(this, arm);
    const mean = new Float64Array(features.rowCount);
    for (const member of this.members) {
      const uplift = member.predictArmUplift(features, arm);
      for (let i = 0; i < mean.length; i++) mean[i] = mean[i]! + uplift[i]! / this.members.length;
    }
    return mean;
  }

  toJSON(): SerializedAveragedUplift {
    return {
      kind: 'averaged-uplift',
      formatVersion: 1,
      featureNames: [...this.featureNames],
      controlArm: this.controlArm,
      treatmentArms: [...this.treatmentArms],
      members: this.members.map((member) => member.toJSON()),
    };
  }
}

/** Trains every learner on the same rows and averages their uplift. */
export function trainAveragedUplift(data: ExperimentData, learners: readonly UpliftLearner[]): AveragedUpliftModel {
  return new AveragedUpliftModel(learners.map((learn) => learn(data)));
}
