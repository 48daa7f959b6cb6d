import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ReferenceArm } from '../domain/config';
import type { RunOutcome } from '../run/run-simulation';
import { summarizeExperiment, type ExperimentSummary, type GroupDefinition, type SummaryInput } from './experiment-summary';
import { renderHtmlReport, type ReportContext } from './html-report';
import { terminalSummary } from './terminal-table';

export interface WrittenReport {
  readonly summary: ExperimentSummary;
  readonly text: string;
  readonly files: { readonly html: string; readonly summaryJson: string; readonly text: string; readonly invoices: string };
}

/** The report's groups from the experiment's arms: the `collection` arm is the control. */
export function groupsOfArms(arms: readonly ReferenceArm[]): Pick<SummaryInput, 'groups' | 'controlGroup' | 'collectionGroup' | 'noActionGroup'> {
  const groups: GroupDefinition[] = arms.map((arm) => ({ id: arm.id, label: arm.label }));
  const collection = arms.find((arm) => arm.role === 'collection');
  const noAction = arms.find((arm) => arm.role === 'no-action');
  return {
    groups,
    controlGroup: (collection ?? arms[0])?.id ?? '',
    ...(collection ? { collectionGroup: collection.id } : {}),
    ...(noAction ? { noActionGroup: noAction.id } : {}),
  };
}

/**
 * Writes the run's report into `outDir`: `simulation-report.html` (plots + table),
 * `simulation-summary.txt` (the terminal table), `simulation-summary.json` (the figures) and
 * `simulation-invoices.jsonl` (one line per invoice with its group, for further analysis).
 */
export async function writeReport(
  outDir: string,
  outcome: RunOutcome,
  groups: Pick<SummaryInput, 'groups' | 'controlGroup' | 'collectionGroup' | 'noActionGroup'>,
  context: ReportContext,
): Promise<WrittenReport> {
  const directory = resolve(outDir);
  await mkdir(directory, { recursive: true });
  const summary = summarizeExperiment({ results: outcome.results, assignments: outcome.assignments, ...groups });
  const text = terminalSummary(summary);
  const files = {
    html: join(directory, 'simulation-report.html'),
    summaryJson: join(directory, 'simulation-summary.json'),
    text: join(directory, 'simulation-summary.txt'),
    invoices: join(directory, 'simulation-invoices.jsonl'),
  };
  await writeFile(files.html, renderHtmlReport(summary, { ...context, eventCounts: outcome.eventCounts }), 'utf8');
  await writeFile(files.text, `${text}\n`, 'utf8');
  await writeFile(files.summaryJson, `${JSON.stringify({ facts: Object.fromEntries(context.facts), eventCounts: outcome.eventCounts, summary }, jsonNumbers, 2)}\n`, 'utf8');
  const lines = outcome.results.invoices.map((invoice) => JSON.stringify({ ...invoice, group: outcome.assignments.get(invoice.invoiceId) ?? null }));
  await writeFile(files.invoices, lines.length ? `${lines.join('\n')}\n` : '', 'utf8');
  return { summary, text, files };
}

/** JSON has no NaN: an estimate over no cases is written as null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
