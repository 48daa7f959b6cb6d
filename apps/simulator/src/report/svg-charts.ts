// Small, dependency-free SVG charts for the report: a line chart, bars with 95 % intervals, and
// grouped bars. Plain SVG 1.1 inline in the page, so the report renders offline and in any browser.
// Colours: the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies.

export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

export interface Series {
  readonly label: string;
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>;
}

export interface BarWithInterval {
  readonly label: string;
  readonly value: number;
  readonly low?: number;
  readonly high?: number;
  /** Text over the bar; defaults to the value formatted by the chart. */
  readonly caption?: string;
  /** A second line under the bar's label (e.g. totals). */
  readonly note?: string;
}

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

const FRAME: Frame = { width: 680, height: 340, left: 64, right: 20, top: 40, bottom: 68 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const fmt = (n: number): string => (Math.round(n * 100) / 100).toString();

function open(id: string, title: string, frame: Frame, description: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" id="${escapeXml(id)}" class="chart" viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" role="img" aria-labelledby="${escapeXml(id)}-title ${escapeXml(id)}-desc" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<title id="${escapeXml(id)}-title">${escapeXml(title)}</title>`,
    `<desc id="${escapeXml(id)}-desc">${escapeXml(description)}</desc>`,
    `<rect x="0" y="0" width="${frame.width}" height="${frame.height}" fill="#ffffff"/>`,
    `<text x="${frame.left}" y="22" font-size="15" font-weight="600" fill="#1a1a1a">${escapeXml(title)}</text>`,
  ].join('');
}

/** Round tick steps: 1, 2 or 5 times a power of ten, about `count` ticks over [0, max]. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) ticks.push(Math.round(t / step) * step);
  if ((ticks[ticks.length - 1] ?? 0) < max) ticks.push((ticks[ticks.length - 1] ?? 0) + step);
  return ticks;
}

function yAxis(frame: Frame, ticks: readonly number[], yMax: number, format: (v: number) => string, label: string): string {
  const plotHeight = frame.height - frame.top - frame.bottom;
  const parts: string[] = [];
  for (const tick of ticks) {
    const y = frame.top + plotHeight * (1 - tick / yMax);
    parts.push(`<line x1="${frame.left}" x2="${frame.width - frame.right}" y1="${fmt(y)}" y2="${fmt(y)}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${frame.left - 8}" y="${fmt(y + 4)}" text-anchor="end" fill="#444">${escapeXml(format(tick))}</text>`);
  }
  parts.push(`<line x1="${frame.left}" x2="${frame.left}" y1="${frame.top}" y2="${frame.height - frame.bottom}" stroke="#888"/>`);
  parts.push(
    `<text transform="translate(16 ${fmt(frame.top + plotHeight / 2)}) rotate(-90)" text-anchor="middle" fill="#444">${escapeXml(label)}</text>`,
  );
  return parts.join('');
}

function legend(frame: Frame, labels: readonly string[]): string {
  let x = frame.left;
  const y = frame.height - 8;
  return labels
    .map((label, i) => {
      const item = `<rect x="${fmt(x)}" y="${y - 9}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="${fmt(x + 17)}" y="${y + 1}" fill="#222">${escapeXml(label)}</text>`;
      x += 30 + label.length * 7;
      return item;
    })
    .join('');
}

export interface LineChartOptions {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly yMax?: number;
  readonly formatY?: (v: number) => string;
  /** Vertical reference lines, e.g. the days of the steps. */
  readonly markers?: ReadonlyArray<{ readonly x: number; readonly label: string }>;
}

