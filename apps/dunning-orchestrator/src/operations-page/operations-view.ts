import type { ExperimentResults, RateWithInterval } from '../domain/experiments/results';

/**
 * What the operations page shows: aggregates only (counts per state, day, channel, topic and
 * partition; experiment rates). No customer or invoice ids, so no personal data can leak here.
 */
export interface OperationsSnapshot {
  /** The orchestrator's clock (simulated or system) when the snapshot was taken. */
  readonly generatedAt: string;
  readonly policy: { readonly id: string; readonly version: string };
  readonly consumerGroup: string;
  readonly casesByState: readonly { readonly state: string; readonly cases: number }[];
  /** Requested actions per UTC day of the decision (the orchestrator's clock), kind and channel. */
  readonly actionsPerDay: readonly { readonly day: string; readonly kind: string; readonly channel: string | null; readonly actions: number }[];
  /** `records` is null when the dead-letter topic does not exist (nothing was ever dead-lettered there). */
  readonly deadLetters: readonly { readonly topic: string; readonly sourceTopic: string; readonly records: number | null }[];
  readonly consumerLag: readonly {
    readonly topic: string;
    readonly partition: number;
    /** Last offset handled, as stored in PostgreSQL with the projection; null when nothing was handled yet. */
    readonly lastOffset: number | null;
    readonly highWatermark: number;
    readonly lag: number;
  }[];
  readonly experiments: readonly ExperimentResults[];
  /** What could not be read (e.g. the broker is unreachable); the rest of the page still shows. */
  readonly problems: readonly string[];
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** Minor units as a decimal string by the currency's exponent, with integer arithmetic only (promise 5). */
export function formatMinor(minor: number, currency: string): string {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    digits = 2;
  }
  const sign = minor < 0 ? '-' : '';
  const raw = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  const whole = raw.slice(0, raw.length - digits);
  const fraction = digits > 0 ? `.${raw.slice(raw.length - digits)}` : '';
  return `${sign}${whole}${fraction} ${currency}`;
}

const percent = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)} %`);

function rateCell(rate: RateWithInterval, testId: string): string {
  const interval = rate.ci95 ? ` <span class="ci">[${percent(rate.ci95.low)}, ${percent(rate.ci95.high)}]</span>` : '';
  return `<td class="num" data-testid="${escapeHtml(testId)}" data-count="${rate.count}" data-eligible="${rate.eligible}">${escapeHtml(percent(rate.rate))}${interval} <span class="n">${rate.count}/${rate.eligible}</span></td>`;
}

function table(id: string, headers: readonly string[], rows: readonly string[], empty: string): string {
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const body = rows.length > 0 ? rows.join('\n') : `<tr class="empty"><td colspan="${headers.length}">${escapeHtml(empty)}</td></tr>`;
  return `<table id="${escapeHtml(id)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function casesSection(snapshot: OperationsSnapshot): string {
  const total = snapshot.casesByState.reduce((sum, row) => sum + row.cases, 0);
  const rows = snapshot.casesByState.map(
    (row) => `<tr data-state="${escapeHtml(row.state)}"><td>${escapeHtml(row.state)}</td><td class="num" data-testid="cases">${row.cases}</td></tr>`,
  );
  rows.push(`<tr class="total"><td>total</td><td class="num" data-testid="cases-total">${total}</td></tr>`);
  return `<section><h2>Cases by state</h2>${table('cases-by-state', ['state', 'cases'], rows, 'no cases')}</section>`;
}

function actionsSection(snapshot: OperationsSnapshot): string {
  const rows = snapshot.actionsPerDay.map(
    (row) =>
      `<tr data-day="${escapeHtml(row.day)}" data-kind="${escapeHtml(row.kind)}" data-channel="${escapeHtml(row.channel ?? '')}"><td>${escapeHtml(row.day)}</td><td>${escapeHtml(row.kind)}</td><td>${escapeHtml(row.channel ?? '–')}</td><td class="num" data-testid="actions">${row.actions}</td></tr>`,
  );
  return `<section><h2>Actions requested per day</h2>${table('actions-per-day', ['day (UTC)', 'kind', 'channel', 'actions'], rows, 'no actions requested yet')}</section>`;
}

function deadLettersSection(snapshot: OperationsSnapshot): string {
  const rows = snapshot.deadLetters.map(
    (row) =>
      `<tr data-topic="${escapeHtml(row.topic)}"><td>${escapeHtml(row.topic)}</td><td class="num" data-testid="dlq-records">${row.records === null ? 'no topic' : row.records}</td></tr>`,
  );
  return `<section><h2>Dead letters</h2>${table('dead-letters', ['dead-letter topic', 'records'], rows, 'no dead-letter topics read')}</section>`;
}

