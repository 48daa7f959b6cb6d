import { context } from '@opentelemetry/api';
import { withTransaction } from '@dunning/event-store';
import type { BatchContext, ConsumedEvent } from '@dunning/messaging';
import { waitFor } from '@dunning/testing';
import { createInvoiceEventsHandler } from '../src/customer-features/invoice-events.handler';
import { createDunningEventsHandler } from '../src/experiment-arms/dunning-events.handler';
import type { RetrainReport } from '../src/model-registry/model-training.service';
import type { ModelVersionDetail, ModelVersionSummary } from '../src/persistence/model-registry';
import { syntheticWorld } from '../test-support/synthetic-world';
import { startScoring, TestClock, type RunningScoring } from '../test-support/scoring-app';

// The model registry in PostgreSQL behind the running service: retraining on demand and on the
// schedule, champion and challenger, model cards, and scores naming the model version that made them.

const consumed = <T>(values: readonly T[]): ConsumedEvent<T>[] =>
  values.map((value, i) => ({ value, topic: 'seed', partition: 0, offset: String(i), key: null, headers: {}, timestamp: '0', traceContext: context.active() }));
const batchContext = { mode: 'live', groupId: 'seed', topic: 'seed', partition: 0, heartbeat: async () => undefined } as BatchContext;