export function lineChart(series: readonly Series[], options: LineChartOptions): string {
  const frame = FRAME;
  const finite = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.y) && Number.isFinite(p.x)));
  const xMin = Math.min(0, ...finite.map((p) => p.x));
  const xMax = Math.max(1, ...finite.map((p) => p.x));
  const yTicks = niceTicks(options.yMax ?? Math.max(...finite.map((p) => p.y), 0));
  const yMax = options.yMax ?? (yTicks[yTicks.length - 1] as number);
  const plotWidth = frame.width - frame.left - frame.right;
  const plotHeight = frame.height - frame.top - frame.bottom;
  const sx = (x: number): number => frame.left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const sy = (y: number): number => frame.top + plotHeight * (1 - y / yMax);
  const format = options.formatY ?? fmt;
  const parts = [open(options.id, options.title, frame, options.description), yAxis(frame, yTicks, yMax, format, options.yLabel)];
  for (const tick of niceTicks(xMax - xMin, 9)) {
    const x = sx(xMin + tick);
    parts.push(`<line x1="${fmt(x)}" x2="${fmt(x)}" y1="${frame.height - frame.bottom}" y2="${frame.height - frame.bottom + 5}" stroke="#888"/>`);
    parts.push(`<text x="${fmt(x)}" y="${frame.height - frame.bottom + 18}" text-anchor="middle" fill="#444">${fmt(xMin + tick)}</text>`);
  }
  parts.push(`<line x1="${frame.left}" x2="${frame.width - frame.right}" y1="${frame.height - frame.bottom}" y2="${frame.height - frame.bottom}" stroke="#888"/>`);
  parts.push(`<text x="${fmt(frame.left + plotWidth / 2)}" y="${frame.height - frame.bottom + 34}" text-anchor="middle" fill="#444">${escapeXml(options.xLabel)}</text>`);
  (options.markers ?? []).forEach((marker, i) => {
    const x = sx(marker.x);
    parts.push(`<line x1="${fmt(x)}" x2="${fmt(x)}" y1="${frame.top}" y2="${frame.height - frame.bottom}" stroke="#999" stroke-dasharray="3 3"/>`);
    parts.push(`<text x="${fmt(x + 3)}" y="${frame.top + 10 + (i % 2) * 12}" fill="#666" font-size="10">${escapeXml(marker.label)}</text>`);
  });
  series.forEach((s, i) => {
    const points = s.points.filter((p) => Number.isFinite(p.y));
    if (points.length === 0) return;
    const d = points.map((p, j) => `${j === 0 ? 'M' : 'L'}${fmt(sx(p.x))} ${fmt(sy(p.y))}`).join(' ');
    parts.push(`<path class="series" data-series="${escapeXml(s.label)}" d="${d}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2.2"/>`);
  });
  parts.push(legend(frame, series.map((s) => s.label)));
  parts.push('</svg>');
  return parts.join('');
}

export interface BarChartOptions {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly yLabel: string;
  readonly yMax?: number;
  readonly formatY?: (v: number) => string;
}

