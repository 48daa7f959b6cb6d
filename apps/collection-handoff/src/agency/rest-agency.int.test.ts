import { someClaim } from '../domain/testing/fixtures';
import { AgencyMock, ensureWireMock } from '../../test-support/wiremock';
import { RestAgency } from './rest-agency';

// The REST agency client against a real HTTP server (WireMock, deploy/local/peers/wiremock.sh):
// timeouts, 5xx, repeated idempotency keys. Nothing is lost and the agency never gets two cases.

const noWait = async (): Promise<void> => undefined;

describe('REST agency client against WireMock', () => {
  let mock: AgencyMock;
  beforeAll(async () => {
    await ensureWireMock();
  });
  beforeEach(() => {
    mock = new AgencyMock();
  });
  afterEach(async () => {
    await mock.cleanUp();
  });

  const client = (overrides: Partial<ConstructorParameters<typeof RestAgency>[0]> = {}) =>
    new RestAgency({ agencyId: 'agency-se', baseUrl: mock.baseUrl, timeoutMs: 1_000, maxAttempts: 4, sleep: noWait, bearerToken: 'test-token', ...overrides });

  it('sends the claim with Idempotency-Key = the hand-off id and records the agency reference', async () => {
    await mock.stub({ method: 'POST', url: '/claims', headers: { 'Idempotency-Key': { equalTo: 'ho-1' } }, status: 201, jsonBody: { reference: 'AG-1' } });
    const receipt = await client().submitClaim(someClaim());
    expect(receipt).toEqual({ handoffId: 'ho-1', outcome: 'accepted', duplicate: false, agencyReference: 'AG-1' });
    const [request, ...others] = await mock.requests('POST', '/claims');
    expect(others).toHaveLength(0);
    expect(request!.headers['idempotency-key']).toBe('ho-1');
    expect(request!.headers['authorization']).toBe('Bearer test-token');
    expect(JSON.parse(request!.body)).toMatchObject({ handoffId: 'ho-1', invoiceId: 'inv-1', total: { minor: 29_900, currency: 'SEK' }, payBy: '2026-05-20' });
  });

  it('timeout: the first answer comes too late, the retry with the same key gets 200 for the claim the agency already stored', async () => {
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 'slow', requiredState: 'Started', newState: 'stored' }, status: 201, jsonBody: { reference: 'AG-7' }, fixedDelayMilliseconds: 2_500 });
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 'slow', requiredState: 'stored' }, headers: { 'Idempotency-Key': { equalTo: 'ho-1' } }, status: 200, jsonBody: { reference: 'AG-7' } });
    const started = Date.now();
    const receipt = await client({ timeoutMs: 400 }).submitClaim(someClaim());
    expect(receipt).toEqual({ handoffId: 'ho-1', outcome: 'accepted', duplicate: true, agencyReference: 'AG-7' });
    expect(Date.now() - started).toBeLessThan(2_500); // it gave up on the slow answer
    const requests = await mock.requests('POST', '/claims');
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual(['ho-1', 'ho-1']);
  });

  it('5xx: 503 then 500 then 201 — three attempts, one case', async () => {
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 'flaky', requiredState: 'Started', newState: 'second' }, status: 503, jsonBody: { error: 'maintenance' } });
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 'flaky', requiredState: 'second', newState: 'third' }, status: 500 });
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 'flaky', requiredState: 'third', newState: 'stored' }, status: 201, jsonBody: { reference: 'AG-9' } });
    const sleeps: number[] = [];
    const receipt = await client({ sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 }).submitClaim(someClaim());
    expect(receipt).toMatchObject({ outcome: 'accepted', duplicate: false, agencyReference: 'AG-9' });
    expect(sleeps).toEqual([100, 200]); // full jitter at 0.5 of 200 ms, then of 400 ms
    expect(await mock.requests('POST', '/claims')).toHaveLength(3);
  });

  it('an agency down for longer than the attempts: retry later, lose nothing; the next round delivers once', async () => {
    await mock.stub({ method: 'POST', url: '/claims', status: 503 });
    const first = await client().submitClaim(someClaim());
    expect(first).toEqual({ handoffId: 'ho-1', outcome: 'retry-later', reason: 'HTTP 503 after 4 attempts' });
    await mock.cleanUp();
    await mock.stub({ method: 'POST', url: '/claims', status: 201, jsonBody: { reference: 'AG-2' } });
    expect(await client().submitClaim(someClaim())).toMatchObject({ outcome: 'accepted', agencyReference: 'AG-2' });
    const keys = (await mock.requests('POST', '/claims')).map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual(['ho-1', 'ho-1', 'ho-1', 'ho-1', 'ho-1']);
  });

  it('no answer at all (connection refused) is retried too, then left for later', async () => {
    const receipt = await new RestAgency({ agencyId: 'x', baseUrl: 'http://127.0.0.1:9', maxAttempts: 2, sleep: noWait }).submitClaim(someClaim());
    expect(receipt).toMatchObject({ outcome: 'retry-later' });
    expect(receipt.outcome === 'retry-later' && receipt.reason).toMatch(/network error .* after 2 attempts/);
  });

  it('duplicate delivery of our request (a crash after sending, before recording): the agency answers 409, we count it as the same case', async () => {
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 'dup', requiredState: 'Started', newState: 'stored' }, status: 201, jsonBody: { reference: 'AG-3' } });
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 'dup', requiredState: 'stored' }, status: 409, jsonBody: { reference: 'AG-3', error: 'duplicate idempotency key' } });
    const first = await client().submitClaim(someClaim());
    const again = await client().submitClaim(someClaim());
    expect(first).toMatchObject({ outcome: 'accepted', duplicate: false, agencyReference: 'AG-3' });
    expect(again).toMatchObject({ outcome: 'accepted', duplicate: true, agencyReference: 'AG-3' });
  });

  it('a 4xx refusal is not retried in a loop: it is left for later with the status', async () => {
    await mock.stub({ method: 'POST', url: '/claims', status: 422, jsonBody: { error: 'unprocessable' } });
    expect(await client().submitClaim(someClaim())).toEqual({ handoffId: 'ho-1', outcome: 'retry-later', reason: 'agency refused the claim with HTTP 422' });
    expect(await mock.requests('POST', '/claims')).toHaveLength(1);
  });

  it('recalls with their own idempotency key; 404 means the agency never got the claim', async () => {
    await mock.stub({ method: 'POST', url: '/claims/ho-1/recall', headers: { 'Idempotency-Key': { equalTo: 'recall-ho-1' } }, status: 202 });
    await mock.stub({ method: 'POST', url: '/claims/ho-2/recall', status: 404 });
    const receipt = await client().send({
      batchId: 'b1',
      cutoffAt: new Date(),
      claims: [],
      recalls: [
        { handoffId: 'ho-1', collectionCaseId: 'cc-1', reason: 'paid', requestedAt: '2026-05-11T09:00:00Z' },
        { handoffId: 'ho-2', collectionCaseId: 'cc-2', reason: 'disputed', requestedAt: '2026-05-11T09:00:00Z' },
      ],
    });
    expect(receipt.recalls).toEqual([
      { handoffId: 'ho-1', outcome: 'recalled', agencyKnewCase: true },
      { handoffId: 'ho-2', outcome: 'recalled', agencyKnewCase: false },
    ]);
    const [recall] = await mock.requests('POST', '/claims/ho-1/recall');
    expect(JSON.parse(recall!.body)).toEqual({ reason: 'paid', requestedAt: '2026-05-11T09:00:00Z' });
  });

  it("lists the agency's cases for reconciliation", async () => {
    await mock.stub({ method: 'GET', url: '/claims', status: 200, jsonBody: { claims: [{ handoffId: 'ho-1', status: 'open' }, { handoffId: 'ho-2', status: 'paid' }] } });
    expect(await client().listCases()).toEqual([
      { handoffId: 'ho-1', status: 'open' },
      { handoffId: 'ho-2', status: 'paid' },
    ]);
  });
});