function lagSection(snapshot: OperationsSnapshot): string {
  const rows = snapshot.consumerLag.map(
    (row) =>
      `<tr data-topic="${escapeHtml(row.topic)}" data-partition="${row.partition}"${row.lag > 0 ? ' class="behind"' : ''}><td>${escapeHtml(row.topic)}</td><td class="num">${row.partition}</td><td class="num" data-testid="last-offset">${row.lastOffset ?? '–'}</td><td class="num" data-testid="high-watermark">${row.highWatermark}</td><td class="num" data-testid="lag">${row.lag}</td></tr>`,
  );
  const total = snapshot.consumerLag.reduce((sum, row) => sum + row.lag, 0);
  return `<section><h2>Consumer lag <small>group ${escapeHtml(snapshot.consumerGroup)}, total <span data-testid="lag-total">${total}</span></small></h2>${table('consumer-lag', ['topic', 'partition', 'last offset handled (PostgreSQL)', 'high watermark (Kafka)', 'lag'], rows, 'no partitions read')}</section>`;
}

function experimentSection(results: ExperimentResults): string {
  const rows = results.arms.map((arm) => {
    const recovered =
      Object.entries(arm.amountRecovered)
        .map(([currency, minor]) => formatMinor(minor, currency))
        .join(', ') || '–';
    return `<tr data-arm="${escapeHtml(arm.armId)}"><td>${escapeHtml(arm.armId)}${arm.control ? ' <span class="tag">control</span>' : ''}</td><td>${escapeHtml(arm.flowId)}</td><td class="num" data-testid="arm-cases">${arm.cases}</td>${rateCell(arm.paidWithin['14'], 'paid-14')}${rateCell(arm.paidWithin['30'], 'paid-30')}${rateCell(arm.paidWithin['60'], 'paid-60')}${rateCell(arm.handoff, 'handoff')}${rateCell(arm.churnWithin90, 'churn-90')}<td class="num">${arm.contactsPerCase === null ? '–' : arm.contactsPerCase.toFixed(2)}</td><td class="num">${escapeHtml(recovered)}</td></tr>`;
  });
  const anyway = results.wouldHavePaidAnyway?.shareOfPostDemandPayers;
  const anywayText = anyway
    ? `<p>Of those who paid after a collection demand, would have paid without it: <strong>${percent(anyway.estimate)}</strong> <span class="ci">[${percent(anyway.ci95.low)}, ${percent(anyway.ci95.high)}]</span></p>`
    : '';
  return `<div class="experiment" data-experiment="${escapeHtml(results.experimentId)}"><h3>${escapeHtml(results.experimentId)} <small>as of ${escapeHtml(results.asOf)}</small></h3>${table(
    `experiment-${results.experimentId}`,
    ['arm', 'flow', 'cases', 'paid ≤14 d', 'paid ≤30 d', 'paid ≤60 d', 'hand-off', 'churn ≤90 d', 'contacts/case', 'recovered'],
    rows,
    'no arms',
  )}${anywayText}</div>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d2733;background:#f7f8fa}
h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:1.4rem 0 .4rem}h3{font-size:1rem;margin:.8rem 0 .3rem}
small,.meta,.ci,.n{color:#667;font-weight:normal}.n{font-size:.85em}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002;margin-bottom:.4rem}
th,td{padding:.3rem .7rem;border-bottom:1px solid #e3e6ea;text-align:left}th{background:#eef1f5}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.total td{font-weight:bold}
tr.behind td{background:#fff4e0}.tag{font-size:.75em;background:#dde8f6;border-radius:3px;padding:0 .3rem}
.grid{display:flex;flex-wrap:wrap;gap:0 2rem}.problems{background:#fde8e8;padding:.5rem 1rem;border-radius:4px}
`;

/** The whole page as one HTML string: no scripts, no external resources, every value escaped. */
export function renderOperationsPage(snapshot: OperationsSnapshot, options: { refreshSeconds?: number } = {}): string {
  const refresh = options.refreshSeconds && options.refreshSeconds > 0 ? `<meta http-equiv="refresh" content="${Math.trunc(options.refreshSeconds)}">` : '';
  const problems =
    snapshot.problems.length > 0 ? `<div class="problems" id="problems"><ul>${snapshot.problems.map((problem) => `<li>${escapeHtml(problem)}</li>`).join('')}</ul></div>` : '';
  const experiments = snapshot.experiments.length > 0 ? snapshot.experiments.map(experimentSection).join('\n') : '<p>No experiment in the policy.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${refresh}<title>dunning-orchestrator · operations</title><style>${STYLE}</style></head>
<body>
<h1>dunning-orchestrator · operations</h1>
<p class="meta">as of <time data-testid="generated-at">${escapeHtml(snapshot.generatedAt)}</time> (orchestrator clock) · policy ${escapeHtml(snapshot.policy.id)}@${escapeHtml(snapshot.policy.version)} · <a href="ops/data">JSON</a></p>
${problems}
<div class="grid">${casesSection(snapshot)}${deadLettersSection(snapshot)}</div>
${actionsSection(snapshot)}
${lagSection(snapshot)}
<section><h2>Experiments</h2>${experiments}</section>
</body></html>
`;
}
