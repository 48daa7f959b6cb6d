import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type IHeaders, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { DUNNING_SOURCE, encodeBinary, INVOICING_SOURCE, type CloudEventLike } from '@dunning/contracts';
import { createTopic, kafkaBrokers, readTopicWithKcat, uniqueName, waitFor, type KcatRecord, freePort } from '@dunning/testing';

// The notifier as its own process (main.ts, NestJS) against real Kafka and PostgreSQL, with a
// database, topics and consumer group of its own, and invoicing's contact endpoint played by a small
// HTTP server. The end-to-end and the canary tests share it.

const repo = resolve(__dirname, '../../..');

/** A customer as invoicing's contact endpoint answers for it: personal data, held by the test only. */
export interface TestCustomer {
  readonly customerId: string;
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
  readonly postalAddress?: { readonly lines: readonly string[]; readonly postalCode?: string; readonly city: string; readonly country?: string };
}

export interface RunningNotifier {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export type ReminderChannel = 'sms' | 'email' | 'letter';


const at = (offsetMs = 0): string => new Date(Date.now() + offsetMs).toISOString();

export class NotifierHarness {
  readonly database = uniqueName('notifier_e2e').replace(/-/g, '_');
  readonly topics = { actions: uniqueName('e2e.dunning.actions'), invoices: uniqueName('e2e.invoicing.invoices'), deliveries: uniqueName('e2e.notifier.deliveries') };
  readonly group = uniqueName('notifier-e2e');
  readonly letters = mkdtempSync(join(tmpdir(), 'notifier-letters-'));
  /** Everything every run wrote to stdout and stderr. */
  readonly output: string[] = [];
  private readonly contacts = new Map<string, TestCustomer>();
  /** Customers whose contact lookups wait until the test releases them. */
  private readonly held = new Map<string, Promise<void>>();
  private contactServer: Server | undefined;
  private contactPort = 0;
  private producer: Producer | undefined;
  // One port for every run: Kannel calls back the URL it was given with the message (dlr-url), and
  // retries it while the notifier is down, so a restarted notifier must listen where the last one did.
  private notifierPort = 0;

  /** Creates the database and topics, connects a producer and starts the contact endpoint. */
  async setUp(): Promise<void> {
    const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${this.database}`);
    await admin.end();
    for (const topic of Object.values(this.topics)) await createTopic(kafkaBrokers(), topic);
    this.producer = new Kafka({ clientId: 'notifier-e2e', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer({ idempotent: true });
    await this.producer.connect();
    // Invoicing's contact endpoint as the notifier sees it (GET /customers/:id/contact, X-API-Key).
    const server = createServer(async (request, response) => {
      const customerId = decodeURIComponent(/^\/customers\/([^/]+)\/contact$/.exec(request.url ?? '')?.[1] ?? '');
      await this.held.get(customerId);
      const customer = this.contacts.get(customerId);
      if (request.headers['x-api-key'] !== 'e2e-key') return void response.writeHead(401).end();
      if (!customer) return void response.writeHead(404).end();
      response.setHeader('content-type', 'application/json');
      const { name, email, phone, postalAddress } = customer;
      response.end(JSON.stringify({ status: 'ok', customerId, contact: { name, email, phone, postalAddress }, profile: { consent: {} }, reachableChannels: ['sms', 'email'] }));
    });
    this.contactServer = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.contactPort = (server.address() as { port: number }).port;
  }

  /** The running notifier's base URL (after the first start). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.notifierPort}`;
  }

  /** Holds the contact endpoint's answers for this customer until the returned function is called. */
  holdContact(customerId: string): () => void {
    let release: () => void = () => undefined;
    this.held.set(customerId, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.held.delete(customerId);
      release();
    };
  }

  async tearDown(): Promise<void> {
    await this.producer?.disconnect();
    const server = this.contactServer;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await admin.end();
  }

