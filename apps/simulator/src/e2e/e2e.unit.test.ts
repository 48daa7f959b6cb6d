import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { epochDayOf } from '../domain/calendar';
import { summarizeExperiment } from '../report/experiment-summary';
import type { InvoiceResult, SimulationResults } from '../domain/simulation';
import { headlineLines, ML_PHASE, mlHeadline, modelCaveat } from './e2e-report';
import { agencyWiring, apiKeyOf, parseEnvironmentLines } from './platform-wiring';
import { middayInstant } from './run-e2e';
import { switchToMlPolicy } from './ml-switch';

describe('the end-to-end wiring, read from platform.sh env', () => {
  it('KEY=VALUE lines, values may hold "="', () => {
    expect(parseEnvironmentLines('A=1\nINVOICING_API_KEYS=billing=k1=:write,operator=k2:read+admin\n\n')).toEqual({ A: '1', INVOICING_API_KEYS: 'billing=k1=:write,operator=k2:read+admin' });
    expect(() => parseEnvironmentLines('no equals sign')).toThrow('not a KEY=VALUE line');
  });

  it('finds the operator key among the API keys', () => {
    const keys = 'billing=AbC-1_x:write,operator=Op_9-z:read+admin,notifier=n1:contacts';
    expect(apiKeyOf(keys, 'operator')).toBe('Op_9-z');
    expect(apiKeyOf(keys, 'billing')).toBe('AbC-1_x');
    expect(apiKeyOf(keys, 'nobody')).toBeUndefined();
  });

  it('reads the agencies: REST ones by their claims path at WireMock, batch ones by their drop folder', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'agencies-'));
    try {
      const file = join(directory, 'agencies.json');
      writeFileSync(
        file,
        JSON.stringify({
          agencies: [
            { agencyId: 'inkasso-se', channel: 'api', api: { baseUrl: 'http://127.0.0.1:8089/inkasso-se/v1/' } },
            { agencyId: 'inkasso-de', channel: 'batch', batch: { dropDir: join(directory, 'de/outbound') } },
          ],
        }),
      );
      expect(await agencyWiring(file)).toEqual({
        rest: [{ agencyId: 'inkasso-se', wiremockUrl: 'http://127.0.0.1:8089', claimsPath: '/inkasso-se/v1/claims' }],
        batch: [{ agencyId: 'inkasso-de', dropDir: join(directory, 'de/outbound') }],
      });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('the day’s clock instant', () => {
  it('midday local time: 11:00 UTC in winter and 10:00 UTC in summer for Stockholm and Berlin', () => {
    const noon = middayInstant(12 * 60);
    expect(noon(epochDayOf('2026-01-15'), ['Europe/Stockholm', 'Europe/Berlin']).toISOString()).toBe('2026-01-15T11:00:00.000Z');
    expect(noon(epochDayOf('2026-06-15'), ['Europe/Stockholm']).toISOString()).toBe('2026-06-15T10:00:00.000Z');
    // the latest of the zones: everyone has reached midday
    expect(noon(epochDayOf('2026-01-15'), ['Europe/Stockholm', 'Europe/London']).toISOString()).toBe('2026-01-15T12:00:00.000Z');
  });
});

function invoice(id: string, customerId: string, over: Partial<InvoiceResult>): InvoiceResult {
  return {
    invoiceId: id,
    customerId,
    brand: 'b',
    country: 'SE',
    currency: 'SEK',
    customerType: 'consumer',
    hiddenType: 'forgetful',
    issuedDate: '2026-05-01',
    dueDate: '2026-05-20',
    amountMinor: 10_000,
    creditedMinor: 0,
    paidMinor: 0,
    recoveredMinor: 0,
    lateAfterDueDay: true,
    settledBy: null,
    settledDaysSinceDue: null,
    payments: [],
    handoffDaysSinceDue: null,
    contacts: [],
    disputed: false,
    paymentPlan: false,
    customerLeftDaysSinceDue: null,
    ...over,
  };
}

describe('the ML-vs-collection headline', () => {
  it('relative reduction of hand-offs, recovery, churn and the seeds’ target from the phase-2 arms', () => {
    const invoices: InvoiceResult[] = [];
    const assignments = new Map<string, string>();
    // 100 cases per arm: collection hands off 40 (all pay 60 % of cases), ML hands off 4, pays as much, fewer leave
    for (let i = 0; i < 200; i += 1) {
      const ml = i >= 100;
      const k = i % 100;
      const paid = k < 60;
      invoices.push(
        invoice(`i${i}`, `c${i}`, {
          settledBy: paid ? 'payment' : null,
          settledDaysSinceDue: paid ? 20 : null,
          payments: paid ? [{ daysSinceDue: 20, amountMinor: 10_000 }] : [],
          handoffDaysSinceDue: (ml ? k < 4 : k < 40) ? 31 : null,
          customerLeftDaysSinceDue: (ml ? k < 3 : k < 8) ? 40 : null,
        }),
      );
      assignments.set(`i${i}`, `ml-vs-collection/${ml ? 'ml-policy' : 'collection-as-before'}`);
    }
    const results = { seed: 1, firstDay: '2026-01-01', lastDay: '2026-12-31', lastInvoiceDay: '2026-06-30', invoices, customers: invoices.map((i) => ({ customerId: i.customerId, brand: 'b', country: 'SE', customerType: 'consumer', hiddenType: 'forgetful', invoices: 1, contacts: 1, contactsAfterDue: 1, leftOn: null })), unmatchedMessages: 0 } satisfies SimulationResults;
    const summary = summarizeExperiment({
      results,
      assignments,
      groups: ML_PHASE.arms.map((arm) => ({ id: `ml-vs-collection/${arm.id}`, label: arm.label })),
      controlGroup: 'ml-vs-collection/collection-as-before',
    });
    const headline = mlHeadline(summary);
    if (!headline) throw new Error('no headline');
    expect(headline.cases).toEqual({ control: 100, treatment: 100 });
    expect(headline.handoffRates.control.estimate).toBeCloseTo(0.4, 12);
    expect(headline.handoffRates.treatment.estimate).toBeCloseTo(0.04, 12);
    expect(headline.handoffReduction.estimate).toBeCloseTo(0.9, 12);
    expect(headline.recoveryShare.difference.estimate).toBeCloseTo(0, 12);
    expect(headline.target).toEqual({ handoffs: true, revenue: true, churn: true });
    const lines = headlineLines(headline).join('\n');
    expect(lines).toContain('90.0 % fewer');
    expect(lines).toContain('target ≥ 80 %: met');
    expect(lines).toContain('SEK 6,000 of SEK 10,000');
  });
});

describe('the caveat when no model was learnt', () => {
  it('is said only when scoring could not train at the switch', () => {
    const base = { at: '2026-05-01T00:00:00.000Z', trainingRows: 113, upliftTreatments: [], upliftDetail: [], trainingMs: undefined };
    expect(modelCaveat({ mlSwitch: { ...base, version: undefined, how: 'not trained', reason: '113 labelled outcomes, at least 200 needed' } })[0]).toContain('could not train at the switch (113 labelled outcomes, at least 200 needed)');
    expect(modelCaveat({ mlSwitch: { ...base, version: 'm-1', how: 'trained and promoted by its rule', reason: 'better than the prior' } })).toEqual([]);
    expect(modelCaveat({ mlSwitch: undefined })).toEqual([]);
  });
});

describe('switchToMlPolicy: what the retrain answer says about the model', () => {
  const answer = (body: unknown, status = 200): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('takes the rows of a trained model from its metrics and promotes a challenger', async () => {
    const calls: string[] = [];
    const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
      const path = `${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`;
      calls.push(path);
      if (path === 'POST /models/retrain')
        return answer({ result: 'trained', version: 'gbdt@7', role: 'challenger', reason: 'holdout below the champion', metrics: { training: { rows: 142 }, uplift: { treatments: [{ treatment: 'collection-handoff', rows: 41, observedEffect: 0.07 }] } } });
      if (path === 'GET /models') return answer({ champion: 'gbdt@7' });
      return answer({});
    }) as typeof fetch;
    const record = await switchToMlPolicy({ scoringUrl: 'http://127.0.0.1:1', at: '2026-05-01T00:00:00.000Z', fetch: fetchImpl });
    expect(record.trainingRows).toBe(142);
    expect(record.version).toBe('gbdt@7');
    expect(record.upliftDetail).toEqual([{ treatment: 'collection-handoff', rows: 41, observedEffect: 0.07 }]);
    expect(calls).toContain('POST /models/gbdt%407/promote');
  });

  it('keeps the count of an insufficient answer and names no model', async () => {
    const fetchImpl = (async () => answer({ result: 'insufficient', reason: '60 labelled outcomes, at least 100 needed', labelledRows: 60 })) as typeof fetch;
    const record = await switchToMlPolicy({ scoringUrl: 'http://127.0.0.1:1', at: '2026-05-01T00:00:00.000Z', fetch: fetchImpl });
    expect(record).toMatchObject({ version: undefined, how: 'not trained', trainingRows: 60 });
  });
});
