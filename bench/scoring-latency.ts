/**
 * Micro-benchmark of in-process scoring (what happens per score, without I/O): features as of now
 * from a customer's history, the champion's probability and path explanation, the uplift per
 * treatment, the top reasons. Run: npx ts-node --transpile-only -r tsconfig-paths/register bench/scoring-latency.ts
 */
import { performance } from 'node:perf_hooks';
import {
  buildExperimentRows,
  buildTrainingSet,
  computeScore,
  featuresAsOf,
  historyFromEvents,
  trainModelVersion,
  type ModelBundle,
} from '../apps/scoring/src/domain';
import { armFactOf, treatmentOfArm, type ArmOfInvoice } from '../apps/scoring/src/domain';
import { syntheticWorld } from '../apps/scoring/test-support/synthetic-world';

const now = '2026-09-01T00:00:00.000Z';
const world = syntheticWorld({ customers: 400, months: 20, startMonth: '2025-01', seed: 3, experiment: { id: 'exp', share: 0.6 } });
const histories = historyFromEvents(world.invoicingEvents);
const arms = new Map<string, ArmOfInvoice>();
for (const event of world.dunningEvents) {
  const fact = armFactOf(event);
  if (fact?.kind === 'assignment') arms.set(fact.fact.invoiceId, { experimentId: fact.fact.experimentId, arm: fact.fact.arm, treatment: treatmentOfArm(fact.fact.experimentId, fact.fact.arm, [])!.treatment });
}
const trainingSet = buildTrainingSet(histories.values(), now);
const t0 = performance.now();
const trained = trainModelVersion(trainingSet, buildExperimentRows(trainingSet, (id) => arms.get(id)));
const trainingMs = performance.now() - t0;
if (!trained.trained) throw new Error(trained.reason);

// Score the last invoice of every customer (about 20 invoices of history each).
const subjects = [...histories.values()].map((history) => ({ history, invoiceId: history.invoices[history.invoices.length - 1]!.invoiceId }));

function measure(label: string, model: ModelBundle | undefined): void {
  const rounds = 20;
  const samples: number[] = [];
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    for (const { history, invoiceId } of subjects) {
      const start = performance.now();
      const score = computeScore(featuresAsOf(history, invoiceId, now), model, { scoreId: 'bench', computedAt: now });
      sink += score.probabilityPaysWithoutCollection;
      samples.push(performance.now() - start);
    }
  }
  const warm = samples.slice(subjects.length).sort((a, b) => a - b); // the first round warms the JIT
  const q = (p: number) => warm[Math.min(warm.length - 1, Math.floor(p * warm.length))]!;
  const mean = warm.reduce((a, b) => a + b, 0) / warm.length;
  console.log(`${label.padEnd(44)} scores=${warm.length} mean=${(mean * 1000).toFixed(1)} µs p50=${(q(0.5) * 1000).toFixed(1)} µs p99=${(q(0.99) * 1000).toFixed(1)} µs max=${(q(1) * 1000).toFixed(1)} µs (checksum ${sink.toFixed(2)})`);
}

console.log(`trained ${trained.candidate.version} on ${trainingSet.rows.length} rows in ${trainingMs.toFixed(0)} ms (holdout ROC AUC ${trained.candidate.metrics.holdout.rocAuc?.toFixed(3)}, prior ${trained.candidate.metrics.priorOnHoldout.rocAuc?.toFixed(3)})`);
measure('prior-v1 (rules)', undefined);
measure(`GBDT + uplift (${trained.candidate.bundle.uplift?.treatmentArms.join(', ')})`, trained.candidate.bundle);
