import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { DUNNING_SOURCE, encodeBinary, INVOICING_SOURCE, type CloudEventLike } from '@dunning/contracts';
import { createTopic, kafkaBrokers, readTopicWithKcat, uniqueName, waitFor } from '@dunning/testing';
import { mailTo, smsTo, startKannel, startSmtpCapture, uniqueEmail, uniquePhone } from '../test-support/peers';

// End to end: the notifier as its own process (main.ts, NestJS), real Kafka, real PostgreSQL, the
// real SMTP capture server and the real Kannel. Requests and invoice events go in on Kafka; mail
// arrives at the capture server, SMS at fakesmsc; outcomes come out on the deliveries topic.
// The crash runs set NOTIFIER_FAULT_INJECTION=after-provider-accepted: the process kills itself
// with SIGKILL right after a provider took a message and before `sent` is recorded.

const repo = resolve(__dirname, '../../..');
const database = uniqueName('notifier_e2e').replace(/-/g, '_');
const topics = { actions: uniqueName('e2e.dunning.actions'), invoices: uniqueName('e2e.invoicing.invoices'), deliveries: uniqueName('e2e.notifier.deliveries') };
const group = uniqueName('notifier-e2e');
const letters = mkdtempSync(join(tmpdir(), 'notifier-letters-'));

interface Customer {
  readonly customerId: string;
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
}
const contacts = new Map<string, Customer>();
let contactServer: Server;
let contactPort = 0;
let producer: Producer;
let kafka: Kafka;
const output: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface RunningNotifier {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// One port for every run: Kannel calls back the URL it was given with the message (dlr-url), and
// retries it while the notifier is down, so a restarted notifier must listen where the last one did.
let notifierPort = 0;

async function startNotifier(options: { fault?: boolean } = {}): Promise<RunningNotifier> {
  notifierPort ||= await freePort();
  const port = notifierPort;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HTTP_PORT: String(port),
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    NOTIFIER_ACTIONS_TOPIC: topics.actions,
    NOTIFIER_INVOICES_TOPIC: topics.invoices,
    NOTIFIER_DELIVERIES_TOPIC: topics.deliveries,
    NOTIFIER_CONSUMER_GROUP: group,
    INVOICING_URL: `http://127.0.0.1:${contactPort}`,
    NOTIFIER_INVOICING_API_KEY: 'e2e-key',
    NOTIFIER_POLL_MS: '200',
    NOTIFIER_LEASE_MS: '1500',
    NOTIFIER_BACKOFF_MS: '500',
    NOTIFIER_SMS_RECONCILE_GRACE_MS: '30000',
    // Any hour of any day: the quiet-hours rules have their own unit tests.
    NOTIFIER_WINDOW_WEEKDAYS: '00:00-23:59',
    NOTIFIER_WINDOW_SATURDAY: '00:00-23:59',
    NOTIFIER_WINDOW_SUNDAY: '00:00-23:59',
    NOTIFIER_CONTACT_CAP: '10',
    NOTIFIER_LETTER_DROP_DIR: letters,
    NOTIFIER_PAYMENT_LINK: 'https://pay.telco.example/i/{invoiceId}',
    NOTIFIER_FAULT_INJECTION: options.fault ? 'after-provider-accepted' : '',
    OTEL_SDK_DISABLED: 'true',
  };
  const child = spawn(process.execPath, ['-r', '@swc-node/register', '-r', 'tsconfig-paths/register', 'apps/notifier/src/main.ts'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  await waitFor(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) return true; // a faulty run may already be gone
      const response = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined);
      return response?.ok ? true : undefined;
    },
    { timeoutMs: 60_000, description: 'the notifier to answer /health/live' },
  );
  return { child, exited };
}

async function stopNotifier(notifier: RunningNotifier): Promise<void> {
  if (notifier.child.exitCode === null && notifier.child.signalCode === null) notifier.child.kill('SIGTERM');
  await notifier.exited;
}

async function produce(topic: string, event: CloudEventLike): Promise<void> {
  const record = encodeBinary(event);
  await producer.send({ topic, acks: -1, messages: [{ key: record.key, value: record.value, headers: record.headers }] });
}

const at = (offsetMs = 0): string => new Date(Date.now() + offsetMs).toISOString();

