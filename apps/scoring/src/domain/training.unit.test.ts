import { deserializeClassifier, deserializeUpliftModel } from '@dunning/scoring-models';
import { syntheticWorld } from '../../test-support/synthetic-world';
import { historyFromEvents } from './customer-history';
import { armFactOf, treatmentOfArm } from './experiment-arms';
import { featureVector } from './features';
import { modelCard } from './model-card';
import { decidePromotion } from './registry-policy';
import { DEFAULT_MODEL_TRAINING_OPTIONS, trainModelVersion, type ModelCandidate } from './training';
import { buildExperimentRows, buildTrainingSet, type ArmOfInvoice } from './training-set';

const CUTOFF = '2026-09-01T00:00:00.000Z';
const world = syntheticWorld({ customers: 400, months: 20, startMonth: '2025-01', seed: 3, experiment: { id: 'exp-arms', share: 0.6 } });

function buildInputs() {
  const histories = historyFromEvents(world.invoicingEvents);
  const trainingSet = buildTrainingSet(histories.values(), CUTOFF);
  const arms = new Map<string, ArmOfInvoice>();
  for (const event of world.dunningEvents) {
    const fact = armFactOf(event);
    if (fact?.kind !== 'assignment') continue;
    const treatment = treatmentOfArm(fact.fact.experimentId, fact.fact.arm, [])!.treatment;
    arms.set(fact.fact.invoiceId, { experimentId: fact.fact.experimentId, arm: fact.fact.arm, treatment });
  }
  return { trainingSet, experimentRows: buildExperimentRows(trainingSet, (id) => arms.get(id)) };
}
const inputs = buildInputs();
const trainingInputs = () => inputs;

function train(seed: number): ModelCandidate {
  const { trainingSet, experimentRows } = trainingInputs();
  const result = trainModelVersion(trainingSet, experimentRows, { ...DEFAULT_MODEL_TRAINING_OPTIONS, seed });
  if (!result.trained) throw new Error(result.reason);
  return result.candidate;
}

describe('training a model version', () => {
  const first = train(42);

  it('is deterministic: same data and seed, same model content and version', () => {
    const second = train(42);
    expect(second.version).toBe(first.version);
    expect(JSON.stringify(second.probabilityModel)).toBe(JSON.stringify(first.probabilityModel));
    expect(JSON.stringify(second.upliftModel)).toBe(JSON.stringify(first.upliftModel));
    expect(second.metrics).toEqual(first.metrics);
    expect(first.version).toMatch(/^pay-without-collection@2026-09-01\.[0-9a-f]{12}$/);
  });

  it('learns from history: the model beats the prior on the newest outcomes', () => {
    const { holdout, priorOnHoldout, training } = first.metrics;
    expect(training.rows).toBeGreaterThan(1000);
    expect(holdout.rocAuc!).toBeGreaterThan(0.75);
    expect(holdout.rocAuc!).toBeGreaterThan(priorOnHoldout.rocAuc!);
    expect(decidePromotion(first.metrics).role).toBe('champion');
  });

  it('learns uplift per treatment from the randomized arms (collection helps most, as the world was built)', () => {
    const uplift = first.metrics.uplift!;
    expect(uplift.controlTreatment).toBe('no-action');
    expect(uplift.treatments.map((t) => t.treatment)).toEqual(['collection-handoff', 'sms-reminder']);
    const collection = uplift.treatments.find((t) => t.treatment === 'collection-handoff')!;
    expect(collection.observedEffect).toBeGreaterThan(0.05);
    const model = deserializeUpliftModel(first.upliftModel);
    const { trainingSet } = trainingInputs();
    const effects = trainingSet.rows.slice(0, 300).map((row) => model.predictUplift(featureVector(row.values, model.featureNames)));
    const meanCollection = effects.reduce((sum, e) => sum + (e['collection-handoff'] ?? 0), 0) / effects.length;
    expect(meanCollection).toBeGreaterThan(0.03);
  });

  it('stores a model that serializes and predicts the same after a round trip', () => {
    const restored = deserializeClassifier(first.probabilityModel);
    const row = featureVector(trainingInputs().trainingSet.rows[5]!.values, restored.featureNames);
    expect(restored.predictProbability(row)).toBe(first.bundle.probability.predictProbability(row));
  });

  it('a different seed gives a different version; too few outcomes give no model', () => {
    expect(train(7).version).not.toBe(first.version);
    const { trainingSet } = trainingInputs();
    const few = trainModelVersion({ ...trainingSet, rows: trainingSet.rows.slice(0, 50) }, []);
    expect(few).toEqual({ trained: false, reason: '50 labelled outcomes, at least 200 needed', rows: 50, positives: expect.any(Number) });
  });

  it('writes a model card with the window, features, metrics and limits', () => {
    const card = modelCard(first, trainingInputs().trainingSet, DEFAULT_MODEL_TRAINING_OPTIONS, decidePromotion(first.metrics));
    expect(card).toContain(`# Model card: ${first.version}`);
    expect(card).toContain('late-count-12m');
    expect(card).toContain('| prior-v1 (rules) |');
    expect(card).toContain('Not used, by design: sex, age, marital status');
    expect(card).toMatch(/\| collection-handoff \| \d+ \|/);
  });
});
