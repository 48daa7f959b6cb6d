import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SimulatorConfig } from '../domain/config';
import { summarizeExperiment, type ExperimentSummary, type GroupSummary } from '../report/experiment-summary';
import { renderHtmlReport, type ReportSection } from '../report/html-report';
import { riskRatioReduction, type Interval } from '../report/statistics';
import { formatMoneyTotals, terminalSummary } from '../report/terminal-table';
import type { E2eOutcome } from './run-e2e';

// The end-to-end run's report: phase 1, the seeds' three-arm experiment as the platform ran it, and
// phase 2, the ML-driven policy against collection as before (the second experiment of the main
// job's policy, from the switch on). Groups are `<experimentId>/<arm>` as the orchestrator published them.

export interface PhaseDefinition {
  readonly experimentId: string;
  readonly arms: ReadonlyArray<{ readonly id: string; readonly label: string; readonly role?: 'collection' | 'no-action' | 'treatment' }>;
}

/** The main job's policy (apps/dunning-orchestrator/policies/main-job.yaml): phase 2's experiment. */
export const ML_PHASE: PhaseDefinition = {
  experimentId: 'ml-vs-collection',
  arms: [
    { id: 'collection-as-before', label: 'collection as before', role: 'collection' },
    { id: 'ml-policy', label: 'ML-driven policy', role: 'treatment' },
  ],
};

export function experimentPhase(config: SimulatorConfig): PhaseDefinition {
  return { experimentId: config.referenceDunning.experimentId, arms: config.referenceDunning.arms.map((arm) => ({ id: arm.id, label: arm.label, role: arm.role })) };
}

export function summarizePhase(outcome: E2eOutcome['outcome'], phase: PhaseDefinition): ExperimentSummary {
  const key = (arm: string) => `${phase.experimentId}/${arm}`;
  const collection = phase.arms.find((arm) => arm.role === 'collection');
  const noAction = phase.arms.find((arm) => arm.role === 'no-action');
  return summarizeExperiment({
    results: outcome.results,
    assignments: outcome.assignments,
    groups: phase.arms.map((arm) => ({ id: key(arm.id), label: arm.label })),
    controlGroup: key((collection ?? phase.arms[0])?.id ?? ''),
    ...(collection ? { collectionGroup: key(collection.id) } : {}),
    ...(noAction ? { noActionGroup: key(noAction.id) } : {}),
  });
}

export interface MlHeadline {
  readonly control: string;
  readonly treatment: string;
  readonly cases: { readonly control: number; readonly treatment: number };
  /** 1 − handoffRate(ml) / handoffRate(collection), with a 95 % interval (log risk ratio). */
  readonly handoffReduction: Interval;
  readonly handoffRates: { readonly control: Interval; readonly treatment: Interval };
  readonly recoveryShare: { readonly control: Interval; readonly treatment: Interval; readonly difference: Interval };
  readonly recoveredMinor: { readonly control: Readonly<Record<string, number>>; readonly treatment: Readonly<Record<string, number>> };
  readonly billedMinor: { readonly control: Readonly<Record<string, number>>; readonly treatment: Readonly<Record<string, number>> };
  readonly churn: { readonly control: Interval; readonly treatment: Interval; readonly difference: Interval };
  readonly paid60: { readonly control: Interval; readonly treatment: Interval; readonly difference: Interval };
  readonly contactsPerCase: { readonly control: Interval; readonly treatment: Interval; readonly difference: Interval };
  /** The seeds' target: ≥ 80 % fewer hand-offs, no loss of recovered revenue, lower churn (point estimates). */
  readonly target: { readonly handoffs: boolean; readonly revenue: boolean; readonly churn: boolean };
}

