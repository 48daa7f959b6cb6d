/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { z } from 'zod';
import { assertRowWidth, type ClassifierTrainer } from '../classifier';
import { selectRows, type FeatureMatrix, type LabelledDataset } from '../dataset/feature-matrix';
import { SeededRandom } from '../random/seeded-random';
import type { Regressor, RegressorDeserializer, RegressorTrainer } from '../regressor';
import { assertKnownArm, resolveTreatmentArms, rowsOfArms, treatedShare, type ExperimentData, type UpliftModel } from './uplift-model';

/**
 * - `transformed-outcome` (Athey & Imbens's class transformation): Z = y·W/e − y·(1 − W)/(1 − e),
 *   whose expectation given x is the effect; no response model is needed.
 * - `doubly-robust` (Kennedy's DR-learner): Z = μ₁(x) − μ₀(x) + W·(y − μ₁(x))/e − (1 − W)·(y − μ₀(x))/(1 − e),
 *   with μ cross-fitted (each row's μ from models that never saw it); lower variance than the
 *   transformed outcome when the response models explain some of y.
 */
export type PseudoOutcomeMethod = 'transformed-outcome' | 'doubly-robust';

export interface PseudoOutcomeUpliftOptions {
  readonly controlArm: string;
  readonly treatmentArms?: readonly string[];
  readonly method: PseudoOutcomeMethod;
  /** Regresses the pseudo-outcome on the features. */
  readonly effectTrainer: RegressorTrainer;
  /** `doubly-robust` only: the response model of each arm. */
  readonly outcomeTrainer?: ClassifierTrainer;
  /** `doubly-robust` only: folds of the cross-fitting (default 2). */
  readonly crossFittingFolds?: number;
  /** `doubly-robust` only: seeds the cross-fitting folds. */
  readonly seed?: number;
}

const serializedSchema = z.object({
  kind: z.literal('pseudo-outcome-uplift'),
  formatVersion: z.literal(1),
  method: z.enum(['transformed-outcome', 'doubly-robust']),
  featureNames: z.array(z.string()),
  controlArm: z.string(),
  treatments: z.array(z.object({ arm: z.string(), propensity: z.number().gt(0).lt(1), effect: z.unknown() })).min(1),
});

export type SerializedPseudoOutcomeUplift = z.infer<typeof serializedSchema>;

interface ArmEffect {
  readonly propensity: number;
  readonly effect: Regressor;
}

/** One regressor per arm, fitted directly to a pseudo-outcome whose conditional mean is the arm's effect. */
export class PseudoOutcomeUpliftModel implements UpliftModel<SerializedPseudoOutcomeUplift> {
  readonly kind = 'pseudo-outcome-uplift';

  private constructor(
    readonly method: PseudoOutcomeMethod,
    readonly featureNames: readonly string[],
    readonly controlArm: string,
    private readonly effects: ReadonlyMap<string, ArmEffect>,
  ) {}

  /** @internal used by the trainer */
  static fromEffects(method: PseudoOutcomeMethod, featureNames: readonly string[], controlArm: string, effects: ReadonlyMap<string, ArmEffect>): PseudoOutcomeUpliftModel {
    for (const [arm, { effect }] of effects) {
      if (effect.featureNames.join('\u0000') !== featureNames.join('\u0000')) throw new Error(`the effect model of arm "${arm}" has other features than the learner`);
    }
    return new PseudoOutcomeUpliftModel(method, featureNames, controlArm, effects);
  }

  static fromJSON(json: unknown, deserialize: RegressorDeserializer): PseudoOutcomeUpliftModel {
    const parsed = serializedSchema.parse(json);
    return PseudoOutcomeUpliftModel.fromEffects(
      parsed.method,
      parsed.featureNames,
      parsed.controlArm,
      new Map(parsed.treatments.map(({ arm, propensity, effect }) => [arm, { propensity, effect: deserialize(effect) }])),
    );
  }

  get treatmentArms(): readonly string[] {
    return [...this.effects.keys()];
  }

  predictUplift(row: ArrayLike<number>): Record<string, number> {
    assertRowWidth(row, this.featureNames);
    const uplift: Record<string, number> = {};
    for (const [arm, { effect }] of this.effects) uplift[arm] = effect.predict(row);
    return uplift;
  }

