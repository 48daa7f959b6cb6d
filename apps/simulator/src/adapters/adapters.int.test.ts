import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { decodeBillingRecord, type BillingEvent } from '@dunning/contracts';
import { createTopic, kafkaBrokers, readTopicWithKcat, uniqueName, waitFor } from '@dunning/testing';
import { DEFAULT_CONFIG, mergeConfig } from '../domain/config';
import { Simulation } from '../domain/simulation';
import { BatchAgencyInbox, RestAgencyInbox } from './inbox/agency-inbox';
import { FakesmscInbox } from './inbox/fakesmsc-inbox';
import { LetterDropInbox } from './inbox/letter-drop-inbox';
import { SmtpCaptureInbox } from './inbox/smtp-capture-inbox';
import { KafkaBillingProducer } from './kafka-billing-producer';

// The simulator's adapters against the real peers: the Kafka broker (read back with kcat, decoded with
// the contract's codec), the SMTP capture server, Kannel with fakesmsc, WireMock as a REST agency; and
// the letter and batch-agency drop folders in the notifier's and collection-handoff's formats.

const repo = resolve(__dirname, '../../../..');
const stateDir = process.env['DUNNING_STATE_DIR'] ?? resolve(repo, 'tmp/local');
const SMTP_HTTP = `http://127.0.0.1:${process.env['SMTP_CAPTURE_HTTP_PORT'] ?? 1080}`;
const SENDSMS = `http://127.0.0.1:${process.env['KANNEL_SENDSMS_PORT'] ?? 13013}/cgi-bin/sendsms`;
const FAKESMSC_LOG = resolve(process.env['KANNEL_STATE_DIR'] ?? resolve(stateDir, 'kannel'), 'fakesmsc.log');
const WIREMOCK = `http://127.0.0.1:${process.env['WIREMOCK_PORT'] ?? 8089}`;

