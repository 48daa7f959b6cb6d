import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeIntegrationRecord, fixtureToRecord, TOPICS, type DunningEvent, type GoldenFixture } from '@dunning/contracts';
import type { BatchContext, ConsumedEvent, SqlClient } from '@dunning/messaging';
import type { DeliveryStore, StoredRequest } from '../deliveries/delivery-store';
import { handleActionRequests } from './handle-records';

// The reminder request's decision fields reach the stored request the dispatcher renders from.

const fixturesDir = path.resolve(__dirname, '../../../../libs/contracts/test-fixtures/dunning.actions.v1');
function goldenRequest(file: string): DunningEvent {
  const fixture = JSON.parse(readFileSync(path.join(fixturesDir, file), 'utf8')) as GoldenFixture;
  const decoded = decodeIntegrationRecord(TOPICS.dunningActions, fixtureToRecord(fixture));
  if (!decoded.ok) throw new Error(decoded.error.reason);
  return decoded.event;
}

// Deliberately unlike the policy's, so the test tells which one was used.
const configuredFallbacks = { sms: ['email'], email: ['sms'], letter: ['sms'] } as const;

async function accepted(event: DunningEvent): Promise<StoredRequest[]> {
  const requests: StoredRequest[] = [];
  const store = {
    acceptMany: async (_tx: SqlClient, batch: readonly { request: StoredRequest }[]) => {
      requests.push(...batch.map((b) => b.request));
      return new Set(batch.map((b) => b.request.actionId));
    },
  } as unknown as DeliveryStore;
  const handle = handleActionRequests(store, configuredFallbacks, () => new Date('2026-04-27T07:00:05Z'));
  const consumed = { value: event } as ConsumedEvent<DunningEvent>;
  await handle([consumed], {} as SqlClient, {} as BatchContext);
  return requests;
}

describe('reminder requests become stored requests', () => {
  it("keeps the decision's pay-by date, interest, flat fee and the policy's fallback channels", async () => {
    const [request] = await accepted(goldenRequest('dunning.reminder.requested.v1.binary.explained.json'));
    expect(request).toEqual({
      actionId: 'inv-2026-0002/firm/letter',
      caseId: 'inv-2026-0002',
      invoiceId: 'inv-2026-0002',
      customerId: 'cust-canary-0002',
      requestedAt: '2026-04-27T07:00:00Z',
      channel: 'letter',
      fallbackChannels: ['email'],
      templateId: 'reminder-letter',
      locale: 'de-DE',
      fee: { minor: 150, currency: 'EUR' },
      businessCompensation: { minor: 4_000, currency: 'EUR' },
      interest: { from: '2026-04-01', to: '2026-04-27', amount: { minor: 759, currency: 'EUR' }, periods: [{ from: '2026-04-01', to: '2026-04-27', annualRateBps: 1_027, baseRateBps: 127 }] },
      payBy: '2026-05-07',
      sendWindow: { notBefore: '2026-04-27T07:00:00Z', notAfter: '2026-04-30T18:00:00Z' },
    });
  });

  it("uses the request's fallbacks over the configured ones, even none", async () => {
    const event = goldenRequest('dunning.reminder.requested.v1.binary.explained.json') as Extract<DunningEvent, { type: 'dunning.reminder.requested.v1' }>;
    const [none] = await accepted({ ...event, data: { ...event.data, fallbackChannels: [] } });
    expect(none?.fallbackChannels).toEqual([]);
    const [sms] = await accepted({ ...event, data: { ...event.data, fallbackChannels: ['sms'] } });
    expect(sms?.fallbackChannels).toEqual(['sms']);
  });

  it('falls back to the configured channels for a request without them (an older producer)', async () => {
    const [request] = await accepted(goldenRequest('dunning.reminder.requested.v1.binary.with-fee.json'));
    expect(request).toMatchObject({ channel: 'letter', fallbackChannels: ['sms'] });
    expect(request).not.toHaveProperty('payBy');
    expect(request).not.toHaveProperty('interest');
    expect(request).not.toHaveProperty('businessCompensation');
  });

  it('ignores everything on the topic that is not a reminder request', async () => {
    expect(await accepted(goldenRequest('dunning.handoff.requested.v1.binary.explained.json'))).toEqual([]);
  });
});
