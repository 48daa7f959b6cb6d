import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { classifyHistory } from './history';
import { InvalidPolicyError, parsePolicy } from './parse-policy';
import { policyVersionOf } from './policy-schema';
import { selectSegment, type SegmentationFacts } from './segmentation';
import { loadPolicy } from '../testing/case-harness';

const policiesDir = path.resolve(__dirname, '../../../policies');
const policy = loadPolicy();

function invalid(mutate: (document: Record<string, unknown>) => void): string[] {
  const document = structuredClone(policy) as unknown as Record<string, unknown>;
  mutate(document);
  try {
    parsePolicy(stringify(document), 'mutated');
  } catch (error) {
    if (error instanceof InvalidPolicyError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('policy files', () => {
  it.each(readdirSync(policiesDir).filter((file) => file.endsWith('.yaml')))('%s is valid and versioned', (file) => {
    const parsed = parsePolicy(readFileSync(path.join(policiesDir, file), 'utf8'), file);
    expect(policyVersionOf(parsed)).toMatch(/^[a-z0-9-]+@\d+(\.\d+)*$/);
  });

  it('rejects unknown keys, broken references and a missing catch-all segment, with the path', () => {
    expect(invalid((d) => ((d['segments'] as { flow: string }[])[0]!.flow = 'no-such-flow'))).toEqual(['(policy): segment likely-to-pay names unknown flow no-such-flow']);
    expect(invalid((d) => ((d['segments'] as { when: Record<string, unknown> }[])[0]!.when['age'] = { atLeast: 30 })).join()).toMatch(/segments\.0\.when: Unrecognized key: "age"/);
    expect(invalid((d) => (d['segments'] as unknown[]).pop()).join()).toMatch(/must have no conditions/);
    expect(invalid((d) => ((d['beforeDue'] as { steps: { at: unknown }[] }).steps[0]!.at = { daysFromDue: 4 })).join()).toMatch(/daysFromDue <= 0/);
    expect(invalid((d) => ((d['flows'] as Record<string, { steps: { fee?: unknown }[] }>)['standard']!.steps[2]!.fee = { reminderFee: { SEK: 12.5 } })).join()).toMatch(/flows\.standard\.steps\.2\.fee\.reminderFee\.SEK/);
    expect(() => parsePolicy('id: [unclosed', 'broken.yaml')).toThrow(/broken\.yaml/);
  });

  it('accepts an arm whose flow is by-segment, reserves that name, and rejects experiments whose windows overlap', () => {
    const mainJob = loadPolicy('main-job.yaml');
    const mutateMainJob = (mutate: (document: Record<string, unknown>) => void): string[] => {
      const document = structuredClone(mainJob) as unknown as Record<string, unknown>;
      mutate(document);
      try {
        parsePolicy(stringify(document), 'mutated');
      } catch (error) {
        if (error instanceof InvalidPolicyError) return [...error.issues];
        throw error;
      }
      return [];
    };
    expect(mainJob.experiments.map((e) => [e.id, e.start, e.end, e.arms.map((arm) => `${arm.id}:${arm.flow}`)])).toEqual([
      ['collection-vs-friendly', '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z', ['collection-as-before:classic-collection', 'friendly-sms:friendly-sms', 'no-action:no-action']],
      ['ml-vs-collection', '2026-05-01T00:00:00Z', '2027-01-01T00:00:00Z', ['collection-as-before:classic-collection', 'ml-policy:by-segment']],
    ]);
    type Doc = { experiments: { start: string; arms: { flow: string }[] }[]; flows: Record<string, unknown> };
    // Any other unknown flow on an arm is still an error.
    expect(mutateMainJob((d) => ((d as unknown as Doc).experiments[1]!.arms[1]!.flow = 'by-segmnet'))).toEqual(['(policy): experiment ml-vs-collection arm ml-policy names unknown flow by-segmnet']);
    // A flow may not take the reserved name.
    const flows = (mainJob as unknown as Doc).flows;
    expect(mutateMainJob((d) => ((d as unknown as Doc).flows = { ...flows, 'by-segment': flows['gentle'] }))).toEqual([
      "(policy): flow by-segment is reserved for experiment arms that keep the segment's flow; give the flow another name",
    ]);
    // The second experiment starting one second before the first ends: a case could be eligible for both.
    expect(mutateMainJob((d) => ((d as unknown as Doc).experiments[1]!.start = '2026-04-30T23:59:59Z'))).toEqual([
      '(policy): experiments collection-vs-friendly and ml-vs-collection overlap in time ([start, end) windows must not overlap, so a case is never eligible for both)',
    ]);
  });
});

describe('segmentation', () => {
  const facts: SegmentationFacts = { historyClass: 'occasionally-late', outstanding: { minor: 80_000, currency: 'SEK' }, customerType: 'consumer', country: 'SE' };

  it('chooses the first matching segment and says why', () => {
    expect(selectSegment(policy, { ...facts, score: { modelVersion: 'm1', probabilityPayWithoutCollection: 0.9, scoredAt: '2026-01-01T00:00:00Z' } })).toEqual({
      segmentId: 'likely-to-pay',
      flowId: 'gentle',
      reasons: ['probabilityPayWithoutCollection 0.9 >= 0.8'],
    });
    expect(selectSegment(policy, { ...facts, historyClass: 'habitually-late' }).segmentId).toBe('habitually-late-large');
    expect(selectSegment(policy, { ...facts, historyClass: 'habitually-late', outstanding: { minor: 10_000, currency: 'SEK' } }).segmentId).toBe('everyone-else');
    // With a score the rule-based segment (hasScore: false) no longer applies.
    expect(selectSegment(policy, { ...facts, historyClass: 'habitually-late', score: { modelVersion: 'm1', probabilityPayWithoutCollection: 0.5, scoredAt: '2026-01-01T00:00:00Z' } }).segmentId).toBe('everyone-else');
  });

  it('classifies payment history: new, first time late after years, habitually late', () => {
    const rules = policy.segmentation.history;
    const paidOnTime = Array.from({ length: 24 }, (_, i) => ({ invoiceId: `i${i}`, dueDate: `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-28`, settledOn: `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-28` }));
    expect(classifyHistory({ customerSince: '2026-01-01', invoices: [], paymentDates: [] }, '2026-04-01', 'x', rules).historyClass).toBe('new-customer');
    expect(classifyHistory({ customerSince: '2019-01-01', invoices: paidOnTime, paymentDates: [] }, '2026-04-01', 'x', rules).historyClass).toBe('first-time-late');
    const fourLate = paidOnTime.map((invoice, i) => (i >= 20 ? { ...invoice, settledOn: addTen(invoice.dueDate) } : invoice));
    expect(classifyHistory({ customerSince: '2019-01-01', invoices: fourLate, paymentDates: [] }, '2026-04-01', 'x', rules)).toMatchObject({ historyClass: 'habitually-late', lateInLookback: 4 });
    const oneLate = paidOnTime.map((invoice, i) => (i === 23 ? { ...invoice, settledOn: addTen(invoice.dueDate) } : invoice));
    expect(classifyHistory({ customerSince: '2019-01-01', invoices: oneLate, paymentDates: [] }, '2026-04-01', 'x', rules).historyClass).toBe('occasionally-late');
  });
});

function addTen(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10);
}
