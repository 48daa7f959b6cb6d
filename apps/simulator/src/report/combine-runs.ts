import type { SimulationResults } from '../domain/simulation';

// Comparing runs rather than arms: e.g. "collection as before" from the experiment run against the
// ML-driven policy from a second run over the same customer base (same seed: the same customers and
// the same dice, so the difference is the policy's). Ids are prefixed per run so they stay apart.

export interface RunForComparison {
  /** Short, unique: becomes the prefix of the run's ids. */
  readonly runId: string;
  readonly results: SimulationResults;
  /** invoiceId → group, from the platform (arms) or `groupLateCases`. */
  readonly assignments: ReadonlyMap<string, string>;
  /** Keep only these groups of the run (default: all), optionally renamed. */
  readonly groups?: Readonly<Record<string, string>>;
}

/** Every late case of a run in one group (for a run without an experiment: its policy is the group). */
export function groupLateCases(results: SimulationResults, group: string, filter: (invoice: SimulationResults['invoices'][number]) => boolean = () => true): Map<string, string> {
  return new Map(results.invoices.filter((invoice) => invoice.lateAfterDueDay && filter(invoice)).map((invoice) => [invoice.invoiceId, group]));
}

/** One results set and assignment map from several runs; the last day is the earliest of them (so windows stay comparable). */
export function combineRuns(runs: readonly RunForComparison[]): { results: SimulationResults; assignments: Map<string, string> } {
  if (runs.length === 0) throw new Error('combineRuns: no runs');
  const assignments = new Map<string, string>();
  const invoices: Array<SimulationResults['invoices'][number]> = [];
  const customers: Array<SimulationResults['customers'][number]> = [];
  for (const run of runs) {
    const prefix = `${run.runId}/`;
    for (const invoice of run.results.invoices) {
      const group = run.assignments.get(invoice.invoiceId);
      const renamed = group === undefined ? undefined : run.groups ? run.groups[group] : group;
      if (renamed !== undefined) assignments.set(prefix + invoice.invoiceId, renamed);
      invoices.push({ ...invoice, invoiceId: prefix + invoice.invoiceId, customerId: prefix + invoice.customerId });
    }
    for (const customer of run.results.customers) customers.push({ ...customer, customerId: prefix + customer.customerId });
  }
  const first = runs[0] as RunForComparison;
  return {
    results: {
      seed: first.results.seed,
      firstDay: runs.map((r) => r.results.firstDay).sort()[0] as string,
      lastDay: runs.map((r) => r.results.lastDay).sort()[0] as string,
      lastInvoiceDay: runs.map((r) => r.results.lastInvoiceDay).sort()[0] as string,
      invoices,
      customers,
      unmatchedMessages: runs.reduce((sum, r) => sum + r.results.unmatchedMessages, 0),
    },
    assignments,
  };
}