/** One bar per group with its 95 % interval as a whisker. */
export function barChart(bars: readonly BarWithInterval[], options: BarChartOptions): string {
  const frame = FRAME;
  const top = Math.max(0, ...bars.map((b) => (Number.isFinite(b.high ?? Number.NaN) ? (b.high as number) : b.value)).filter(Number.isFinite));
  const yTicks = niceTicks(options.yMax ?? (top > 0 ? top : 1));
  const yMax = options.yMax ?? (yTicks[yTicks.length - 1] as number);
  const plotWidth = frame.width - frame.left - frame.right;
  const plotHeight = frame.height - frame.top - frame.bottom;
  const sy = (y: number): number => frame.top + plotHeight * (1 - Math.min(y, yMax) / yMax);
  const format = options.formatY ?? fmt;
  const slot = plotWidth / Math.max(1, bars.length);
  const barWidth = Math.min(90, slot * 0.55);
  const parts = [open(options.id, options.title, frame, options.description), yAxis(frame, yTicks, yMax, format, options.yLabel)];
  parts.push(`<line x1="${frame.left}" x2="${frame.width - frame.right}" y1="${frame.height - frame.bottom}" y2="${frame.height - frame.bottom}" stroke="#888"/>`);
  bars.forEach((bar, i) => {
    const cx = frame.left + slot * (i + 0.5);
    const value = Number.isFinite(bar.value) ? bar.value : 0;
    const y = sy(value);
    parts.push(
      `<rect class="bar" data-label="${escapeXml(bar.label)}" data-value="${fmt(value)}" x="${fmt(cx - barWidth / 2)}" y="${fmt(y)}" width="${fmt(barWidth)}" height="${fmt(frame.height - frame.bottom - y)}" fill="${PALETTE[i % PALETTE.length]}"/>`,
    );
    if (bar.low !== undefined && bar.high !== undefined && Number.isFinite(bar.low) && Number.isFinite(bar.high)) {
      const y1 = sy(bar.low);
      const y2 = sy(bar.high);
      parts.push(
        `<g class="interval" stroke="#222" stroke-width="1.4"><line x1="${fmt(cx)}" x2="${fmt(cx)}" y1="${fmt(y1)}" y2="${fmt(y2)}"/><line x1="${fmt(cx - 8)}" x2="${fmt(cx + 8)}" y1="${fmt(y1)}" y2="${fmt(y1)}"/><line x1="${fmt(cx - 8)}" x2="${fmt(cx + 8)}" y1="${fmt(y2)}" y2="${fmt(y2)}"/></g>`,
      );
    }
    const captionY = Math.min(y, bar.high !== undefined && Number.isFinite(bar.high) ? sy(bar.high) : y) - 6;
    parts.push(`<text x="${fmt(cx)}" y="${fmt(captionY)}" text-anchor="middle" fill="#222">${escapeXml(bar.caption ?? format(value))}</text>`);
    parts.push(`<text x="${fmt(cx)}" y="${frame.height - frame.bottom + 18}" text-anchor="middle" fill="#333">${escapeXml(bar.label)}</text>`);
    if (bar.note) parts.push(`<text x="${fmt(cx)}" y="${frame.height - frame.bottom + 34}" text-anchor="middle" fill="#555" font-size="11">${escapeXml(bar.note)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface GroupedBarOptions extends BarChartOptions {
  readonly categories: readonly string[];
  readonly xLabel: string;
}

/** Bars per category (x) and group (colour), e.g. the share of customers by number of contacts. */
export function groupedBarChart(groups: ReadonlyArray<{ readonly label: string; readonly values: readonly number[] }>, options: GroupedBarOptions): string {
  const frame = FRAME;
  const top = Math.max(0, ...groups.flatMap((g) => g.values.filter(Number.isFinite)));
  const yTicks = niceTicks(options.yMax ?? (top > 0 ? top : 1));
  const yMax = options.yMax ?? (yTicks[yTicks.length - 1] as number);
  const plotWidth = frame.width - frame.left - frame.right;
  const plotHeight = frame.height - frame.top - frame.bottom;
  const sy = (y: number): number => frame.top + plotHeight * (1 - Math.min(y, yMax) / yMax);
  const format = options.formatY ?? fmt;
  const slot = plotWidth / Math.max(1, options.categories.length);
  const barWidth = (slot * 0.8) / Math.max(1, groups.length);
  const parts = [open(options.id, options.title, frame, options.description), yAxis(frame, yTicks, yMax, format, options.yLabel)];
  parts.push(`<line x1="${frame.left}" x2="${frame.width - frame.right}" y1="${frame.height - frame.bottom}" y2="${frame.height - frame.bottom}" stroke="#888"/>`);
  options.categories.forEach((category, c) => {
    const x0 = frame.left + slot * c + slot * 0.1;
    groups.forEach((group, g) => {
      const value = group.values[c] ?? 0;
      const y = sy(Number.isFinite(value) ? value : 0);
      parts.push(
        `<rect class="bar" data-label="${escapeXml(group.label)}" data-category="${escapeXml(category)}" x="${fmt(x0 + g * barWidth)}" y="${fmt(y)}" width="${fmt(barWidth - 1)}" height="${fmt(frame.height - frame.bottom - y)}" fill="${PALETTE[g % PALETTE.length]}"><title>${escapeXml(`${group.label}, ${category}: ${format(value)}`)}</title></rect>`,
      );
    });
    parts.push(`<text x="${fmt(frame.left + slot * (c + 0.5))}" y="${frame.height - frame.bottom + 16}" text-anchor="middle" fill="#333">${escapeXml(category)}</text>`);
  });
  parts.push(`<text x="${fmt(frame.left + plotWidth / 2)}" y="${frame.height - frame.bottom + 32}" text-anchor="middle" fill="#444">${escapeXml(options.xLabel)}</text>`);
  parts.push(legend(frame, groups.map((g) => g.label)));
  parts.push('</svg>');
  return parts.join('');
}
