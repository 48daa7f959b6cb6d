/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { z } from 'zod';
import { assertRowWidth, assertSameFeatures, type ClassifierTrainer, type ProbabilisticClassifier } from '../classifier';
import type { FeatureMatrix } from '../dataset/feature-matrix';
import type { ClassifierDeserializer } from './two-model-uplift';
import { assertKnownArm, resolveTreatmentArms, rowsOfArms, type ExperimentData, type UpliftModel } from './uplift-model';

export interface SingleModelUpliftOptions {
  readonly controlArm: string;
  readonly treatmentArms?: readonly string[];
  readonly trainer: ClassifierTrainer;
  /**
   * Also add, per treatment arm and feature, the product of the arm's indicator and the feature,
   * so a linear model can give each arm its own slope (a tree model finds such interactions itself).
   */
  readonly interactions?: boolean;
}

const serializedSchema = z.object({
  kind: z.literal('single-model-uplift'),
  formatVersion: z.literal(1),
  featureNames: z.array(z.string()),
  controlArm: z.string(),
  treatmentArms: z.array(z.string()).min(1),
  interactions: z.boolean(),
  model: z.unknown(),
});

export type SerializedSingleModelUplift = z.infer<typeof serializedSchema>;

function augmentedFeatureNames(featureNames: readonly string[], treatmentArms: readonly string[], interactions: boolean): string[] {
  const names = [...featureNames, ...treatmentArms.map((arm) => `arm=${arm}`)];
  if (interactions) for (const arm of treatmentArms) names.push(...featureNames.map((feature) => `arm=${arm}×${feature}`));
  return names;
}

/** Writes one row's augmented features: the row, the arm's indicator and, with interactions, the row again in the arm's block. */
function writeAugmentedRow(target: Float64Array, offset: number, row: ArrayLike<number>, armIndex: number, treatmentArmCount: number, interactions: boolean): void {
  const width = row.length;
  for (let f = 0; f < width; f++) target[offset + f] = row[f]!;
  for (let a = 0; a < treatmentArmCount; a++) target[offset + width + a] = a === armIndex ? 1 : 0;
  if (!interactions) return;
  const base = offset + width + treatmentArmCount;
  for (let a = 0; a < treatmentArmCount; a++) {
    for (let f = 0; f < width; f++) target[base + a * width + f] = a === armIndex ? row[f]! : 0;
  }
}

/**
 * The single-model (S-) learner: one response model over the features plus an indicator per
 * treatment arm (and, optionally, arm × feature interactions); an arm's uplift is the model's
 * answer with the arm's indicator on minus its answer with every indicator off.
 */
export class SingleModelUpliftModel implements UpliftModel<SerializedSingleModelUplift> {
  readonly kind = 'single-model-uplift';

  private constructor(
    readonly featureNames: readonly string[],
    readonly controlArm: string,
    readonly treatmentArms: readonly string[],
    readonly interactions: boolean,
    private readonly model: ProbabilisticClassifier,
  ) {}

  /** @internal used by the trainer */
  static fromModel(featureNames: readonly string[], controlArm: string, treatmentArms: readonly string[], interactions: boolean, model: ProbabilisticClassifier): SingleModelUpliftModel {
    const expected = augmentedFeatureNames(featureNames, treatmentArms, interactions);
    if (model.featureNames.join('\u0000') !== expected.join('\u0000')) throw new Error('the response model does not take the features plus the arm indicators');
    return new SingleModelUpliftModel(featureNames, controlArm, treatmentArms, interactions, model);
  }

  static fromJSON(json: unknown, deserialize: ClassifierDeserializer): SingleModelUpliftModel {
    const parsed = serializedSchema.parse(json);
    return SingleModelUpliftModel.fromModel(parsed.featureNames, parsed.controlArm, parsed.treatmentArms, parsed.interactions, deserialize(parsed.model));
  }

  predictUplift(row: ArrayLike<number>): Record<string, number> {
    assertRowWidth(row, this.featureNames);
    const augmented = new Float64Array(this.model.featureNames.length);
    writeAugmentedRow(augmented, 0, row, -1, this.treatmentArms.length, this.interactions);
    const baseline = this.model.predictProbability(augmented);
    const uplift: Record<string, number> = {};
    this.treatmentArms.forEach((arm, a) => {
      writeAugmentedRow(augmented, 0, row, a, this.treatmentArms.length, this.interactions);
      uplift[arm] = this.model.predictProbability(augmented) - baseline;
    });
    return uplift;
  }

  predictArmUplift(features: FeatureMatrix, arm: string): Float64Array {
    assertKnownArm(this, arm);
    assertSameFeatures(features, this.featureNames);
    const armIndex = this.treatmentArms.indexOf(arm);
    const treated = this.model.predictProbabilities(augment(features, this.treatmentArms, this.interactions, () => armIndex));
    const control = this.model.predictProbabilities(augment(features, this.treatmentArms, this.interactions, () => -1));
    return treated.map((p, i) => p - control[i]!);
  }

  toJSON(): SerializedSingleModelUplift {
    return {
      kind: 'single-model-uplift',
      formatVersion: 1,
      featureNames: [...this.featureNames],
      controlArm: this.controlArm,
      treatmentArms: [...this.treatmentArms],
      interactions: this.interactions,
      model: this.model.toJSON(),
    };
  }
}

/** Every row with its arm's indicator (−1: control, every indicator off). */
function augment(features: FeatureMatrix, treatmentArms: readonly string[], interactions: boolean, armIndexOf: (row: number) => number): FeatureMatrix {
  const featureNames = augmentedFeatureNames(features.featureNames, treatmentArms, interactions);
  const width = features.featureNames.length;
  const augmentedWidth = featureNames.length;
  const values = new Float64Array(features.rowCount * augmentedWidth);
  for (let r = 0; r < features.rowCount; r++) {
    writeAugmentedRow(values, r * augmentedWidth, features.values.subarray(r * width, (r + 1) * width), armIndexOf(r), treatmentArms.length, interactions);
  }
  return { featureNames, rowCount: features.rowCount, values };
}

export function trainSingleModelUplift(data: ExperimentData, options: SingleModelUpliftOptions): SingleModelUpliftModel {
  const treatmentArms = resolveTreatmentArms(data, options.controlArm, options.treatmentArms);
  const interactions = options.interactions ?? false;
  const used = rowsOfArms(data, [options.controlArm, ...treatmentArms]);
  const features = augment(used.features, treatmentArms, interactions, (row) => treatmentArms.indexOf(used.arms[row]!));
  const model = options.trainer({ features, labels: used.outcomes });
  return SingleModelUpliftModel.fromModel(data.features.featureNames, options.controlArm, treatmentArms, interactions, model);
}
