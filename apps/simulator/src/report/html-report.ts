import { HISTOGRAM_BUCKETS, type ExperimentSummary, type GroupSummary } from './experiment-summary';
import type { Interval } from './statistics';
import { barChart, escapeXml, groupedBarChart, lineChart } from './svg-charts';
import { formatMoneyTotals } from './terminal-table';

// The report page: one self-contained HTML file (inline CSS and SVG, no script, no CDN) that renders
// offline. Every plot has a stable id, so a test (or a reader's bookmark) can find it.

export const PLOT_IDS = {
  paidByDay: 'plot-paid-by-day',
  handoffs: 'plot-handoffs',
  churn: 'plot-churn',
  recovered: 'plot-recovered',
  contacts: 'plot-contacts',
} as const;

export interface ReportContext {
  readonly title: string;
  /** Shown under the title: mode, seed, size, period. */
  readonly facts: ReadonlyArray<readonly [string, string]>;
  /** Events produced, by type. */
  readonly eventCounts?: Readonly<Record<string, number>>;
  /** Step days of the control arm, marked on the paid-by-day plot. */
  readonly markers?: ReadonlyArray<{ readonly x: number; readonly label: string }>;
  readonly notes?: readonly string[];
  /**
   * Further comparisons on the same page, each with its own table and plots (ids prefixed with the
   * section's id), e.g. the ML-driven policy against collection as before after the experiment.
   */
  readonly sections?: readonly ReportSection[];
}

export interface ReportSection {
  /** `[a-z0-9-]+`: the prefix of the section's table and plot ids. */
  readonly id: string;
  readonly title: string;
  /** Paragraphs above the table (plain text). */
  readonly intro?: readonly string[];
  /** Shown emphasised under the table (plain text), e.g. the headline figures. */
  readonly headline?: readonly string[];
  readonly summary: ExperimentSummary;
}

const pct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : '–');
const pctRange = (i: Interval): string => (Number.isFinite(i.low) ? `${pct(i.low)} – ${pct(i.high)}` : '');
const pp = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} pp` : '–');
const num = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');

function rateCell(i: Interval): string {
  return `<td><span class="v">${pct(i.estimate)}</span><span class="ci">${pctRange(i)}</span></td>`;
}

function meanCell(i: Interval, asPercent = false): string {
  const v = asPercent ? pct(i.estimate) : num(i.estimate);
  const range = Number.isFinite(i.low) ? (asPercent ? pctRange(i) : `${num(i.low)} – ${num(i.high)}`) : '';
  return `<td><span class="v">${v}</span><span class="ci">${range}</span></td>`;
}

function differenceCell(i: Interval | undefined, unit: 'pp' | 'count'): string {
  if (!i) return '<td class="control">control</td>';
  const format = unit === 'pp' ? pp : (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}` : '–');
  const significant = Number.isFinite(i.low) && (i.low > 0 || i.high < 0);
  return `<td class="${significant ? 'sig' : ''}"><span class="v">${format(i.estimate)}</span><span class="ci">${format(i.low)} … ${format(i.high)}</span></td>`;
}

export function experimentTableHtml(summary: ExperimentSummary, tableId = 'experiment-table'): string {
  const groups = summary.groups;
  const head = `<tr><th scope="col">metric</th>${groups.map((g) => `<th scope="col">${escapeXml(g.label)}${g.id === summary.controlGroup ? ' <small>(control)</small>' : ''}</th>`).join('')}</tr>`;
  const row = (label: string, cells: (g: GroupSummary) => string): string => `<tr><th scope="row">${label}</th>${groups.map(cells).join('')}</tr>`;
  const difference = (g: GroupSummary) => summary.differences.find((d) => d.id === g.id);
  const main = summary.windows.mainDays;
  const rows = [
    row('cases (late invoices)', (g) => `<td><span class="v">${g.cases.toLocaleString('en-US')}</span><span class="ci">${g.customers.toLocaleString('en-US')} customers</span></td>`),
    ...summary.windows.paidDays.map((days) => row(`paid within ${days} days of the due date`, (g) => rateCell(g.paidWithin.find((p) => p.days === days)?.rate ?? nanInterval()))),
    row(`collection hand-offs (${main} days)`, (g) => rateCell(g.handoff)),
    row(`churn: left within ${summary.windows.churnDays} days`, (g) => rateCell(g.churn)),
    row(`share of the amount recovered (${main} days)`, (g) => meanCell(g.recoveryShare, true)),
    row(`amount recovered (${main} days)`, (g) => `<td><span class="v">${escapeXml(formatMoneyTotals(g.recoveredMinor))}</span><span class="ci">of ${escapeXml(formatMoneyTotals(g.billedMinor))}</span></td>`),
    row('contacts per case', (g) => meanCell(g.contactsPerCase)),
    row('contacts per customer (whole run)', (g) => meanCell(g.contactsPerCustomer)),
    row('contacts per customer after a due date', (g) => meanCell(g.contactsAfterDuePerCustomer)),
  ];
  const differences = [
    row(`Δ paid within ${main} days`, (g) => differenceCell(difference(g)?.paid, 'pp')),
    row('Δ collection hand-offs', (g) => differenceCell(difference(g)?.handoff, 'pp')),
    row('Δ churn', (g) => differenceCell(difference(g)?.churn, 'pp')),
    row('Δ share recovered', (g) => differenceCell(difference(g)?.recoveryShare, 'pp')),
    row('Δ contacts per case', (g) => differenceCell(difference(g)?.contactsPerCase, 'count')),
  ];
  return [
    `<table id="${escapeXml(tableId)}" class="experiment">`,
    `<caption>The experiment: each cell is the estimate and its 95 % confidence interval (Wilson for rates, normal approximation for means).</caption>`,
    `<thead>${head}</thead>`,
    `<tbody>${rows.join('')}</tbody>`,
    `<tbody class="differences"><tr><th colspan="${groups.length + 1}" scope="colgroup">Difference to ${escapeXml(labelOf(summary, summary.controlGroup))} (95 % normal-approximation interval; bold where it excludes 0)</th></tr>${differences.join('')}</tbody>`,
    '</table>',
  ].join('');
}

