import { deadLetterTopicOf } from '@dunning/contracts';
import { readTopicWithKcat, uniqueName, waitFor, type KcatRecord } from '@dunning/testing';
import { BackgroundWork } from '../background-work';
import { scenario, type BadInput } from '../testing/bad-inputs';
import { getJson, postEvent } from '../testing/fixtures';
import { createTestTopics, dropDatabase, startInvoicing, TEST_KEYS, type RunningInvoicing } from '../testing/harness';
import { produceBinary, produceTombstone, produceWithKcat } from '../testing/kcat';

/**
 * Promise 4 under fire: more than fifty malformed or impossible inputs through Kafka and as many
 * through HTTP, among valid events. Each bad input gets its precise reason (a DLQ record with
 * `dlq.error.code`/`dlq.error.reason` on Kafka, a 4xx body over HTTP, and a `dead_letters` row
 * either way); every valid event is applied, and applied once, duplicates included.
 */
const HOLD_WINDOW_MS = 72 * 3_600_000;

describe('malformed and impossible inputs, over Kafka and HTTP', () => {
  let service: RunningInvoicing;
  let topics: Awaited<ReturnType<typeof createTestTopics>>;
  const prefix = uniqueName('inv-bad');
  const kafkaCustomer = uniqueName('mk');
  const httpCustomer = uniqueName('mh');
  const kafka = scenario(kafkaCustomer, 'k');
  const http = scenario(httpCustomer, 'h', kafka.invoiceIds.I1);
  const kafkaBad: BadInput[] = [...kafka.bad, ...kafka.kafkaOnly];

  beforeAll(async () => {
    topics = await createTestTopics(prefix);
    service = await startInvoicing({ topicPrefix: prefix });
  });

  afterAll(async () => {
    await service?.stop();
    if (service) await dropDatabase(service.database);
  });

  async function expectValidEventsAppliedOnce(customerId: string, ids: { I1: string; I2: string; I3: string }): Promise<void> {
    const list = await getJson(service.baseUrl, `/customers/${customerId}/invoices`, TEST_KEYS.reader);
    expect(list.status).toBe(200);
    const invoices = list.body['invoices'] as { invoiceId: string; status: string; balance: { minor: number }; paid: { minor: number }; creditedTotal: { minor: number } }[];
    expect(invoices.map((invoice) => [invoice.invoiceId, invoice.status, invoice.balance.minor, invoice.paid.minor, invoice.creditedTotal.minor])).toEqual([
      [ids.I1, 'settled', 0, 9_000, 1_000],
      [ids.I2, 'open', 5_000, 0, 0],
      [ids.I3, 'settled', 0, 1_000, 0],
    ]);
    expect(list.body['credit']).toEqual([]);
    const history = await getJson(service.baseUrl, `/invoices/${ids.I1}`, TEST_KEYS.reader);
    const applied = (history.body['history'] as { type: string; data: { paymentId?: string } }[]).filter((entry) => entry.type === 'PaymentApplied');
    expect(applied.map((entry) => entry.data.paymentId)).toEqual(['P-1', 'P-2']);
  }

  it('refuses every bad input on Kafka with its reason on the DLQ, and applies every valid one once', async () => {
    for (const event of kafka.before) await produceBinary(topics.billingEvents, event);
    for (const [index, bad] of kafkaBad.entries()) {
      const caseHeader = { 'x-test-case': String(index) };
      if (bad.kafka?.value === null) await produceTombstone(topics.billingEvents, bad.kafka.key, { ...bad.kafka.headers, ...caseHeader });
      else if (bad.kafka) await produceWithKcat(topics.billingEvents, bad.kafka.key, bad.kafka.value, { ...bad.kafka.headers, ...caseHeader });
      else if (bad.event) await produceBinary(topics.billingEvents, bad.event, kafkaCustomer, caseHeader);
    }
    for (const event of kafka.after) await produceBinary(topics.billingEvents, event);

    const dlqTopic = deadLetterTopicOf(topics.billingEvents);
    const immediate = kafkaBad.filter((bad) => !bad.heldFirst).length;
    await waitFor(async () => (await readTopicWithKcat(dlqTopic)).length >= immediate || undefined, { timeoutMs: 90_000, description: `${immediate} dead letters` });
    await waitFor(async () => ((await getJson(service.baseUrl, `/invoices/${kafka.invoiceIds.I1}`, TEST_KEYS.reader)).body['invoice'] as { status?: string } | undefined)?.status === 'settled', {
      timeoutMs: 30_000,
      description: 'the valid events after the bad ones to be applied',
    });
    await expectValidEventsAppliedOnce(kafkaCustomer, kafka.invoiceIds);
  });

  it('refuses every bad input over HTTP with a 4xx and its reason, and applies every valid one once', async () => {
    for (const event of http.before) expect((await postEvent(service.baseUrl, TEST_KEYS.writer, event)).status).toBe(200);
    for (const bad of [...http.bad, ...http.httpOnly]) {
      const response = bad.http
        ? await fetch(`${service.baseUrl}${bad.http.path ?? '/billing-events'}`, { method: 'POST', headers: { authorization: `Bearer ${TEST_KEYS.writer}`, ...bad.http.headers }, body: bad.http.body })
        : await fetch(`${service.baseUrl}/billing-events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TEST_KEYS.writer}`, 'content-type': 'application/cloudevents+json' },
            body: JSON.stringify(bad.event),
          });
      const body = (await response.json()) as { code?: string; reason?: string; status?: string };
      if (bad.heldFirst) {
        expect([bad.name, response.status, body.status]).toEqual([bad.name, 202, 'held']);
        continue;
      }
      expect([bad.name, response.status >= 400 && response.status < 500, body.code]).toEqual([bad.name, true, bad.code]);
      expect([bad.name, body.reason]).toEqual([bad.name, expect.stringMatching(bad.reason)]);
    }
    // An Idempotency-Key replays its first answer, and is refused for another request.
    const payment = { paymentId: 'P-idem', customerId: httpCustomer, amount: { minor: 1, currency: 'SEK' }, receivedAt: '2026-03-10T12:00:00Z', invoiceId: 'INV-404-idem' };
    const post = (body: unknown) =>
      fetch(`${service.baseUrl}/billing-events/billing.payment.received`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_KEYS.writer}`, 'content-type': 'application/json', 'idempotency-key': 'idem-1' },
        body: JSON.stringify(body),
      });
    const first = await post(payment);
    const again = await post(payment);
    expect([first.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([202, 202, 'true']);
    expect(await again.json()).toEqual(await first.json());
    const reused = await post({ ...payment, amount: { minor: 2, currency: 'SEK' } });
    expect([reused.status, ((await reused.json()) as { code: string }).code]).toEqual([422, 'idempotency_key_reused']);

    const answers = await Promise.all(http.after.map((event) => postEvent(service.baseUrl, TEST_KEYS.writer, event)));
    expect(answers.map((answer) => [answer.status, answer.body['status']])).toEqual([
      [200, 'applied'],
      [200, 'duplicate'],
      [200, 'unchanged'],
      [200, 'unchanged'],
    ]);
    await expectValidEventsAppliedOnce(httpCustomer, http.invoiceIds);
  });

  it('dead-letters held events whose invoice never comes, once the hold window has passed', async () => {
    service.clock.advance(HOLD_WINDOW_MS + 60_000);
    await service.app.get(BackgroundWork).sweepOnce();
    const dlqTopic = deadLetterTopicOf(topics.billingEvents);
    const records = await readTopicWithKcat(dlqTopic, { minRecords: kafkaBad.length + 2, timeoutMs: 120_000 });

    const header = (record: KcatRecord, name: string) => record.headers.find(([key]) => key === name)?.[1] ?? undefined;
    // Every Kafka case: exactly one DLQ record, with its code and reason.
    for (const [index, bad] of kafkaBad.entries()) {
      const matches = records.filter((record) => header(record, 'x-test-case') === String(index));
      expect([bad.name, matches.length]).toEqual([bad.name, 1]);
      expect([bad.name, header(matches[0]!, 'dlq.error.code')]).toEqual([bad.name, bad.code]);
      expect([bad.name, header(matches[0]!, 'dlq.error.reason')]).toEqual([bad.name, expect.stringMatching(bad.reason)]);
      expect(header(matches[0]!, 'dlq.original.topic')).toBe(topics.billingEvents);
    }
    // The HTTP events held for an invoice that never came are on the DLQ too (as structured records).
    const fromHttp = records.filter((record) => record.key === httpCustomer);
    expect(fromHttp.map((record) => header(record, 'dlq.error.code')).sort()).toEqual(['invoice-not-seen-within-window', 'invoice-not-seen-within-window']);

    // And the dead_letters table has every refusal of both channels, with the same codes.
    const { rows } = await service.db.query<{ customer_id: string; channel: string; code: string; reason: string }>('SELECT customer_id, channel, code, reason FROM invoicing.dead_letters ORDER BY id');
    const kafkaRows = rows.filter((row) => row.channel === 'kafka' || (row.channel === 'hold' && row.customer_id === kafkaCustomer));
    expect(kafkaRows.map((row) => row.code).sort()).toEqual(kafkaBad.map((bad) => bad.code).sort());
    const httpRows = rows.filter((row) => row.channel === 'http' || (row.channel === 'hold' && row.customer_id === httpCustomer));
    // (P-idem, held over HTTP by the idempotency check above, expired with the others.)
    expect(httpRows.map((row) => row.code).sort()).toEqual([...http.bad.map((bad) => bad.code), ...http.httpOnly.map((bad) => bad.code), 'invoice-not-seen-within-window'].sort());
    expect(kafkaBad.length + http.bad.length + http.httpOnly.length + 1).toBeGreaterThanOrEqual(100);
  });
});
