import type { ExperimentSummary, GroupSummary } from './experiment-summary';
import type { Interval } from './statistics';

// The summary the CLI prints at the end of a run: one column per group, one row per metric, rates
// with their 95 % interval, and the differences to the control group.

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–');
const pctInterval = (i: Interval): string => (Number.isFinite(i.estimate) ? `${pct(i.estimate)} [${pct(i.low)}, ${pct(i.high)}]` : '–');
const pp = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}` : '–');
const ppInterval = (i: Interval): string => (Number.isFinite(i.estimate) ? `${pp(i.estimate)} pp [${pp(i.low)}, ${pp(i.high)}]` : '–');
const num = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const numInterval = (i: Interval): string => (Number.isFinite(i.estimate) ? `${num(i.estimate)} [${num(i.low)}, ${num(i.high)}]` : '–');

/** Minor units per currency as major units, e.g. "SEK 12,345 · EUR 678". */
export function formatMoneyTotals(totals: Readonly<Record<string, number>>): string {
  const entries = Object.entries(totals).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return '–';
  return entries.map(([currency, minor]) => `${currency} ${Math.round(minor / 100).toLocaleString('en-US')}`).join(' · ');
}

export function terminalSummary(summary: ExperimentSummary): string {
  const groups = summary.groups;
  const rows: string[][] = [];
  const add = (label: string, cell: (g: GroupSummary) => string): void => {
    rows.push([label, ...groups.map(cell)]);
  };
  add('cases (late invoices)', (g) => g.cases.toLocaleString('en-US'));
  for (const window of summary.windows.paidDays) add(`paid within ${window} d`, (g) => pctInterval(g.paidWithin.find((p) => p.days === window)?.rate ?? nan()));
  add(`collection hand-offs (${summary.windows.mainDays} d)`, (g) => pctInterval(g.handoff));
  add(`churn (${summary.windows.churnDays} d)`, (g) => pctInterval(g.churn));
  add(`share recovered (${summary.windows.mainDays} d)`, (g) => pctInterval(g.recoveryShare));
  add(`amount recovered (${summary.windows.mainDays} d)`, (g) => formatMoneyTotals(g.recoveredMinor));
  add('contacts per case', (g) => numInterval(g.contactsPerCase));
  add('contacts per customer', (g) => numInterval(g.contactsPerCustomer));
  add('  of them after a due date', (g) => numInterval(g.contactsAfterDuePerCustomer));
  const control = summary.controlGroup;
  for (const [label, pick] of [
    [`Δ paid ${summary.windows.mainDays} d vs ${control}`, 'paid'],
    ['Δ hand-offs', 'handoff'],
    ['Δ churn', 'churn'],
    ['Δ share recovered', 'recoveryShare'],
  ] as const) {
    add(label, (g) => {
      const difference = summary.differences.find((d) => d.id === g.id);
      return difference ? ppInterval(difference[pick]) : '(control)';
    });
  }
  const header = ['metric (95 % CI)', ...groups.map((g) => g.label)];
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
  if (summary.wouldHavePaidAnyway) {
    out.push('', `Of those who paid after a collection demand, would have paid without it: ${pctInterval(summary.wouldHavePaidAnyway)}`);
  }
  out.push(
    `${summary.invoices.toLocaleString('en-US')} invoices, ${summary.lateInvoices.toLocaleString('en-US')} late; ${summary.customers.toLocaleString('en-US')} customers, ${summary.customersLeft.toLocaleString('en-US')} left; ${summary.firstDay} … ${summary.lastDay}`,
  );
  return out.join('\n');
}

function nan(): Interval {
  return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
}