async function openInvoice(customer: Customer, invoiceId: string, locale: string, country: string, currency: string): Promise<void> {
  contacts.set(customer.customerId, customer);
  await produce(topics.invoices, {
    specversion: '1.0',
    id: `${invoiceId}-opened`,
    source: INVOICING_SOURCE,
    type: 'invoicing.invoice.opened.v1',
    time: at(),
    data: {
      invoiceId,
      customerId: customer.customerId,
      issuedAt: '2026-03-01T09:00:00Z',
      dueDate: '2026-03-31',
      amount: { minor: 49_900, currency },
      balance: { minor: 49_900, currency },
      brand: 'Telco',
      paymentReference: `REF${invoiceId.slice(-6)}`,
      customer: { type: 'consumer', locale, timeZone: country === 'SE' ? 'Europe/Stockholm' : 'Europe/Berlin', country, reachableChannels: ['sms', 'email'] },
    },
  } as CloudEventLike);
}

async function requestReminder(customer: Customer, invoiceId: string, channel: 'sms' | 'email' | 'letter', locale: string, extra: Record<string, unknown> = {}): Promise<string> {
  const actionId = `${invoiceId}/reminder-1`;
  await produce(topics.actions, {
    specversion: '1.0',
    id: `${actionId}-requested`,
    source: DUNNING_SOURCE,
    type: 'dunning.reminder.requested.v1',
    time: at(),
    data: { actionId, caseId: `case-${invoiceId}`, invoiceId, customerId: customer.customerId, requestedAt: at(), channel, templateId: 'reminder', locale, stepId: 'sms-reminder', policyVersion: 'default@1.0', ...extra },
  } as CloudEventLike);
  return actionId;
}

