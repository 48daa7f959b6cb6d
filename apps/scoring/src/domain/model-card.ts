import { PRIOR_RULES } from './prior';
import type { PromotionDecision } from './registry-policy';
import type { ClassificationMetrics, ModelCandidate, ModelTrainingOptions } from './training';
import type { TrainingSet } from './training-set';

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const num = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(4));
const metricsRow = (name: string, m: ClassificationMetrics): string => `| ${name} | ${m.rows} | ${num(m.rocAuc)} | ${num(m.logLoss)} | ${num(m.brierScore)} |`;

/** The model card stored with every version: what it predicts, from what, how well, and what it must not be used for. */
export function modelCard(candidate: ModelCandidate, trainingSet: TrainingSet, options: ModelTrainingOptions, promotion: PromotionDecision): string {
  const { metrics } = candidate;
  const lines = [
    `# Model card: ${candidate.version}`,
    '',
    '## What it predicts',
    `The probability that an overdue invoice is paid without collection: paid by payment before any hand-off to a collection agency, within the outcome window after the due date. Scores are computed when an invoice becomes overdue, from the customer's payment history as of that instant.`,
    '',
    '## Data',
    `- Training window: invoices overdue from ${candidate.trainingWindow.from} to outcomes closed before ${candidate.trainingWindow.to}.`,
    `- Labelled rows: ${metrics.training.rows}; paid without collection: ${pct(metrics.training.positiveRate)}.`,
    `- Left out: ${Object.entries(trainingSet.excluded).map(([reason, count]) => `${reason} ${count}`).join(', ') || 'none'}.`,
    `- Features (as of the overdue instant, nothing later): ${candidate.featureNames.join(', ')}.`,
    '- Not used, by design: sex, age, marital status, or any other protected attribute; names and contact details never reach scoring.',
    '',
    '## Method',
    `- ${candidate.classifier === 'gradient-boosting' ? `Gradient-boosted trees (typed arrays, @dunning/scoring-models), ${JSON.stringify(options.gradientBoosting)}` : `L2-regularized logistic regression (λ = ${options.logisticRegressionL2})`}; seed ${candidate.seed}.`,
    `- Measured on the newest ${pct(options.holdoutFraction)} of rows with a model fitted on the older ones; the served model is refitted on all rows.`,
    '- Reasons: per-feature contributions along each tree\'s decision path (or coefficient × standardized value), in probability points.',
    '',
    '## Results on the holdout',
    '| model | rows | ROC AUC | log loss | Brier |',
    '| --- | --- | --- | --- | --- |',
    metricsRow('this version', metrics.holdout),
    metricsRow('prior-v1 (rules)', metrics.priorOnHoldout),
    ...(metrics.championOnHoldout ? [metricsRow(`champion ${metrics.championOnHoldout.version}`, metrics.championOnHoldout)] : []),
    '',
    `Role at registration: **${promotion.role}** — ${promotion.reason}.`,
    '',
    '## Uplift (treatment effects from randomized arms)',
  ];
  const uplift = metrics.uplift;
  if (!uplift || uplift.treatments.length === 0) {
    lines.push(
      uplift
        ? `Not learned: too few randomized rows (${uplift.skipped.map((s) => `${s.treatment} ${s.rows}`).join(', ') || 'none'}; ${options.uplift.minRowsPerArm} per arm needed).`
        : 'Not learned: no invoice in the training window was randomized into an experiment arm.',
    );
  } else {
    lines.push(`Two-model learner (one logistic regression per arm), outcome: paid within the window; baseline ${uplift.controlTreatment} (${uplift.controlRows} rows).`, '');
    lines.push('| treatment | rows | paid | paid under no-action | observed effect | holdout uplift@30 % | holdout Qini |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const t of uplift.treatments) {
      lines.push(`| ${t.treatment} | ${t.rows} | ${pct(t.paidRate)} | ${pct(t.controlPaidRate)} | ${(100 * t.observedEffect).toFixed(1)} pp | ${num(t.holdout?.upliftAt30)} | ${num(t.holdout?.qini)} |`);
    }
    if (uplift.skipped.length > 0) lines.push('', `Left out for too few rows: ${uplift.skipped.map((s) => `${s.treatment} (${s.rows})`).join(', ')}.`);
  }
  lines.push(
    '',
    '## Intended use and limits',
    '- Chooses how gentle the next dunning step is; it never decides alone to hand a case to collection, and it is not a credit decision.',
    '- Trained on this operator\'s own customers; a change in billing (due dates, payment methods) shifts it until the next retraining.',
    `- Below the training thresholds the transparent prior (${PRIOR_RULES.map((r) => r.id).join(', ')}) scores instead, and says so (model version prior-v1).`,
  );
  return lines.join('\n');
}
