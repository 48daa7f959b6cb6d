/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { z } from 'zod';
import type { ClassifierTrainer, ProbabilisticClassifier } from '../classifier';
import { selectRows, type FeatureMatrix, type LabelledDataset } from '../dataset/feature-matrix';
import { resolveTreatmentArms, type ExperimentData, type UpliftModel } from './uplift-model';

export type { ExperimentData } from './uplift-model';

export interface TwoModelUpliftOptions {
  readonly controlArm: string;
  /** The arms to learn an effect for; default: every arm in the data but the control. */
  readonly treatmentArms?: readonly string[];
  readonly trainer: ClassifierTrainer;
}

/** Turns a stored classifier back into a model; the registry passes its own deserializer. */
export type ClassifierDeserializer = (json: unknown) => ProbabilisticClassifier;

const serializedSchema = z.object({
  kind: z.literal('two-model-uplift'),
  formatVersion: z.literal(1),
  featureNames: z.array(z.string()),
  controlArm: z.string(),
  control: z.unknown(),
  treatments: z.array(z.object({ arm: z.string(), model: z.unknown() })).min(1),
});

export type SerializedTwoModelUplift = z.infer<typeof serializedSchema>;

/**
 * The two-model (T-) learner: one response model per treatment arm and one for control, each
 * trained only on its own arm's rows; an arm's uplift is P(y | arm, x) − P(y | control, x).
 */
export class TwoModelUpliftModel implements UpliftModel<SerializedTwoModelUplift> {
  readonly kind = 'two-model-uplift';

  private constructor(
    readonly featureNames: readonly string[],
    readonly controlArm: string,
    private readonly control: ProbabilisticClassifier,
    private readonly treatments: ReadonlyMap<string, ProbabilisticClassifier>,
  ) {}

  /** @internal used by the trainer */
  static fromModels(controlArm: string, control: ProbabilisticClassifier, treatments: ReadonlyMap<string, ProbabilisticClassifier>): TwoModelUpliftModel {
    for (const [arm, model] of treatments) {
      if (model.featureNames.join('\u0000') !== control.featureNames.join('\u0000')) {
        throw new Error(`the model of arm "${arm}" has other features than the control model`);
      }
    }
    return new TwoModelUpliftModel(control.featureNames, controlArm, control, treatments);
  }

  static fromJSON(json: unknown, deserialize: ClassifierDeserializer): TwoModelUpliftModel {
    const parsed = serializedSchema.parse(json);
    return TwoModelUpliftModel.fromModels(
      parsed.controlArm,
      deserialize(parsed.control),
      new Map(parsed.treatments.map(({ arm, model }) => [arm, deserialize(model)])),
    );
  }

  get treatmentArms(): readonly string[] {
    return [...this.treatments.keys()];
  }

  /** P(y = 1) if the row is given this arm (the control arm included). */
  predictResponse(row: ArrayLike<number>, arm: string): number {
    return this.modelOf(arm).predictProbability(row);
  }

  /** The uplift of every treatment arm for one row. */
  predictUplift(row: ArrayLike<number>): Record<string, number> {
    const baseline = this.control.predictProbability(row);
    const uplift: Record<string, number> = {};
    for (const [arm, model] of this.treatments) uplift[arm] = model.predictProbability(row) - baseline;
    return uplift;
  }

  /** One arm's uplift for every row of a matrix. */
  predictArmUplift(features: FeatureMatrix, arm: string): Float64Array {
    const treated = this.modelOf(arm).predictProbabilities(features);
    const control = this.control.predictProbabilities(features);
    return treated.map((p, i) => p - control[i]!);
  }

  toJSON(): SerializedTwoModelUplift {
    return {
      kind: 'two-model-uplift',
      formatVersion: 1,
      featureNames: [...this.featureNames],
      controlArm: this.controlArm,
      control: this.control.toJSON(),
      treatments: [...this.treatments].map(([arm, model]) => ({ arm, model: model.toJSON() })),
    };
  }

  private modelOf(arm: string): ProbabilisticClassifier {
    if (arm === this.controlArm) return this.control;
    const model = this.treatments.get(arm);
    if (!model) throw new Error(`no model for arm "${arm}" (arms: ${[this.controlArm, ...this.treatments.keys()].join(', ')})`);
    return model;
  }
}

/** The rows of one arm as a labelled data set. */
export function rowsOfArm(data: ExperimentData, arm: string): LabelledDataset {
  const rows: number[] = [];
  data.arms.forEach((rowArm, i) => {
    if (rowArm === arm) rows.push(i);
  });
  return selectRows({ features: data.features, labels: data.outcomes }, rows);
}

export function trainTwoModelUplift(data: ExperimentData, options: TwoModelUpliftOptions): TwoModelUpliftModel {
  const treatmentArms = resolveTreatmentArms(data, options.controlArm, options.treatmentArms);
  const control = options.trainer(rowsOfArm(data, options.controlArm));
  const treatments = new Map(treatmentArms.map((arm) => [arm, options.trainer(rowsOfArm(data, arm))] as const));
  return TwoModelUpliftModel.fromModels(options.controlArm, control, treatments);
}