async function deliveryState(actionId: string): Promise<{ state: string; outcome_code: string | null } | undefined> {
  const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${database}` });
  await client.connect();
  try {
    const { rows } = await client.query<{ state: string; outcome_code: string | null }>('SELECT state, outcome_code FROM notifier.deliveries WHERE action_id = $1', [actionId]);
    return rows[0];
  } catch {
    return undefined; // the schema is created by the notifier's migration at its first start
  } finally {
    await client.end();
  }
}

async function outcomesFor(actionId: string, minRecords: number): Promise<string[]> {
  const records = await readTopicWithKcat(topics.deliveries, { minRecords, timeoutMs: 30_000 });
  return records
    .filter((r) => (JSON.parse(r.value ?? '{}') as { actionId?: string }).actionId === actionId)
    .map((r) => r.headers.find(([name]) => name === 'ce_type')?.[1] ?? '');
}

beforeAll(async () => {
  startSmtpCapture();
  startKannel();
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  kafka = new Kafka({ clientId: 'notifier-e2e', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  for (const topic of Object.values(topics)) await createTopic(kafkaBrokers(), topic);
  producer = kafka.producer({ idempotent: true });
  await producer.connect();
  // Invoicing's contact endpoint as the notifier sees it (GET /customers/:id/contact, X-API-Key).
  contactServer = createServer((request, response) => {
    const customerId = decodeURIComponent(/^\/customers\/([^/]+)\/contact$/.exec(request.url ?? '')?.[1] ?? '');
    const customer = contacts.get(customerId);
    if (request.headers['x-api-key'] !== 'e2e-key') return void response.writeHead(401).end();
    if (!customer) return void response.writeHead(404).end();
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ status: 'ok', customerId, contact: { name: customer.name, email: customer.email, phone: customer.phone }, profile: { consent: {} }, reachableChannels: ['sms', 'email'] }));
  });
  await new Promise<void>((r) => contactServer.listen(0, '127.0.0.1', r));
  contactPort = (contactServer.address() as { port: number }).port;
}, 120_000);

afterAll(async () => {
  await producer?.disconnect();
  await new Promise<void>((r) => contactServer.close(() => r()));
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});

describe('notifier end to end (Kafka in, SMTP capture + Kannel out, outcomes on Kafka)', () => {
  const sweden = { customerId: uniqueName('cust-se'), name: 'Åsa Öberg', email: uniqueEmail(), phone: uniquePhone() };
  const germany = { customerId: uniqueName('cust-de'), name: 'Jürgen Groß', email: uniqueEmail(), phone: uniquePhone() };
  const paidMeanwhile = { customerId: uniqueName('cust-paid'), name: 'Per Betald', email: uniqueEmail(), phone: uniquePhone() };
  let smsAction = '';
  let emailAction = '';

  it('exactly once when killed between the provider accepting and the notifier recording it (SMS via Kannel, e-mail via SMTP)', async () => {
    const seInvoice = uniqueName('INV-SE');
    await openInvoice(sweden, seInvoice, 'sv-SE', 'SE', 'SEK');
    const deInvoice = uniqueName('INV-DE');
    await openInvoice(germany, deInvoice, 'de-DE', 'DE', 'EUR');
    smsAction = await requestReminder(sweden, seInvoice, 'sms', 'sv-SE');
    emailAction = await requestReminder(germany, deInvoice, 'email', 'de-DE');
    // The same request again (a redelivery upstream): still one delivery.
    await requestReminder(germany, deInvoice, 'email', 'de-DE');

    // Run 1 and run 2 each die right after a provider took a message (SIGKILL, nothing recorded).
    const first = await startNotifier({ fault: true });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const second = await startNotifier({ fault: true });
    expect(await second.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Run 3 is healthy: it reconciles the attempt left in `sending` and must not send it again.
    const third = await startNotifier();
    try {
      await waitFor(async () => {
        const [sms, email] = await Promise.all([deliveryState(smsAction), deliveryState(emailAction)]);
        return sms && email && ['sent', 'delivered'].includes(sms.state) && ['sent', 'delivered'].includes(email.state) ? true : undefined;
      }, { timeoutMs: 60_000, description: 'both deliveries recorded as sent' });

      const mails = await mailTo(germany.email);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe(`Zahlungserinnerung: Rechnung ${deInvoice}`);
      expect(mails[0]!.text).toContain('Hallo Jürgen Groß,');
      expect(mails[0]!.text).toContain('499,00\u00a0€');
      expect(mails[0]!.envelope.to).toEqual([germany.email]);

      const sms = await waitFor(() => (smsTo(sweden.phone).length > 0 ? smsTo(sweden.phone) : undefined), { timeoutMs: 10_000, description: 'the SMS' });
      expect(sms).toHaveLength(1);
      expect(sms[0]!.text).toContain(`Hej Åsa Öberg! Det här är Telco. Faktura ${seInvoice} (499,00 kr) förföll 31 mars 2026.`);

      // Delivery reports (retried by smsbox while the notifier was down) complete the SMS.
      await waitFor(async () => ((await deliveryState(smsAction))?.state === 'delivered' ? true : undefined), { timeoutMs: 30_000, description: 'the SMS delivered' });
      expect(await outcomesFor(smsAction, 3)).toEqual(['notifier.message.sent.v1', 'notifier.message.delivered.v1']);
      expect(await outcomesFor(emailAction, 3)).toEqual(['notifier.message.sent.v1']);
      expect(mails).toHaveLength((await mailTo(germany.email)).length); // still one, after everything settled
      expect(smsTo(sweden.phone)).toHaveLength(1);
    } finally {
      await stopNotifier(third);
    }
  }, 300_000);

  it('promise 1: a payment that arrives after the request but before sending means no message', async () => {
    const invoiceId = uniqueName('INV-PAID');
    await openInvoice(paidMeanwhile, invoiceId, 'sv-SE', 'SE', 'SEK');
    // The request may not go out for a few seconds (its send window), and the payment lands meanwhile.
    const actionId = await requestReminder(paidMeanwhile, invoiceId, 'email', 'sv-SE', { sendWindow: { notBefore: at(6_000), notAfter: at(3_600_000) } });
    const notifier = await startNotifier();
    try {
      await waitFor(async () => ((await deliveryState(actionId))?.outcome_code === 'deferred-not-before' ? true : undefined), { timeoutMs: 30_000, description: 'the request accepted and waiting' });
      await produce(topics.invoices, {
        specversion: '1.0',
        id: `${invoiceId}-settled`,
        source: INVOICING_SOURCE,
        type: 'invoicing.invoice.settled.v1',
        time: at(),
        data: { invoiceId, customerId: paidMeanwhile.customerId, settledAt: at(), settledBy: 'payment' },
      } as CloudEventLike);
      const final = await waitFor(async () => {
        const state = await deliveryState(actionId);
        return state?.state === 'skipped' || state?.state === 'sent' ? state : undefined;
      }, { timeoutMs: 30_000, description: 'the delivery decided' });
      expect(final).toEqual({ state: 'skipped', outcome_code: 'invoice-closed' });
      expect(await mailTo(paidMeanwhile.email)).toHaveLength(0);
      expect(await outcomesFor(actionId, 1)).toEqual(['notifier.message.skipped.v1']);
    } finally {
      await stopNotifier(notifier);
    }
  }, 180_000);

  it('promise 7 canary: the notifier\'s logs hold no name, e-mail address or phone number', () => {
    const logs = output.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const customer of [sweden, germany, paidMeanwhile]) {
      for (const value of [customer.name, customer.email, customer.phone]) expect(logs).not.toContain(value);
    }
  });
});