describe('model registry', () => {
  const clock = new TestClock(new Date('2026-09-01T00:00:00.000Z'));
  let scoring: RunningScoring;
  const world = syntheticWorld({ customers: 400, months: 20, startMonth: '2025-01', seed: 3, experiment: { id: 'exp-2025-arms', share: 0.6 } });

  const http = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${scoring.baseUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    return { status: response.status, body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
  };

  beforeAll(async () => {
    // The scanner is kept out of the way: this test is about training, not about scoring a backlog.
    scoring = await startScoring(clock, { overdueScanIntervalMs: 3_600_000 });
    // Seed through the very handlers the consumers run, in a few large transactions (the Kafka path has its own test).
    const invoices = createInvoiceEventsHandler(scoring.settings, clock.now);
    for (let start = 0; start < world.invoicingEvents.length; start += 4_000) {
      await withTransaction(scoring.runtime.pool, (tx) => invoices(consumed(world.invoicingEvents.slice(start, start + 4_000)), tx, batchContext).then(() => undefined));
    }
    await withTransaction(scoring.runtime.pool, (tx) => createDunningEventsHandler()(consumed(world.dunningEvents), tx, batchContext).then(() => undefined));
  });

  afterAll(async () => {
    await scoring?.close();
  });

  it('retrains on demand, registers a champion with its card, and scores name that version', async () => {
    const trained = await http<RetrainReport & { version: string; role: string }>('POST', '/models/retrain');
    expect(trained.status).toBe(200);
    expect(trained.body.result).toBe('trained');
    expect(trained.body.role).toBe('champion');
    expect(trained.body.version).toMatch(/^pay-without-collection@2026-09-01\.[0-9a-f]{12}$/);

    const listing = await http<{ champion: string; versions: ModelVersionSummary[] }>('GET', '/models');
    expect(listing.body.champion).toBe(trained.body.version);
    const [registered] = listing.body.versions;
    expect(registered).toMatchObject({ version: trained.body.version, role: 'champion', classifier: 'gradient-boosting', seed: 42, trainingWindow: { to: '2026-09-01T00:00:00.000Z' } });
    expect(registered!.featureNames).toContain('late-count-12m');
    expect(registered!.metrics.holdout.rocAuc!).toBeGreaterThan(registered!.metrics.priorOnHoldout.rocAuc!);
    expect(registered!.metrics.uplift?.treatments.map((t) => t.treatment)).toEqual(['collection-handoff', 'sms-reminder']);

    const card = await http<string>('GET', `/models/${encodeURIComponent(trained.body.version)}/card`);
    expect(card.body).toContain(`# Model card: ${trained.body.version}`);
    expect(card.body).toContain('Role at registration: **champion**');

    // An invoice still open: its score names the champion and carries an uplift per learned treatment.
    const open = await scoring.runtime.pool.query(
      `SELECT w.invoice_id FROM scoring.invoice_watch w JOIN scoring.customer_histories h USING (customer_id)
        WHERE w.overdue_at < $1 AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(h.history->'invoices') i WHERE i->>'invoiceId' = w.invoice_id AND i ? 'settled')
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(h.history->'invoices') i WHERE i->>'invoiceId' = w.invoice_id AND jsonb_array_length(i->'handoffs') > 0)
        ORDER BY w.invoice_id LIMIT 1`,
      [clock.now()],
    );
    const invoiceId = open.rows[0].invoice_id as string;
    const scored = await http<{ event: { data: { modelVersion: string; uplift: { treatment: string; effect: number }[]; topReasons: unknown[] } }; basis: string }>('POST', '/scores', { invoiceId });
    expect(scored.status).toBe(201);
    expect(scored.body.basis).toBe('model');
    expect(scored.body.event.data.modelVersion).toBe(trained.body.version);
    expect(scored.body.event.data.uplift.map((u) => u.treatment)).toEqual(['collection-handoff', 'sms-reminder']);
    expect(scored.body.event.data.topReasons.length).toBeGreaterThan(0);
    const stored = await scoring.runtime.pool.query(`SELECT model_version, basis FROM scoring.scores WHERE invoice_id = $1`, [invoiceId]);
    expect(stored.rows).toEqual([{ model_version: trained.body.version, basis: 'model' }]);
  });

  it('the same data and seed retrain to the same version, which is not registered twice', async () => {
    const again = await http<RetrainReport & { version: string }>('POST', '/models/retrain');
    const listing = await http<{ champion: string; versions: ModelVersionSummary[] }>('GET', '/models');
    expect(again.body.result).toBe('unchanged');
    expect(again.body.version).toBe(listing.body.champion);
    expect(listing.body.versions).toHaveLength(1);
  });

  it('the schedule waits for new outcomes, then retrains; one champion at a time', async () => {
    const quiet = await scoring.runtime.training.retrainIfDue();
    expect(quiet.decision.retrain).toBe(false);
    expect(quiet.decision.reason).toMatch(/^0 new outcomes since 2026-09-01T00:00:00.000Z/);

    clock.set('2026-11-15T00:00:00.000Z'); // the windows of the summer's invoices have closed since
    const due = await scoring.runtime.training.retrainIfDue();
    expect(due.decision.retrain).toBe(true);
    expect(due.report?.result).toBe('trained');
    const listing = await http<{ champion: string; challenger: string | null; versions: ModelVersionSummary[] }>('GET', '/models');
    expect(listing.body.versions).toHaveLength(2);
    expect(listing.body.versions.filter((v) => v.role === 'champion')).toHaveLength(1);
    const newest = await http<ModelVersionDetail>('GET', `/models/${encodeURIComponent((due.report as { version: string }).version)}`);
    expect(newest.body.trainingWindow.to).toBe('2026-11-15T00:00:00.000Z');
    expect(newest.body.metrics.training.rows).toBeGreaterThan(listing.body.versions[1]!.metrics.training.rows);
    if (newest.body.role === 'champion') {
      expect(newest.body.metrics.championOnHoldout?.version).toBe(listing.body.versions[1]!.version);
    } else {
      // Kept as challenger: scored in the shadow and promotable by hand.
      expect(listing.body.challenger).toBe(newest.body.version);
      expect((await http('POST', `/models/${encodeURIComponent(newest.body.version)}/promote`)).status).toBe(200);
      await waitFor(async () => (await http<{ champion: string }>('GET', '/models')).body.champion === newest.body.version, { description: 'the promoted champion served' });
    }
    const runs = await scoring.runtime.pool.query(`SELECT trigger, result FROM scoring.training_runs ORDER BY run_id`);
    expect(runs.rows).toEqual([
      { trigger: 'on-demand', result: 'trained' },
      { trigger: 'on-demand', result: 'unchanged' },
      { trigger: 'schedule', result: 'trained' },
    ]);
  });
});
