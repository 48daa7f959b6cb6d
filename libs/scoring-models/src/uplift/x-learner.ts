/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { z } from 'zod';
import { assertRowWidth, type ClassifierTrainer } from '../classifier';
import type { FeatureMatrix } from '../dataset/feature-matrix';
import type { Regressor, RegressorDeserializer, RegressorTrainer } from '../regressor';
import { rowsOfArm } from './two-model-uplift';
import { assertKnownArm, resolveTreatmentArms, treatedShare, type ExperimentData, type UpliftModel } from './uplift-model';

export interface XLearnerOptions {
  readonly controlArm: string;
  /** The arms to learn an effect for; default: every arm in the data but the control. */
  readonly treatmentArms?: readonly string[];
  /** Stage 1: the response model of each arm, P(y | arm, x). */
  readonly outcomeTrainer: ClassifierTrainer;
  /** Stage 2: regresses the imputed effects on the features. */
  readonly effectTrainer: RegressorTrainer;
}

const serializedSchema = z.object({
  kind: z.literal('x-learner'),
  formatVersion: z.literal(1),
  featureNames: z.array(z.string()),
  controlArm: z.string(),
  treatments: z
    .array(
      z.object({
        arm: z.string(),
        /** Share of this arm among its rows and the control rows: the weight g of the control-side effect model. */
        propensity: z.number().gt(0).lt(1),
        treatedEffect: z.unknown(),
        controlEffect: z.unknown(),
      }),
    )
    .min(1),
});

export type SerializedXLearner = z.infer<typeof serializedSchema>;

interface ArmEffects {
  readonly propensity: number;
  /** τ₁, fitted on the arm's rows to y − μ₀(x). */
  readonly treatedEffect: Regressor;
  /** τ₀, fitted on the control rows to μ₁(x) − y. */
  readonly controlEffect: Regressor;
}

/**
 * The X-learner (Künzel, Sekhon, Bickel & Yu, 2019). Stage 1 fits a response model per arm, as
 * the T-learner. Stage 2 imputes each row's individual effect with the other arm's model —
 * y − μ₀(x) on treated rows, μ₁(x) − y on control rows — and regresses those on the features,
 * once per side. The uplift is g·τ₀(x) + (1 − g)·τ₁(x) with g the propensity, here the arm's share
 * of the randomized rows, so the side with more rows (whose imputations use the other side's
 * model) weighs less. Only the stage-2 models are kept: they alone make the prediction.
 */
export class XLearnerUpliftModel implements UpliftModel<SerializedXLearner> {
  readonly kind = 'x-learner';

  private constructor(
    readonly featureNames: readonly string[],
    readonly controlArm: string,
    private readonly effects: ReadonlyMap<string, ArmEffects>,
  ) {}

  /** @internal used by the trainer */
  static fromEffects(featureNames: readonly string[], controlArm: string, effects: ReadonlyMap<string, ArmEffects>): XLearnerUpliftModel {
    for (const [arm, { treatedEffect, controlEffect, propensity }] of effects) {
      for (const model of [treatedEffect, controlEffect]) {
        if (model.featureNames.join('\u0000') !== featureNames.join('\u0000')) throw new Error(`an effect model of arm "${arm}" has other features than the learner`);
      }
      if (!(propensity > 0 && propensity < 1)) throw new Error(`propensity of arm "${arm}" is ${propensity}, expected a share in (0, 1)`);
    }
    return new XLearnerUpliftModel(featureNames, controlArm, effects);
  }

  static fromJSON(json: unknown, deserialize: RegressorDeserializer): XLearnerUpliftModel {
    const parsed = serializedSchema.parse(json);
    return XLearnerUpliftModel.fromEffects(
      parsed.featureNames,
      parsed.controlArm,
      new Map(
        parsed.treatments.map(({ arm, propensity, treatedEffect, controlEffect }) => [
          arm,
          { propensity, treatedEffect: deserialize(treatedEffect), controlEffect: deserialize(controlEffect) },
        ]),
      ),
    );
  }

  get treatmentArms(): readonly string[] {
    return [...this.effects.keys()];
  }

  predictUplift(row: ArrayLike<number>): Record<string, number> {
    assertRowWidth(row, this.featureNames);
    const uplift: Record<string, number> = {};
    for (const [arm, { propensity, treatedEffect, controlEffect }] of this.effects) {
      uplift[arm] = propensity * controlEffect.predict(row) + (1 - propensity) * treatedEffect.predict(row);
    }
    return uplift;
  }

  predictArmUplift(features: FeatureMatrix, arm: string): Float64Array {
    assertKnownArm(this, arm);
    const { propensity, treatedEffect, controlEffect } = this.effects.get(arm)!;
    const fromControl = controlEffect.predictMany(features);
    const fromTreated = treatedEffect.predictMany(features);
    return fromControl.map((tau0, i) => propensity * tau0 + (1 - propensity) * fromTreated[i]!);
  }

  toJSON(): SerializedXLearner {
    return {
      kind: 'x-learner',
      formatVersion: 1,
      featureNames: [...this.featureNames],
      controlArm: this.controlArm,
      treatments: [...this.effects].map(([arm, { propensity, treatedEffect, controlEffect }]) => ({
        arm,
        propensity,
        treatedEffect: treatedEffect.toJSON(),
        controlEffect: controlEffect.toJSON(),
      })),
    };
  }
}

export function trainXLearnerUplift(data: ExperimentData, options: XLearnerOptions): XLearnerUpliftModel {
  const treatmentArms = resolveTreatmentArms(data, options.controlArm, options.treatmentArms);
  const controlRows = rowsOfArm(data, options.controlArm);
  const controlResponse = options.outcomeTrainer(controlRows);
  const effects = new Map<string, ArmEffects>();
  for (const arm of treatmentArms) {
    const treatedRows = rowsOfArm(data, arm);
    const treatedResponse = options.outcomeTrainer(treatedRows);
    // Imputed effects use the other arm's model, so no row is judged by a model fitted on it.
    const untreatedOfTreated = controlResponse.predictProbabilities(treatedRows.features);
    const treatedOfUntreated = treatedResponse.predictProbabilities(controlRows.features);
    const treatedEffect = options.effectTrainer({
      features: treatedRows.features,
      targets: Float64Array.from(treatedRows.labels, (y, i) => y - untreatedOfTreated[i]!),
    });
    const controlEffect = options.effectTrainer({
      features: controlRows.features,
      targets: Float64Array.from(controlRows.labels, (y, i) => treatedOfUntreated[i]! - y),
    });
    const propensity = treatedShare(data, arm, options.controlArm);
    effects.set(arm, { propensity, treatedEffect, controlEffect });
  }
  return XLearnerUpliftModel.fromEffects(data.features.featureNames, options.controlArm, effects);
}
