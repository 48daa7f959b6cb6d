import { escapeHtml, formatMinor, renderOperationsPage, type OperationsSnapshot } from './operations-view';

const snapshot = (overrides: Partial<OperationsSnapshot> = {}): OperationsSnapshot => ({
  generatedAt: '2026-04-15T09:00:00.000Z',
  policy: { id: 'seeds-experiment', version: '1.0' },
  consumerGroup: 'dunning-orchestrator',
  casesByState: [
    { state: 'closed', cases: 5 },
    { state: 'open', cases: 7 },
  ],
  actionsPerDay: [{ day: '2026-03-17', kind: 'reminder', channel: 'email', actions: 12 }],
  deadLetters: [
    { topic: 'scoring.scores.v1.dlq', sourceTopic: 'scoring.scores.v1', records: 2 },
    { topic: 'dunning.actions.v1.dlq', sourceTopic: 'dunning.actions.v1', records: null },
  ],
  consumerLag: [{ topic: 'invoicing.invoices.v1', partition: 0, lastOffset: 9, highWatermark: 12, lag: 2 }],
  experiments: [],
  problems: [],
  ...overrides,
});

describe('the operations page view', () => {
  it('escapes every character that could open markup', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
  });

  it('never lets a value from the database or the broker become markup', () => {
    const html = renderOperationsPage(snapshot({ casesByState: [{ state: '<img src=x onerror=alert(1)>', cases: 1 }], problems: ['broker said <b>no</b>'] }));
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>no</b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('shows the figures, a total, missing dead-letter topics and no script or external resource', () => {
    const html = renderOperationsPage(snapshot(), { refreshSeconds: 15 });
    expect(html).toContain('<td class="num" data-testid="cases-total">12</td>');
    expect(html).toMatch(/data-day="2026-03-17" data-kind="reminder" data-channel="email">.*data-testid="actions">12</);
    expect(html).toMatch(/data-topic="dunning.actions.v1.dlq">.*no topic/);
    expect(html).toContain('<meta http-equiv="refresh" content="15">');
    expect(html).not.toMatch(/<script|https?:\/\//i);
  });

  it('formats minor units by the currency exponent without floating point', () => {
    expect(formatMinor(49_900, 'SEK')).toBe('499.00 SEK');
    expect(formatMinor(5, 'EUR')).toBe('0.05 EUR');
    expect(formatMinor(1234, 'JPY')).toBe('1234 JPY');
    expect(formatMinor(-150, 'EUR')).toBe('-1.50 EUR');
  });
});