export function mlHeadline(summary: ExperimentSummary, phase: PhaseDefinition = ML_PHASE): MlHeadline | undefined {
  const control = summary.groups.find((g) => g.id === summary.controlGroup);
  const treatmentId = `${phase.experimentId}/${phase.arms.find((arm) => arm.role === 'treatment')?.id ?? ''}`;
  const treatment = summary.groups.find((g) => g.id === treatmentId);
  const difference = summary.differences.find((d) => d.id === treatmentId);
  if (!control || !treatment || !difference) return undefined;
  const main = (g: GroupSummary): Interval => g.paidWithin.find((p) => p.days === summary.windows.mainDays)?.rate ?? { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const handoffReduction = riskRatioReduction(treatment.handoff, control.handoff);
  return {
    control: control.label,
    treatment: treatment.label,
    cases: { control: control.cases, treatment: treatment.cases },
    handoffReduction,
    handoffRates: { control: control.handoff, treatment: treatment.handoff },
    recoveryShare: { control: control.recoveryShare, treatment: treatment.recoveryShare, difference: difference.recoveryShare },
    recoveredMinor: { control: control.recoveredMinor, treatment: treatment.recoveredMinor },
    billedMinor: { control: control.billedMinor, treatment: treatment.billedMinor },
    churn: { control: control.churn, treatment: treatment.churn, difference: difference.churn },
    paid60: { control: main(control), treatment: main(treatment), difference: difference.paid },
    contactsPerCase: { control: control.contactsPerCase, treatment: treatment.contactsPerCase, difference: difference.contactsPerCase },
    target: {
      handoffs: handoffReduction.estimate >= 0.8,
      revenue: treatment.recoveryShare.estimate >= control.recoveryShare.estimate,
      churn: treatment.churn.estimate < control.churn.estimate,
    },
  };
}

const pct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : '–');
const range = (i: Interval, digits = 1): string => (Number.isFinite(i.low) ? `[${pct(i.low, digits)}, ${pct(i.high, digits)}]` : '');
const pp = (i: Interval): string => (Number.isFinite(i.estimate) ? `${i.estimate >= 0 ? '+' : '−'}${Math.abs(i.estimate * 100).toFixed(1)} pp [${(i.low * 100).toFixed(1)}, ${(i.high * 100).toFixed(1)}]` : '–');

/** The headline lines: the figures issue 9 asks for, with their intervals. */
export function headlineLines(h: MlHeadline): string[] {
  const yes = (ok: boolean) => (ok ? 'met' : 'NOT met');
  return [
    `${h.treatment} (${h.cases.treatment.toLocaleString('en-US')} late cases) against ${h.control} (${h.cases.control.toLocaleString('en-US')}), both randomized from the switch on:`,
    `collection hand-offs: ${pct(h.handoffRates.treatment.estimate)} vs ${pct(h.handoffRates.control.estimate)} — ${pct(h.handoffReduction.estimate)} fewer ${range(h.handoffReduction)} (target ≥ 80 %: ${yes(h.target.handoffs)})`,
    `amount recovered within 60 days: ${pct(h.recoveryShare.treatment.estimate)} of the amount vs ${pct(h.recoveryShare.control.estimate)} (${pp(h.recoveryShare.difference)}); ${formatMoneyTotals(h.recoveredMinor.treatment)} of ${formatMoneyTotals(h.billedMinor.treatment)} vs ${formatMoneyTotals(h.recoveredMinor.control)} of ${formatMoneyTotals(h.billedMinor.control)} (no loss: ${yes(h.target.revenue)})`,
    `churn within 90 days: ${pct(h.churn.treatment.estimate)} vs ${pct(h.churn.control.estimate)} (${pp(h.churn.difference)}; lower: ${yes(h.target.churn)})`,
    `paid within 60 days: ${pct(h.paid60.treatment.estimate)} vs ${pct(h.paid60.control.estimate)} (${pp(h.paid60.difference)}); contacts per case ${h.contactsPerCase.treatment.estimate.toFixed(2)} vs ${h.contactsPerCase.control.estimate.toFixed(2)}`,
  ];
}

/** Said first when the ML phase had no learnt model: its arm then followed the rule-based segments of the prior. */
export function modelCaveat(e2e: Pick<E2eOutcome, 'mlSwitch'>): string[] {
  if (!e2e.mlSwitch || e2e.mlSwitch.version) return [];
  return [`CAUTION: scoring could not train at the switch (${e2e.mlSwitch.reason}): the "ML-driven" arm followed the segments the prior model's scores allow, not a model learnt from the experiment.`];
}

