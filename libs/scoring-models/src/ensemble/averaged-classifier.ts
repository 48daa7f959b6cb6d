/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { z } from 'zod';
import { assertRowWidth, assertSameFeatures, sigmoid, type FeatureContributions, type ProbabilisticClassifier } from '../classifier';
import type { FeatureMatrix, LabelledDataset } from '../dataset/feature-matrix';
import type { ClassifierDeserializer } from '../uplift/two-model-uplift';

/** A member that can give its log-odds, so the average stays additive and explainable. */
export interface LogOddsClassifier extends ProbabilisticClassifier {
  predictLogOdds(row: ArrayLike<number>): number;
}

const serializedSchema = z.object({
  kind: z.literal('averaged'),
  formatVersion: z.literal(1),
  featureNames: z.array(z.string()),
  members: z.array(z.unknown()).min(1),
});

export type SerializedAveragedClassifier = z.infer<typeof serializedSchema>;

/**
 * The mean log-odds of several models trained alike but with different seeds (so on different
 * early-stopping validation rows). Averaging lowers the variance that a single early-stopped
 * model carries; the explanation is the mean of the members' explanations.
 */
export class AveragedClassifier implements ProbabilisticClassifier<SerializedAveragedClassifier> {
  readonly kind = 'averaged';
  readonly featureNames: readonly string[];

  constructor(readonly members: readonly LogOddsClassifier[]) {
    if (members.length === 0) throw new Error('an average needs at least one member');
    this.featureNames = members[0]!.featureNames;
    for (const member of members) {
      if (member.featureNames.join('\u0000') !== this.featureNames.join('\u0000')) throw new Error('members of an average must share their features');
    }
  }

  static fromJSON(json: unknown, deserialize: ClassifierDeserializer): AveragedClassifier {
    const parsed = serializedSchema.parse(json);
    return new AveragedClassifier(
      parsed.members.map((member) => {
        const model = deserialize(member);
        if (!('predictLogOdds' in model)) throw new Error(`a member of kind ${model.kind} gives no log-odds`);
        return model as LogOddsClassifier;
      }),
    );
  }

  predictLogOdds(row: ArrayLike<number>): number {
    let total = 0;
    for (const member of this.members) total += member.predictLogOdds(row);
    return total / this.members.length;
  }

  predictProbability(row: ArrayLike<number>): number {
    return sigmoid(this.predictLogOdds(row));
  }

  predictProbabilities(features: FeatureMatrix): Float64Array {
    assertSameFeatures(features, this.featureNames);
    const width = this.featureNames.length;
    return Float64Array.from({ length: features.rowCount }, (_, r) => this.predictProbability(features.values.subarray(r * width, (r + 1) * width)));
  }

  explain(row: ArrayLike<number>): FeatureContributions {
    assertRowWidth(row, this.featureNames);
    const contributions = new Float64Array(this.featureNames.length);
    let bias = 0;
    for (const member of this.members) {
      const explanation = member.explain(row);
      bias += explanation.bias / this.members.length;
      explanation.contributions.forEach((value, f) => (contributions[f] = contributions[f]! + value / this.members.length));
    }
    return { bias, contributions };
  }

  toJSON(): SerializedAveragedClassifier {
    return { kind: 'averaged', formatVersion: 1, featureNames: [...this.featureNames], members: this.members.map((member) => member.toJSON()) };
  }
}

/** Trains `count` members with seeds baseSeed, baseSeed + 1, … and averages them. */
export function trainAveraged(dataset: LabelledDataset, count: number, trainMember: (dataset: LabelledDataset, seed: number) => LogOddsClassifier, baseSeed = 0): AveragedClassifier {
  if (!Number.isInteger(count) || count < 1) throw new Error(`member count must be a positive integer, got ${count}`);
  return new AveragedClassifier(Array.from({ length: count }, (_, k) => trainMember(dataset, baseSeed + k)));
}