/** The five plots of one comparison; ids get `prefix` (none for the page's main experiment). */
function plotsHtml(summary: ExperimentSummary, prefix: string, markers: ReportContext['markers']): string {
  const groups = summary.groups;
  const labels = groups.map((g) => g.label);
  const main = summary.windows.mainDays;
  const paidPlot = lineChart(
    groups.map((g) => ({ label: g.label, points: g.paidCurve.map((p) => ({ x: p.day, y: p.share })) })),
    {
      id: `${prefix}${PLOT_IDS.paidByDay}`,
      title: 'Share paid by day since the due date',
      description: `Cumulative share of late cases paid in full, by day since the due date, per group: ${labels.join(', ')}.`,
      xLabel: 'days since the due date',
      yLabel: 'share paid',
      yMax: 1,
      formatY: (v) => `${Math.round(v * 100)} %`,
      ...(markers ? { markers } : {}),
    },
  );
  const rateBars = (pick: (g: GroupSummary) => Interval) =>
    groups.map((g) => {
      const i = pick(g);
      return { label: g.label, value: i.estimate, low: i.low, high: i.high, caption: pct(i.estimate) };
    });
  const handoffPlot = barChart(rateBars((g) => g.handoff), {
    id: `${prefix}${PLOT_IDS.handoffs}`,
    title: `Collection hand-offs (within ${main} days)`,
    description: 'Share of late cases handed to a collection agency, with 95 % Wilson intervals.',
    yLabel: 'share of cases',
    formatY: (v) => `${Math.round(v * 100)} %`,
  });
  const churnPlot = barChart(rateBars((g) => g.churn), {
    id: `${prefix}${PLOT_IDS.churn}`,
    title: `Churn (customers who left within ${summary.windows.churnDays} days)`,
    description: 'Share of late cases whose customer ended the subscription, with 95 % Wilson intervals.',
    yLabel: 'share of cases',
    formatY: (v) => `${Math.round(v * 100)} %`,
  });
  const recoveredPlot = barChart(
    groups.map((g) => ({ label: g.label, value: g.recoveryShare.estimate, low: g.recoveryShare.low, high: g.recoveryShare.high, caption: pct(g.recoveryShare.estimate), note: formatMoneyTotals(g.recoveredMinor) })),
    {
      id: `${prefix}${PLOT_IDS.recovered}`,
      title: `Amount recovered (within ${main} days)`,
      description: 'Mean share of each late invoice paid, with 95 % intervals; under each bar the total recovered per currency.',
      yLabel: 'share of the amount',
      yMax: 1,
      formatY: (v) => `${Math.round(v * 100)} %`,
    },
  );
  const categories = Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => (i === HISTOGRAM_BUCKETS - 1 ? `${i}+` : String(i)));
  const contactsPlot = groupedBarChart(
    groups.map((g) => {
      const total = g.contactHistogram.reduce((sum, n) => sum + n, 0);
      return { label: g.label, values: g.contactHistogram.map((n) => (total === 0 ? 0 : n / total)) };
    }),
    {
      id: `${prefix}${PLOT_IDS.contacts}`,
      title: 'Contacts per customer after a due date (reminders and demands)',
      description: 'Share of each group’s customers by the number of reminders after a due date and collection demands they received in the run.',
      categories,
      xLabel: 'contacts per customer',
      yLabel: 'share of customers',
      formatY: (v) => `${Math.round(v * 100)} %`,
    },
  );
  return ['<div class="plots">', ...[paidPlot, handoffPlot, churnPlot, recoveredPlot, contactsPlot].map((plot) => `<figure>${plot}</figure>`), '</div>'].join('\n');
}