const peer = (script: string): void => {
  execFileSync('bash', [resolve(repo, 'deploy/local', script), 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
};

/** A small customer base with a fresh run tag, so nothing another run left in the peers maps to it. */
function simulationWithInvoices(): { simulation: Simulation; events: BillingEvent[] } {
  const runTag = Math.random().toString(36).slice(2, 8).replace(/[^a-z0-9]/g, 'x');
  const simulation = new Simulation(mergeConfig(DEFAULT_CONFIG, { customers: 40, months: 1, followUpDays: 1, seed: 17, runTag }));
  const events: BillingEvent[] = [];
  for (let day = simulation.firstDay; day < simulation.firstDay + 20; day += 1) events.push(...simulation.step(day));
  return { simulation, events };
}

const invoicesOf = (events: readonly BillingEvent[]) =>
  events.flatMap((e) => (e.type === 'billing.invoice.issued' ? [e.data] : []));

describe('producing billing.events.v1', () => {
  beforeAll(() => peer('kafka.sh'));

  it('binary CloudEvents keyed by customer, in order per customer, each accepted by the contract codec (read back with kcat)', async () => {
    const topic = uniqueName('sim-billing');
    await createTopic(kafkaBrokers(), topic, 3);
    const { events } = simulationWithInvoices();
    const producer = new KafkaBillingProducer({ brokers: kafkaBrokers(), topic, batchSize: 25 });
    try {
      await producer.publish(events);
    } finally {
      await producer.disconnect();
    }
    const records = await readTopicWithKcat(topic, { minRecords: events.length, timeoutMs: 60_000 });
    expect(records).toHaveLength(events.length);
    const byCustomer = new Map<string, string[]>();
    for (const record of records) {
      const headers = Object.fromEntries(record.headers.map(([name, value]) => [name, value ?? undefined]));
      const decoded = decodeBillingRecord({ key: record.key, value: record.value, headers });
      if (!decoded.ok) throw new Error(decoded.error.reason);
      expect(record.key).toBe(decoded.event.data.customerId);
      expect(decoded.event.source).toBe('urn:simulator:telecom-billing');
      expect(headers['content-type']).toBe('application/json');
      byCustomer.set(decoded.event.data.customerId, [...(byCustomer.get(decoded.event.data.customerId) ?? []), decoded.event.id]);
    }
    for (const [customerId, ids] of byCustomer) expect(ids).toEqual(events.filter((e) => e.data.customerId === customerId).map((e) => e.id));
  });
});

describe('what customers see', () => {
  it('e-mail through the SMTP capture server: by recipient, naming the invoice and the fee', async () => {
    peer('peers/smtp.sh');
    const { simulation, events } = simulationWithInvoices();
    const invoice = invoicesOf(events).find((i) => i.customer.email)!;
    const inbox = new SmtpCaptureInbox(simulation.directory, { baseUrl: SMTP_HTTP, emailDomain: 'sim.example' });
    await inbox.skipExisting();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(process.env['SMTP_CAPTURE_PORT'] ?? 1025), secure: false, ignoreTLS: true });
    await transport.sendMail({
      from: 'Norrsken Mobil <billing@example.com>',
      to: invoice.customer.email!,
      subject: `Påminnelse: faktura ${invoice.invoiceId}`,
      text: `Hej!\nOCR-nummer: ${invoice.paymentReference}\nPåminnelseavgift: 60,00 kr\n`,
    });
    await transport.sendMail({ from: 'x@example.com', to: 'someone@example.com', subject: 'not ours', text: 'nothing' });
    transport.close();
    const seen = await waitFor(async () => {
      const messages = await inbox.collect(100);
      return messages.length > 0 ? messages : undefined;
    }, { timeoutMs: 20_000, description: 'the e-mail in the capture server' });
    expect(seen).toEqual([{ kind: 'reminder', customerId: invoice.customerId, day: 100, channel: 'email', invoiceId: invoice.invoiceId, feeMinor: 6000 }]);
    expect(await inbox.collect(101)).toEqual([]); // read once
  });

  it('SMS through Kannel to fakesmsc: by phone number, long texts joined', async () => {
    peer('peers/kannel.sh');
    const { simulation, events } = simulationWithInvoices();
    const invoice = invoicesOf(events).find((i) => i.customer.phone)!;
    const inbox = new FakesmscInbox(simulation.directory, FAKESMSC_LOG);
    await inbox.skipExisting();
    const text = `Hej! Din faktura från Norrsken Mobil är fortfarande obetald. Betala här: https://pay.example.com/invoices/${invoice.invoiceId} (OCR ${invoice.paymentReference}). Det här meddelandet är längre än 160 tecken så att det skickas i två delar. Tack!`;
    const url = new URL(SENDSMS);
    for (const [k, v] of Object.entries({ username: process.env['KANNEL_SENDSMS_USER'] ?? 'notifier', password: process.env['KANNEL_SENDSMS_PASSWORD'] ?? 'notifier-local', from: 'Norrsken', to: invoice.customer.phone!, text })) url.searchParams.set(k, v);
    const response = await fetch(url);
    expect(response.status).toBeLessThan(300);
    const seen = await waitFor(async () => {
      const messages = await inbox.collect(200);
      return messages.length > 0 ? messages : undefined;
    }, { timeoutMs: 30_000, description: 'the SMS at fakesmsc' });
    expect(seen).toEqual([{ kind: 'reminder', customerId: invoice.customerId, day: 200, channel: 'sms', invoiceId: invoice.invoiceId }]);
  });

  it('collection demands from a REST agency (WireMock’s request journal), one per hand-off', async () => {
    peer('peers/wiremock.sh');
    const { simulation, events } = simulationWithInvoices();
    const invoice = invoicesOf(events).find((i) => i.customer.email)!;
    const claimsPath = `/${uniqueName('agency')}/v1/claims`;
    const inbox = new RestAgencyInbox(simulation.directory, { wiremockUrl: WIREMOCK, agencies: [{ agencyId: 'inkasso-se', claimsPath }] });
    await inbox.skipExisting();
    const claim = { handoffId: 'h-1', customerId: invoice.customerId, invoiceId: invoice.invoiceId, debtor: { name: invoice.customer.name, email: invoice.customer.email, phone: null, postalAddress: null } };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      // No stub: WireMock answers 404 and still journals the request, as the agency's retry would.
      await fetch(`${WIREMOCK}${claimsPath}`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'h-1' }, body: JSON.stringify(claim) });
    }
    const seen = await inbox.collect(300);
    expect(seen).toEqual([{ kind: 'collection-demand', customerId: invoice.customerId, day: 300, agencyId: 'inkasso-se', invoiceId: invoice.invoiceId }]);
  });
});

