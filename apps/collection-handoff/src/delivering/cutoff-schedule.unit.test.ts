import { latestCutoff } from './delivery-worker';

describe('file agency cut-off schedule', () => {
  it('daily: today at the time once it has passed, else yesterday; the batch id is the cut-off in UTC', () => {
    expect(latestCutoff(new Date('2026-05-10T16:00:00Z'), { dailyAtUtc: '16:00' })).toEqual({ cutoffAt: new Date('2026-05-10T16:00:00Z'), batchId: '20260510T1600Z' });
    expect(latestCutoff(new Date('2026-05-10T15:59:59Z'), { dailyAtUtc: '16:00' }).batchId).toBe('20260509T1600Z');
    expect(latestCutoff(new Date('2026-01-01T00:10:00Z'), { dailyAtUtc: '23:30' }).batchId).toBe('20251231T2330Z');
  });

  it('every N minutes: the last boundary', () => {
    expect(latestCutoff(new Date('2026-05-10T06:07:30Z'), { everyMinutes: 5 }).batchId).toBe('20260510T0605Z');
    expect(latestCutoff(new Date('2026-05-10T06:07:30Z'), { everyMinutes: 1 }).batchId).toBe('20260510T0607Z');
  });
});
