import { decodeRecord, encodeBinary } from '../cloudevents/codec';
import { fixtureToRecord } from '../fixtures/golden-record';
import { readGoldenFixtures } from '../fixtures/read-golden-fixtures';
import { scoringEventRegistry } from '../scoring/scoring-events';
import { dunningEventRegistry, type DunningEventOf } from './dunning-events';

// The decision fields added within v1 (reason, segment, flow, pay-by date, interest, flat fee, legal
// adjustments, fallback channels, bucket): optional, but precise when present.

const golden = (file: string) => {
  const found = readGoldenFixtures().find((candidate) => candidate.file === file);
  if (!found) throw new Error(`no golden fixture ${file}`);
  const result = decodeRecord(fixtureToRecord(found.fixture), dunningEventRegistry);
  if (!result.ok) throw new Error(result.error.reason);
  return result.event;
};

const reminder = golden('dunning.actions.v1/dunning.reminder.requested.v1.binary.explained.json') as DunningEventOf<'dunning.reminder.requested.v1'>;
const armAssigned = golden('dunning.actions.v1/dunning.experiment.arm-assigned.v1.binary.with-bucket.json') as DunningEventOf<'dunning.experiment.arm-assigned.v1'>;

function reasonOfBroken(data: Record<string, unknown>, base: { data: object } = reminder): string {
  const result = decodeRecord(encodeBinary({ ...base, data: { ...base.data, ...data } } as typeof reminder), dunningEventRegistry);
  return result.ok ? 'accepted' : result.error.reason;
}

describe('dunning.actions.v1 decision fields', () => {
  it('decodes a reminder with every new field typed', () => {
    expect(reminder.data).toMatchObject({
      decisionReason: expect.stringMatching(/^step letter of flow firm/),
      segmentId: 'collection-helps',
      flowId: 'firm',
      payBy: '2026-05-07',
      fallbackChannels: ['email'],
      businessCompensation: { minor: 4000, currency: 'EUR' },
      interest: { from: '2026-04-01', to: '2026-04-27', amount: { minor: 759, currency: 'EUR' } },
      legalAdjustments: [{ rule: 'DE.reminder-fee.actual-cost', effect: 'capped' }],
    });
    expect(armAssigned.data).toMatchObject({ bucket: 0.4172, flowId: 'friendly' });
  });

  it('still decodes a reminder without any of them (older producers)', () => {
    const { decisionReason: _r, segmentId: _s, flowId: _f, payBy: _p, interest: _i, businessCompensation: _b, legalAdjustments: _l, fallbackChannels: _c, ...older } = reminder.data;
    const result = decodeRecord(encodeBinary({ ...reminder, data: older }), dunningEventRegistry);
    expect(result).toEqual({ ok: true, event: { ...reminder, data: older } });
  });

  it.each([
    [{ payBy: '2026-02-30' }, 'data.payBy: expected a real calendar date as YYYY-MM-DD'],
    [{ interest: { ...reminder.data.interest, amount: { minor: 7.59, currency: 'EUR' } } }, 'data.interest.amount.minor: expected a non-negative integer number of minor units'],
    [{ interest: { ...reminder.data.interest, periods: [{ from: '2026-04-01', to: '2026-04-27', annualRateBps: 10.27, baseRateBps: 127 }] } }, 'data.interest.periods[0].annualRateBps: expected the annual rate as a whole number of basis points'],
    [{ businessCompensation: { minor: 0, currency: 'EUR' } }, 'data.businessCompensation.minor: expected a positive integer number of minor units'],
    [{ fallbackChannels: ['email', 'pigeon'] }, "data.fallbackChannels[1]: expected a channel: 'sms', 'email' or 'letter'"],
    [{ decisionReason: 'x'.repeat(501) }, 'data.decisionReason: expected the reason for the decision of at most 500 characters'],
    [{ segmentId: '' }, 'data.segmentId: expected the segment of the policy the case is in as a non-empty string'],
    [{ legalAdjustments: [{ rule: 'DE reminder fee', effect: 'capped', detail: '' }] }, 'data.legalAdjustments[0].rule: expected the rule as a dotted name'],
    [{ legalAdjustments: [{ rule: 'DE.x', effect: 'Capped!', detail: '' }] }, 'data.legalAdjustments[0].effect: expected what the rule did to what the policy asked for as a kebab-case code'],
  ])('rejects %j precisely', (change, reason) => {
    expect(reasonOfBroken(change)).toContain(reason);
  });

  it('keeps the bucket in [0, 1)', () => {
    expect(reasonOfBroken({ bucket: 1 }, armAssigned)).toContain('data.bucket: expected the bucket as a number in [0, 1)');
    expect(reasonOfBroken({ bucket: -0.1 }, armAssigned)).toContain('data.bucket: expected the bucket as a number in [0, 1)');
    expect(reasonOfBroken({ bucket: 0 }, armAssigned)).toBe('accepted');
  });

  it('accepts new legal-adjustment effects and skip codes (codes may grow within v1)', () => {
    expect(reasonOfBroken({ legalAdjustments: [{ rule: 'general.fee-in-invoice-currency', effect: 'converted', detail: 'fee in SEK, invoice in EUR' }] })).toBe('accepted');
  });
});

describe('scoring.scores.v1 reasons in words', () => {
  const file = readGoldenFixtures().find((candidate) => candidate.file === 'scoring.scores.v1/scoring.score.computed.v1.binary.with-text.json');
  if (!file) throw new Error('missing golden score with text');
  const decoded = decodeRecord(fixtureToRecord(file.fixture), scoringEventRegistry);
  if (!decoded.ok) throw new Error(decoded.error.reason);
  const score = decoded.event;

  it('carries optional text per reason', () => {
    expect(score.data.topReasons[0]).toEqual({ feature: 'late-count-12m', contribution: -0.12, text: 'Paid late 5 times in the last 12 months: lowers the chance of paying without collection' });
  });

  it('bounds the text', () => {
    const long = { ...score, data: { ...score.data, topReasons: [{ feature: 'late-count-12m', contribution: -0.12, text: 'x'.repeat(301) }] } };
    const result = decodeRecord(encodeBinary(long), scoringEventRegistry);
    expect(result.ok ? 'accepted' : result.error.reason).toContain('data.topReasons[0].text: expected the reason in words of at most 300 characters');
    const empty = { ...score, data: { ...score.data, topReasons: [{ feature: 'late-count-12m', contribution: -0.12, text: '' }] } };
    const emptyResult = decodeRecord(encodeBinary(empty), scoringEventRegistry);
    expect(emptyResult.ok ? 'accepted' : emptyResult.error.reason).toContain('data.topReasons[0].text: expected the reason in words as a non-empty string');
  });
});
