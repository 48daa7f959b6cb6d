import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, parseCli } from './main';
import { PLOT_IDS } from './report/html-report';

describe('the command line', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'simulator-cli-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('reads flags and a JSON file of overrides; flags win', async () => {
    const file = join(directory, 'overrides.json');
    writeFileSync(file, JSON.stringify({ customers: 50, churn: { afterCollectionDemand: { multiplier: 4 } } }));
    const options = await parseCli(['--config', file, '--customers', '70', '--months', '2', '--seed', '9', '--out', directory]);
    expect(options.config.customers).toBe(70);
    expect(options.config.months).toBe(2);
    expect(options.config.seed).toBe(9);
    expect(options.config.churn.afterCollectionDemand.multiplier).toBe(4);
    expect(options.out).toBe(directory);
    expect(options.mode).toBe('standalone');
  });

  it('refuses what it cannot run, with the reason', async () => {
    await expect(parseCli(['--customers', 'many'])).rejects.toThrow("--customers: expected an integer, got 'many'");
    await expect(parseCli(['--months', '0'])).rejects.toThrow('months: expected an integer of at least 1, got 0');
    await expect(parseCli(['--mode', 'fast'])).rejects.toThrow("--mode: standalone or e2e, got 'fast'");
    await expect(parseCli(['--config', join(directory, 'missing.json')])).rejects.toThrow('--config');
    await expect(parseCli(['--ml-switch', '2026-05-01T00:00:00Z'])).rejects.toThrow('--ml-switch needs --mode e2e');
    await expect(parseCli(['--mode', 'e2e', '--ml-switch', 'May'])).rejects.toThrow("--ml-switch: an instant like 2026-05-01T00:00:00Z, or none; got 'May'");
    await expect(parseCli(['--mode', 'e2e', '--quiet-checks', '0'])).rejects.toThrow('--quiet-checks must be at least 1');
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main(['--mode', 'e2e', '--months', '0'])).toBe(2);
    errors.mockRestore();
  });

  it('reads the end-to-end options', async () => {
    const options = await parseCli(['--mode', 'e2e', '--ml-switch', '2026-05-01T00:00:00Z', '--quiet-checks', '4', '--quiet-interval-ms', '50']);
    expect(options).toMatchObject({ mode: 'e2e', mlSwitchAt: '2026-05-01T00:00:00.000Z', quietChecks: 4, quietIntervalMs: 50 });
    expect((await parseCli(['--mode', 'e2e', '--ml-switch', 'none'])).mlSwitchAt).toBeUndefined();
    expect(await parseCli([])).toMatchObject({ mode: 'standalone', mlSwitchAt: undefined, quietChecks: 2, quietIntervalMs: 50 });
  });

  it('a standalone run writes the report, the summary and the per-invoice results, with progress on stderr', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main(['--customers', '300', '--months', '2', '--follow-up-days', '60', '--seed', '4', '--out', directory])).toBe(0);
      const html = readFileSync(join(directory, 'simulation-report.html'), 'utf8');
      for (const id of Object.values(PLOT_IDS)) expect(html).toContain(`id="${id}"`);
      expect(html).toContain('id="experiment-table"');
      const summary = JSON.parse(readFileSync(join(directory, 'simulation-summary.json'), 'utf8')) as { summary: { groups: Array<{ id: string; cases: number }> } };
      expect(summary.summary.groups.map((g) => g.id)).toEqual(['collection-as-before', 'friendly-sms', 'no-action']);
      const lines = readFileSync(join(directory, 'simulation-invoices.jsonl'), 'utf8').trim().split('\n');
      expect(lines.length).toBeGreaterThan(500);
      expect(JSON.parse(lines[0]!)).toHaveProperty('group');
      expect(logs.mock.calls.flat().join('\n')).toContain('paid within 60 d');
      expect(errors.mock.calls.flat().join('\n')).toMatch(/simulator: day \d+\/\d+/);
    } finally {
      errors.mockRestore();
      logs.mockRestore();
    }
  });
});
