import { z } from 'zod';
import { assertSameFeatures, sigmoid, type FeatureContributions, type ProbabilisticClassifier } from '../classifier';
import { assertValidDataset, type FeatureMatrix, type LabelledDataset } from '../dataset/feature-matrix';
import {
  BINOMIAL_LOSS,
  boostTrees,
  gradientBoostingOptionsSchema,
  resolveGradientBoostingOptions,
  trainingSummarySchema,
  type GradientBoostingOptions,
  type GradientBoostingTrainingSummary,
} from './boosting';
import { explainRaw, flattenTrees, forestFromJSON, forestToJSON, predictRaw, serializedForestSchema, type Forest } from './forest';

export { DEFAULT_GRADIENT_BOOSTING_OPTIONS } from './boosting';
export type { GradientBoostingOptions, GradientBoostingTrainingSummary } from './boosting';

const serializedSchema = z.object({
  kind: z.literal('gradient-boosting'),
  formatVersion: z.literal(1),
  featureNames: z.array(z.string()).min(1),
  baselineLogOdds: z.number(),
  options: gradientBoostingOptionsSchema,
  training: trainingSummarySchema,
  trees: serializedForestSchema,
});

export type SerializedGradientBoosting = z.infer<typeof serializedSchema>;

/** A gradient-boosted ensemble of regression trees on the log-odds of y = 1. */
export class GradientBoostingClassifier implements ProbabilisticClassifier<SerializedGradientBoosting> {
  readonly kind = 'gradient-boosting';

  private constructor(
    readonly featureNames: readonly string[],
    private readonly baselineLogOdds: number,
    readonly options: GradientBoostingOptions,
    readonly training: GradientBoostingTrainingSummary,
    private readonly forest: Forest,
  ) {}

  static fromJSON(json: unknown): GradientBoostingClassifier {
    const parsed = serializedSchema.parse(json);
    return new GradientBoostingClassifier(
      parsed.featureNames,
      parsed.baselineLogOdds,
      parsed.options as GradientBoostingOptions,
      parsed.training,
      forestFromJSON(parsed.trees, parsed.featureNames.length),
    );
  }

  get treeCount(): number {
    return this.forest.roots.length;
  }

  predictLogOdds(row: ArrayLike<number>): number {
    return predictRaw(this.forest, this.baselineLogOdds, row, this.featureNames);
  }

  predictProbability(row: ArrayLike<number>): number {
    return sigmoid(this.predictLogOdds(row));
  }

  predictProbabilities(features: FeatureMatrix): Float64Array {
    assertSameFeatures(features, this.featureNames);
    const width = this.featureNames.length;
    const probabilities = new Float64Array(features.rowCount);
    for (let r = 0; r < features.rowCount; r++) {
      probabilities[r] = this.predictProbability(features.values.subarray(r * width, (r + 1) * width));
    }
    return probabilities;
  }

  /** Per-feature contributions along each tree's decision path (Saabas): the change in node value at each split. */
  explain(row: ArrayLike<number>): FeatureContributions {
    return explainRaw(this.forest, this.baselineLogOdds, row, this.featureNames);
  }

  toJSON(): SerializedGradientBoosting {
    return {
      kind: 'gradient-boosting',
      formatVersion: 1,
      featureNames: [...this.featureNames],
      baselineLogOdds: this.baselineLogOdds,
      options: { ...this.options },
      training: { ...this.training, validationLoss: [...this.training.validationLoss] },
      trees: forestToJSON(this.forest),
    };
  }

  /** @internal used by the trainer */
  static fromTrees(featureNames: readonly string[], options: GradientBoostingOptions, boosted: ReturnType<typeof boostTrees>): GradientBoostingClassifier {
    return new GradientBoostingClassifier(featureNames, boosted.baseline, options, boosted.training, flattenTrees(boosted.trees));
  }
}

/**
 * Gradient boosting with the binomial log loss, in the manner of scikit-learn's
 * HistGradientBoostingClassifier: quantile-binned features, histogram split finding, leaf-wise trees,
 * Newton leaf values, shrinkage and early stopping on a held-out validation share.
 */
export function trainGradientBoosting(dataset: LabelledDataset, overrides: Partial<GradientBoostingOptions> = {}): GradientBoostingClassifier {
  assertValidDataset(dataset);
  const options = resolveGradientBoostingOptions(overrides);
  const boosted = boostTrees(dataset.features, Float64Array.from(dataset.labels), BINOMIAL_LOSS, options);
  return GradientBoostingClassifier.fromTrees(dataset.features.featureNames, options, boosted);
}
