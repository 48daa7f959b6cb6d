import { ServiceAdmin } from './service-admin';

type Call = { method: string; url: string; headers: Record<string, string>; body?: string };

function fakeFetch(answers: Record<string, { status: number; body: unknown }>, calls: Call[]): typeof fetch {
  return (async (url: string | URL, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push({ method, url: String(url), headers: (init?.headers ?? {}) as Record<string, string>, ...(init?.body ? { body: String(init.body) } : {}) });
    const answer = answers[`${method} ${new URL(String(url)).pathname}`] ?? { status: 404, body: { message: 'no route' } };
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

describe('one service’s admin surface for simulated time', () => {
  it('moves the clock with PUT /admin/clock {now}, with the service’s headers, and sums the due work it reports', async () => {
    const calls: Call[] = [];
    const admin = new ServiceAdmin(
      { name: 'invoicing', url: 'http://127.0.0.1:3001', headers: { 'x-api-key': 'operator-key' } },
      { fetch: fakeFetch({ 'PUT /admin/clock': { status: 200, body: { now: '2026-01-02T11:00:00.000Z', work: { lateness: 3, planBreaks: 0 } } } }, calls) },
    );
    await admin.advanceTo(new Date('2026-01-02T11:00:00Z'));
    await admin.advanceTo(new Date('2026-01-03T11:00:00Z'));
    expect(calls[0]).toMatchObject({ method: 'PUT', url: 'http://127.0.0.1:3001/admin/clock', body: '{"now":"2026-01-02T11:00:00.000Z"}' });
    expect(calls[0]?.headers['x-api-key']).toBe('operator-key');
    expect(admin.workDone).toEqual({ lateness: 6, planBreaks: 0 });
  });

  it('fails loudly with the status and the service’s message (a system clock answers 409)', async () => {
    const admin = new ServiceAdmin({ name: 'scoring', url: 'http://127.0.0.1:3002' }, { fetch: fakeFetch({ 'PUT /admin/clock': { status: 409, body: { message: 'the clock is the system clock' } } }, []) });
    await expect(admin.advanceTo(new Date('2026-01-02T11:00:00Z'))).rejects.toThrow('scoring: PUT /admin/clock answered HTTP 409: {"message":"the clock is the system clock"}');
  });

  it('reads quiescence: quiet as the service says, and names what is still pending', async () => {
    const busy = new ServiceAdmin({ name: 'notifier', url: 'http://n' }, { fetch: fakeFetch({ 'GET /admin/quiescence': { status: 200, body: { quiet: false, pending: { consumerLag: 0, outboxPending: 4, deliveriesDue: 2 } } } }, []) });
    expect(await busy.check()).toEqual({ quiet: false, detail: 'outboxPending 4, deliveriesDue 2' });
    const quiet = new ServiceAdmin({ name: 'notifier', url: 'http://n' }, { fetch: fakeFetch({ 'GET /admin/quiescence': { status: 200, body: { quiet: true, pending: { consumerLag: 0 } } } }, []) });
    expect(await quiet.check()).toEqual({ quiet: true, detail: 'quiet' });
    const odd = new ServiceAdmin({ name: 'notifier', url: 'http://n' }, { fetch: fakeFetch({ 'GET /admin/quiescence': { status: 200, body: { pending: {} } } }, []) });
    await expect(odd.check()).rejects.toThrow('without a "quiet" boolean');
  });

  it('reads the clock’s mode and instant', async () => {
    const admin = new ServiceAdmin({ name: 'collection-handoff', url: 'http://c' }, { fetch: fakeFetch({ 'GET /admin/clock': { status: 200, body: { mode: 'simulated', now: '2025-12-31T00:00:00.000Z' } } }, []) });
    expect(await admin.clock()).toEqual({ mode: 'simulated', now: '2025-12-31T00:00:00.000Z' });
  });
});

describe('a clock move that fails inside the service', () => {
  it('is tried again on 5xx (the same instant: safe), and given up after the last attempt', async () => {
    let calls = 0;
    const flaky = (async () => {
      calls += 1;
      return calls < 3 ? new Response('{"statusCode":500,"message":"Internal server error"}', { status: 500 }) : new Response('{"now":"2026-01-02T11:00:00.000Z","work":{"timersFired":2}}', { status: 200 });
    }) as unknown as typeof fetch;
    const admin = new ServiceAdmin({ name: 'dunning-orchestrator', url: 'http://o' }, { fetch: flaky });
    await admin.advanceTo(new Date('2026-01-02T11:00:00Z'));
    expect({ calls, retries: admin.retries, work: admin.workDone }).toEqual({ calls: 3, retries: 2, work: { timersFired: 2 } });
    const broken = new ServiceAdmin({ name: 'dunning-orchestrator', url: 'http://o' }, { attempts: 2, fetch: (async () => new Response('{}', { status: 503 })) as unknown as typeof fetch });
    await expect(broken.advanceTo(new Date('2026-01-02T11:00:00Z'))).rejects.toThrow('dunning-orchestrator: PUT /admin/clock answered HTTP 503');
    expect(broken.retries).toBe(1);
  });
});