export interface E2eReportFiles {
  readonly html: string;
  readonly text: string;
  readonly summaryJson: string;
  readonly invoices: string;
}

export async function writeE2eReport(
  outDir: string,
  e2e: E2eOutcome,
  config: SimulatorConfig,
  context: { readonly title: string; readonly facts: ReadonlyArray<readonly [string, string]>; readonly notes?: readonly string[] },
): Promise<{ files: E2eReportFiles; text: string; phase1: ExperimentSummary; phase2: ExperimentSummary | undefined; headline: MlHeadline | undefined }> {
  const directory = resolve(outDir);
  await mkdir(directory, { recursive: true });
  const phase1 = summarizePhase(e2e.outcome, experimentPhase(config));
  const hasPhase2 = [...e2e.outcome.assignments.values()].some((group) => group.startsWith(`${ML_PHASE.experimentId}/`));
  const phase2 = hasPhase2 ? summarizePhase(e2e.outcome, ML_PHASE) : undefined;
  const headline = phase2 ? mlHeadline(phase2) : undefined;
  const sections: ReportSection[] = phase2
    ? [
        {
          id: 'ml-vs-collection',
          title: 'Phase 2: the ML-driven policy against collection as before',
          intro: [
            `From ${e2e.mlSwitch?.at ?? 'the switch'} late consumer cases are split at random between collection as before and the ML-driven policy, whose flow is the one the case's segment chose from the scores (likely to pay → gentle, collection helps → firm, …).`,
            e2e.mlSwitch
              ? `Scoring model at the switch: ${e2e.mlSwitch.version ?? 'none (scoring could not train; the prior kept scoring)'} — ${e2e.mlSwitch.how}${e2e.mlSwitch.trainingRows !== undefined ? `, from ${e2e.mlSwitch.trainingRows} labelled outcomes` : ''}; uplift learned for ${e2e.mlSwitch.upliftTreatments.join(', ') || 'no treatment'}${e2e.mlSwitch.upliftDetail.map((t) => `; ${t.treatment}: ${t.rows} rows, observed effect ${(t.observedEffect * 100).toFixed(1)} pp`).join('')}.`
              : 'The run had no switch: scoring was not retrained.',
          ],
          ...(headline ? { headline: [...modelCaveat(e2e), ...headlineLines(headline)] } : {}),
          summary: phase2,
        },
      ]
    : [];
  const html = renderHtmlReport(phase1, { ...context, eventCounts: e2e.outcome.eventCounts, sections });
  const text = [
    'Phase 1 — the seeds’ experiment (collection as before / friendlier SMS / no action):',
    terminalSummary(phase1),
    ...(phase2 ? ['', 'Phase 2 — the ML-driven policy against collection as before:', terminalSummary(phase2)] : []),
    ...(headline ? ['', 'Headline (issue 9):', ...[...modelCaveat(e2e), ...headlineLines(headline)].map((line) => `  ${line}`)] : []),
  ].join('\n');
  const files: E2eReportFiles = {
    html: join(directory, 'simulation-report.html'),
    text: join(directory, 'simulation-summary.txt'),
    summaryJson: join(directory, 'simulation-summary.json'),
    invoices: join(directory, 'simulation-invoices.jsonl'),
  };
  await writeFile(files.html, html, 'utf8');
  await writeFile(files.text, `${text}\n`, 'utf8');
  await writeFile(
    files.summaryJson,
    `${JSON.stringify({ facts: Object.fromEntries(context.facts), eventCounts: e2e.outcome.eventCounts, workDone: e2e.workDone, mlSwitch: e2e.mlSwitch ?? null, phase1, phase2: phase2 ?? null, headline: headline ?? null }, jsonNumbers, 2)}\n`,
    'utf8',
  );
  const lines = e2e.outcome.results.invoices.map((invoice) => JSON.stringify({ ...invoice, group: e2e.outcome.assignments.get(invoice.invoiceId) ?? null }));
  await writeFile(files.invoices, lines.length ? `${lines.join('\n')}\n` : '', 'utf8');
  return { files, text, phase1, phase2, headline };
}

function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