export function renderHtmlReport(summary: ExperimentSummary, context: ReportContext): string {
  const groups = summary.groups;
  const main = summary.windows.mainDays;
  const anyway = summary.wouldHavePaidAnyway;
  const hiddenTypes = [...new Set(groups.flatMap((g) => Object.keys(g.hiddenTypes)))].sort();
  const truthTable = `<table class="truth"><thead><tr><th scope="col">hidden type</th>${groups.map((g) => `<th scope="col">${escapeXml(g.label)}</th>`).join('')}</tr></thead><tbody>${hiddenTypes
    .map((t) => `<tr><th scope="row">${escapeXml(t)}</th>${groups.map((g) => `<td>${pct((g.hiddenTypes[t] ?? 0) / Math.max(1, g.cases))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
  const events = context.eventCounts
    ? `<table class="events"><thead><tr><th scope="col">event type</th><th scope="col">count</th></tr></thead><tbody>${Object.entries(context.eventCounts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, n]) => `<tr><td><code>${escapeXml(type)}</code></td><td>${n.toLocaleString('en-US')}</td></tr>`)
        .join('')}</tbody></table>`
    : '';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(context.title)}</title>
<style>
  body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2rem auto; max-width: 1440px; padding: 0 1.5rem; color: #1a1a1a; line-height: 1.45; }
  h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; font-size: .92rem; color: #333; }
  dl.facts dt { font-weight: 600; }
  table { border-collapse: collapse; margin: 1rem 0; font-size: .92rem; }
  th, td { border-bottom: 1px solid #e5e5e5; padding: .4rem .7rem; text-align: right; vertical-align: top; }
  th[scope=row], thead th:first-child { text-align: left; font-weight: 600; }
  caption { text-align: left; color: #555; font-size: .88rem; padding-bottom: .4rem; }
  td .v { display: block; font-variant-numeric: tabular-nums; }
  td .ci { display: block; color: #777; font-size: .8rem; font-variant-numeric: tabular-nums; }
  tbody.differences th[colspan] { text-align: left; background: #f6f6f6; font-weight: 600; }
  td.sig .v { font-weight: 700; } td.control { color: #999; }
  .plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(680px, 1fr)); gap: 1.2rem; }
  .plots figure { margin: 0; } svg.chart { max-width: 100%; height: auto; border: 1px solid #eee; }
  .callout { background: #f3f8fc; border-left: 4px solid #0072B2; padding: .7rem 1rem; margin: 1rem 0; }
  footer { margin-top: 3rem; color: #666; font-size: .85rem; }
</style>
</head>
<body>
<h1>${escapeXml(context.title)}</h1>
<dl class="facts">${context.facts.map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd>`).join('')}</dl>

<h2>The experiment</h2>
${experimentTableHtml(summary)}
${
  anyway && Number.isFinite(anyway.estimate)
    ? `<p class="callout" id="would-have-paid">Of the cases in the collection arm that were paid after the collection demand, <strong>${pct(anyway.estimate, 0)}</strong> (95 % interval ${pctRange(anyway)}) would have been paid without it — estimated as (p₀ − a) / q from the no-action arm's paid rate p₀ and the collection arm's rates of paying before (a) and after (q) the demand, within ${main} days.</p>`
    : ''
}
<p>${summary.invoices.toLocaleString('en-US')} invoices, of which ${summary.lateInvoices.toLocaleString('en-US')} were still unpaid the day after their due date; ${summary.customers.toLocaleString('en-US')} customers, of whom ${summary.customersLeft.toLocaleString('en-US')} left during the run (${escapeXml(summary.firstDay)} … ${escapeXml(summary.lastDay)}). Windows count from the due date; a case enters a window's figures only if the run saw the whole window.</p>

<h2>Plots</h2>
${plotsHtml(summary, '', context.markers)}

${(context.sections ?? [])
  .map(
    (section) => `<section id="${escapeXml(section.id)}">
<h2>${escapeXml(section.title)}</h2>
${(section.intro ?? []).map((p) => `<p>${escapeXml(p)}</p>`).join('\n')}
${experimentTableHtml(section.summary, `${section.id}-table`)}
${(section.headline ?? []).map((p) => `<p class="callout">${escapeXml(p)}</p>`).join('\n')}
${plotsHtml(section.summary, `${section.id}-`, undefined)}
</section>`,
  )
  .join('\n')}

<h2>Ground truth the platform never saw</h2>
<p>The simulated customers' hidden payment types, as a share of each group's late cases. The platform only sees behaviour; randomisation should make the groups alike.</p>
${truthTable}

${events ? `<h2>Events produced</h2>${events}` : ''}

<footer>
${(context.notes ?? []).map((n) => `<p>${escapeXml(n)}</p>`).join('')}
<p>Generated by the billing simulator (apps/simulator). Rates: Wilson score intervals; differences: Wald intervals; means: normal approximation. See docs/simulator.md.</p>
</footer>
</body>
</html>
`;
}

function labelOf(summary: ExperimentSummary, id: string): string {
  return summary.groups.find((g) => g.id === id)?.label ?? id;
}

function nanInterval(): Interval {
  return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
}