  /**
   * Starts main.ts and waits for /health/live (or for a faulty run to be gone already). `env` is
   * laid over the defaults; telemetry is off unless `env` switches it on.
   */
  async start(options: { fault?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<RunningNotifier> {
    this.notifierPort ||= await freePort();
    const port = this.notifierPort;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HTTP_PORT: String(port),
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${this.database}`,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      NOTIFIER_ACTIONS_TOPIC: this.topics.actions,
      NOTIFIER_INVOICES_TOPIC: this.topics.invoices,
      NOTIFIER_DELIVERIES_TOPIC: this.topics.deliveries,
      NOTIFIER_CONSUMER_GROUP: this.group,
      INVOICING_URL: `http://127.0.0.1:${this.contactPort}`,
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
      NOTIFIER_LETTER_DROP_DIR: this.letters,
      NOTIFIER_PAYMENT_LINK: 'https://pay.telco.example/i/{invoiceId}',
      NOTIFIER_FAULT_INJECTION: options.fault ? 'after-provider-accepted' : '',
      OTEL_SDK_DISABLED: 'true',
      ...options.env,
    };
    const child = spawn(process.execPath, ['-r', '@swc-node/register', '-r', 'tsconfig-paths/register', 'apps/notifier/src/main.ts'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
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

  async stop(notifier: RunningNotifier): Promise<void> {
    if (notifier.child.exitCode === null && notifier.child.signalCode === null) notifier.child.kill('SIGTERM');
    await notifier.exited;
  }

  async produce(topic: string, event: CloudEventLike, extraHeaders: IHeaders = {}): Promise<void> {
    const record = encodeBinary(event);
    if (!this.producer) throw new Error('setUp() first');
    await this.producer.send({ topic, acks: -1, messages: [{ key: record.key, value: record.value, headers: { ...record.headers, ...extraHeaders } }] });
  }

  /** invoicing.invoice.opened.v1 for the customer; the contact endpoint now knows the customer. */
  async openInvoice(customer: TestCustomer, invoiceId: string, locale: string, country: string, currency: string): Promise<void> {
    this.contacts.set(customer.customerId, customer);
    await this.produce(this.topics.invoices, {
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

  /** dunning.reminder.requested.v1 (template `reminder`); returns its action id. */
  async requestReminder(customer: TestCustomer, invoiceId: string, channel: ReminderChannel, locale: string, extra: Record<string, unknown> = {}, headers: IHeaders = {}): Promise<string> {
    const actionId = `${invoiceId}/reminder-1`;
    await this.produce(
      this.topics.actions,
      {
        specversion: '1.0',
        id: `${actionId}-requested`,
        source: DUNNING_SOURCE,
        type: 'dunning.reminder.requested.v1',
        time: at(),
        data: { actionId, caseId: `case-${invoiceId}`, invoiceId, customerId: customer.customerId, requestedAt: at(), channel, templateId: 'reminder', locale, stepId: 'sms-reminder', policyVersion: 'default@1.0', ...extra },
      } as CloudEventLike,
      headers,
    );
    return actionId;
  }

  /** invoicing.invoice.settled.v1 for the invoice. */
  async settleInvoice(customer: TestCustomer, invoiceId: string): Promise<void> {
    await this.produce(this.topics.invoices, {
      specversion: '1.0',
      id: `${invoiceId}-settled`,
      source: INVOICING_SOURCE,
      type: 'invoicing.invoice.settled.v1',
      time: at(),
      data: { invoiceId, customerId: customer.customerId, settledAt: at(), settledBy: 'payment' },
    } as CloudEventLike);
  }

  async deliveryState(actionId: string): Promise<{ state: string; outcome_code: string | null } | undefined> {
    const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${this.database}` });
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

  /** The outcome records of one action on the deliveries topic, once at least `minRecords` are there in all. */
  async outcomeRecordsFor(actionId: string, minRecords: number): Promise<KcatRecord[]> {
    const records = await readTopicWithKcat(this.topics.deliveries, { minRecords, timeoutMs: 30_000 });
    return records.filter((r) => (JSON.parse(r.value ?? '{}') as { actionId?: string }).actionId === actionId);
  }

  /** The `ce_type` of each outcome of one action on the deliveries topic. */
  async outcomesFor(actionId: string, minRecords: number): Promise<string[]> {
    return (await this.outcomeRecordsFor(actionId, minRecords)).map((r) => header(r, 'ce_type') ?? '');
  }
}

export function header(record: KcatRecord, name: string): string | undefined {
  return record.headers.find(([key]) => key === name)?.[1] ?? undefined;
}