  predictArmUplift(features: FeatureMatrix, arm: string): Float64Array {
    assertKnownArm(this, arm);
    return this.effects.get(arm)!.effect.predictMany(features);
  }

  toJSON(): SerializedPseudoOutcomeUplift {
    return {
      kind: 'pseudo-outcome-uplift',
      formatVersion: 1,
      method: this.method,
      featureNames: [...this.featureNames],
      controlArm: this.controlArm,
      treatments: [...this.effects].map(([arm, { propensity, effect }]) => ({ arm, propensity, effect: effect.toJSON() })),
    };
  }
}

/**
 * Out-of-fold response predictions for the rows of one arm pair: each row's μ₀ and μ₁ come from
 * models trained on the other folds only, so its pseudo-outcome is not fitted to its own noise.
 */
function crossFittedResponses(pair: ExperimentData, treatmentArm: string, trainer: ClassifierTrainer, folds: number, seed: number): { control: Float64Array; treated: Float64Array } {
  const rowCount = pair.features.rowCount;
  const order = new SeededRandom(seed).shuffle(Uint32Array.from({ length: rowCount }, (_, i) => i));
  const fold = new Uint8Array(rowCount);
  order.forEach((row, position) => (fold[row] = position % folds));
  const control = new Float64Array(rowCount);
  const treated = new Float64Array(rowCount);
  const all: LabelledDataset = { features: pair.features, labels: pair.outcomes };
  for (let k = 0; k < folds; k++) {
    const held: number[] = [];
    const trainTreated: number[] = [];
    const trainControl: number[] = [];
    for (let i = 0; i < rowCount; i++) {
      if (fold[i] === k) held.push(i);
      else (pair.arms[i] === treatmentArm ? trainTreated : trainControl).push(i);
    }
    const heldRows = selectRows(all, held).features;
    const controlPredictions = trainer(selectRows(all, trainControl)).predictProbabilities(heldRows);
    const treatedPredictions = trainer(selectRows(all, trainTreated)).predictProbabilities(heldRows);
    held.forEach((row, j) => {
      control[row] = controlPredictions[j]!;
      treated[row] = treatedPredictions[j]!;
    });
  }
  return { control, treated };
}

export function pseudoOutcomes(pair: ExperimentData, treatmentArm: string, controlArm: string, options: PseudoOutcomeUpliftOptions): Float64Array {
  const e = treatedShare(pair, treatmentArm, controlArm);
  const isTreated = (i: number) => pair.arms[i] === treatmentArm;
  if (options.method === 'transformed-outcome') {
    return Float64Array.from(pair.outcomes, (y, i) => (isTreated(i) ? y / e : -y / (1 - e)));
  }
  if (!options.outcomeTrainer) throw new Error('the doubly-robust learner needs an outcomeTrainer for its response models');
  const folds = options.crossFittingFolds ?? 2;
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`crossFittingFolds must be an integer ≥ 2, got ${folds}`);
  const mu = crossFittedResponses(pair, treatmentArm, options.outcomeTrainer, folds, options.seed ?? 0);
  return Float64Array.from(pair.outcomes, (y, i) => {
    const mu0 = mu.control[i]!;
    const mu1 = mu.treated[i]!;
    return mu1 - mu0 + (isTreated(i) ? (y - mu1) / e : -(y - mu0) / (1 - e));
  });
}

export function trainPseudoOutcomeUplift(data: ExperimentData, options: PseudoOutcomeUpliftOptions): PseudoOutcomeUpliftModel {
  const treatmentArms = resolveTreatmentArms(data, options.controlArm, options.treatmentArms);
  const effects = new Map<string, ArmEffect>();
  for (const arm of treatmentArms) {
    const pair = rowsOfArms(data, [arm, options.controlArm]);
    const propensity = treatedShare(pair, arm, options.controlArm);
    const effect = options.effectTrainer({ features: pair.features, targets: pseudoOutcomes(pair, arm, options.controlArm, options) });
    effects.set(arm, { propensity, effect });
  }
  return PseudoOutcomeUpliftModel.fromEffects(options.method, data.features.featureNames, options.controlArm, effects);
}