describe('drop folders', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'simulator-drop-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('letters: the manifest’s recipient address identifies the customer; the PDF text, when readable, the invoice', async () => {
    const { simulation, events } = simulationWithInvoices();
    const invoice = invoicesOf(events)[0]!;
    const address = invoice.customer.postalAddress!;
    writeFileSync(join(directory, 'dlv_1.pdf'), 'pdf');
    writeFileSync(
      join(directory, 'dlv_1.json'),
      JSON.stringify({ deliveryId: 'dlv_1', pdf: 'dlv_1.pdf', sha256: '0'.repeat(64), bytes: 3, createdAt: '2026-02-10T08:00:00Z', language: 'sv', recipient: { name: invoice.customer.name, lines: address.lines, postalCode: address.postalCode, city: address.city, country: 'SE' } }),
    );
    writeFileSync(join(directory, 'dlv_2.json'), JSON.stringify({ deliveryId: 'dlv_2', pdf: 'dlv_2.pdf', recipient: { name: 'Someone Else', lines: ['Elsewhere 1'], city: 'Nowhere' } }));
    const inbox = new LetterDropInbox(simulation.directory, { directory, pdfText: async () => `Påminnelse\nOCR ${invoice.paymentReference}\nMahnkosten: 1,50 €` });
    expect(await inbox.collect(400)).toEqual([{ kind: 'reminder', customerId: invoice.customerId, day: 400, channel: 'letter', invoiceId: invoice.invoiceId, feeMinor: 150 }]);
    expect(await inbox.collect(401)).toEqual([]);
  });

  it('a batch agency’s drop folder: each claim line is a demand, recall lines are not', async () => {
    const { simulation, events } = simulationWithInvoices();
    const [first, second] = invoicesOf(events);
    const dropDir = join(directory, 'inkasso-de', 'outbound');
    mkdirSync(dropDir, { recursive: true });
    const lines = [
      { recordType: 'claim', handoffId: 'h-1', customerId: first!.customerId, invoiceId: first!.invoiceId, debtor: { name: 'x', postalAddress: null, email: first!.customer.email ?? null, phone: first!.customer.phone ?? null } },
      { recordType: 'claim', handoffId: 'h-2', customerId: second!.customerId, invoiceId: second!.invoiceId, debtor: null },
      { recordType: 'recall', handoffId: 'h-0', collectionCaseId: 'cc-0', reason: 'paid', requestedAt: '2026-02-10T08:00:00Z' },
    ];
    writeFileSync(join(dropDir, 'inkasso-de_b1.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    writeFileSync(join(dropDir, 'inkasso-de_b1.manifest.json'), JSON.stringify({ formatVersion: 1, agencyId: 'inkasso-de', batchId: 'b1', dataFile: 'inkasso-de_b1.jsonl' }));
    const inbox = new BatchAgencyInbox(simulation.directory, [{ agencyId: 'inkasso-de', dropDir }]);
    const seen = await inbox.collect(500);
    expect(seen).toEqual([
      { kind: 'collection-demand', customerId: first!.customerId, day: 500, agencyId: 'inkasso-de', invoiceId: first!.invoiceId },
      { kind: 'collection-demand', customerId: second!.customerId, day: 500, agencyId: 'inkasso-de', invoiceId: second!.invoiceId },
    ]);
    expect(await inbox.collect(501)).toEqual([]);
  });
});
