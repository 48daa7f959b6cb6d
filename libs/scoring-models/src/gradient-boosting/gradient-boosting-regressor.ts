/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { z } from 'zod';
import { assertSameFeatures, type FeatureContributions } from '../classifier';
import type { FeatureMatrix } from '../dataset/feature-matrix';
import type { RegressionDataset, Regressor } from '../regressor';
import {
  boostTrees,
  gradientBoostingOptionsSchema,
  resolveGradientBoostingOptions,
  SQUARED_ERROR_LOSS,
  trainingSummarySchema,
  type GradientBoostingOptions,
  type GradientBoostingTrainingSummary,
} from './boosting';
import { explainRaw, flattenTrees, forestFromJSON, forestToJSON, predictRaw, serializedForestSchema, type Forest } from './forest';

const serializedSchema = z.object({
  kind: z.literal('gradient-boosting-regressor'),
  formatVersion: z.literal(1),
  featureNames: z.array(z.string()).min(1),
  baseline: z.number(),
  options: gradientBoostingOptionsSchema,
  training: trainingSummarySchema,
  trees: serializedForestSchema,
});

export type SerializedGradientBoostingRegressor = z.infer<typeof serializedSchema>;

/** Gradient-boosted trees on the squared error: the prediction is the mean target plus every tree's leaf value. */
export class GradientBoostingRegressor implements Regressor<SerializedGradientBoostingRegressor> {
  readonly kind = 'gradient-boosting-regressor';

  private constructor(
    readonly featureNames: readonly string[],
    private readonly baseline: number,
    readonly options: GradientBoostingOptions,
    readonly training: GradientBoostingTrainingSummary,
    private readonly forest: Forest,
  ) {}

  static fromJSON(json: unknown): GradientBoostingRegressor {
    const parsed = serializedSchema.parse(json);
    return new GradientBoostingRegressor(
      parsed.featureNames,
      parsed.baseline,
      parsed.options as GradientBoostingOptions,
      parsed.training,
      forestFromJSON(parsed.trees, parsed.featureNames.length),
    );
  }

  /** @internal used by the trainer */
  static fromTrees(featureNames: readonly string[], options: GradientBoostingOptions, boosted: ReturnType<typeof boostTrees>): GradientBoostingRegressor {
    return new GradientBoostingRegressor(featureNames, boosted.baseline, options, boosted.training, flattenTrees(boosted.trees));
  }

  get treeCount(): number {
    return this.forest.roots.length;
  }

  predict(row: ArrayLike<number>): number {
    return predictRaw(this.forest, this.baseline, row, this.featureNames);
  }

  predictMany(features: FeatureMatrix): Float64Array {
    assertSameFeatures(features, this.featureNames);
    const width = this.featureNames.length;
    const predictions = new Float64Array(features.rowCount);
    for (let r = 0; r < features.rowCount; r++) predictions[r] = this.predict(features.values.subarray(r * width, (r + 1) * width));
    return predictions;
  }

  /** The prediction as the mean target (`bias`) plus one contribution per feature (Saabas). */
  explain(row: ArrayLike<number>): FeatureContributions {
    return explainRaw(this.forest, this.baseline, row, this.featureNames);
  }

  toJSON(): SerializedGradientBoostingRegressor {
    return {
      kind: 'gradient-boosting-regressor',
      formatVersion: 1,
      featureNames: [...this.featureNames],
      baseline: this.baseline,
      options: { ...this.options },
      training: { ...this.training, validationLoss: [...this.training.validationLoss] },
      trees: forestToJSON(this.forest),
    };
  }
}

/**
 * Gradient boosting with the squared error, as scikit-learn's HistGradientBoostingRegressor
 * (same options and defaults as the classifier; early-stopping validation rows drawn at random,
 * not per class).
 */
export function trainGradientBoostingRegressor(dataset: RegressionDataset, overrides: Partial<GradientBoostingOptions> = {}): GradientBoostingRegressor {
  const { features, targets } = dataset;
  if (features.values.length !== features.rowCount * features.featureNames.length) {
    throw new Error(`feature matrix holds ${features.values.length} values, expected ${features.rowCount} × ${features.featureNames.length}`);
  }
  for (let i = 0; i < targets.length; i++) {
    if (!Number.isFinite(targets[i]!)) throw new Error(`target of row ${i} is ${targets[i]}, expected a finite number`);
  }
  const options = resolveGradientBoostingOptions(overrides);
  return GradientBoostingRegressor.fromTrees(features.featureNames, options, boostTrees(features, targets, SQUARED_ERROR_LOSS, options));
}
