import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { encodeBinary, type BillingEvent, type CloudEventLike } from '@dunning/contracts';
import { kafkaBrokers, readTopicWithKcat, waitFor, type KcatRecord } from '@dunning/testing';
import { REPO, startPlatform, type PlatformOptions, type RunningPlatform } from './platform-processes';

// What the cross-service tests share: the platform run with the journey's knobs, a customer with
// canary personal data, billing events produced to the ingress with a W3C trace context the test
// chose, and probes of what the services put on their topics and sent through the real peers.

const execFileAsync = promisify(execFile);
const stateDir = process.env['DUNNING_STATE_DIR'] ?? join(REPO, 'tmp/local');

/**
 * The orchestrator's simulated clock: a Tuesday without holidays, five days after the invoices'
 * due date, so the policy's first overdue step (due date + 3 days) is due the moment an invoice
 * arrives. Scoring, invoicing and the notifier keep the real clock: to them the invoice is long
 * overdue (scored at once) and there is no send window to miss.
 */
export const ORCHESTRATOR_NOW = '2026-03-10T10:00:00.000Z';
export const ISSUED_AT = '2026-02-20T08:00:00.000Z';
export const DUE_DATE = '2026-03-05';

/** Tunables only (intervals, the clock, the policy, quiet hours): platform.sh does the wiring. */
export const JOURNEY_PLATFORM: Omit<PlatformOptions, 'traces'> = {
  platformKnobs: {
    ORCHESTRATOR_CLOCK: 'simulated',
    DUNNING_POLICY_FILE: join(REPO, 'apps/e2e/fixtures/journey-policy.yaml'),
  },
  tunables: {
    invoicing: { OTEL_BSP_SCHEDULE_DELAY: '200' },
    scoring: { SCORING_OVERDUE_SCAN_MS: '300', SCORING_RETRAIN_ENABLED: 'false', OTEL_BSP_SCHEDULE_DELAY: '200' },
    'dunning-orchestrator': { ORCHESTRATOR_SIMULATED_CLOCK_START: ORCHESTRATOR_NOW, ORCHESTRATOR_TIMER_POLL_MS: '200', OTEL_BSP_SCHEDULE_DELAY: '200' },
    notifier: {
      NOTIFIER_POLL_MS: '200',
      // Any hour of any day: the quiet-hours rules have their own tests; this one must not depend on the clock.
      NOTIFIER_WINDOW_WEEKDAYS: '00:00-23:59',
      NOTIFIER_WINDOW_SATURDAY: '00:00-23:59',
      NOTIFIER_WINDOW_SUNDAY: '00:00-23:59',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    },
    'collection-handoff': { COLLECTION_WORKER_POLL_MS: '200', COLLECTION_RECHECK_AFTER_MS: '300', OTEL_BSP_SCHEDULE_DELAY: '200' },
  },
};

/** The peers the journey sends through: SMTP capture, Kannel + fakesmsc, WireMock (the SE agency's stubs). */
export async function ensurePeers(names: readonly ('smtp' | 'kannel' | 'wiremock' | 'zipkin')[]): Promise<void> {
  for (const name of names) await execFileAsync('bash', [join(REPO, `deploy/local/peers/${name}.sh`), 'start'], { timeout: 180_000 });
}

export async function startJourneyPlatform(traces: PlatformOptions['traces']): Promise<RunningPlatform> {
  return startPlatform({ ...JOURNEY_PLATFORM, traces });
}

export interface Customer {
  readonly customerId: string;
  readonly invoiceId: string;
  readonly brand: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  readonly street: string;
  readonly paymentReference: string;
  readonly amountMinor: number;
}

/** A Swedish consumer whose name, e-mail, phone and street are canaries: unique strings to look for. */
export function canaryCustomer(brand: string): Customer {
  const tag = randomBytes(4).toString('hex');
  return {
    customerId: `cust-${tag}`,
    invoiceId: `inv-${tag}`,
    brand,
    name: `Canary Kanarieson ${tag}`,
    email: `canary-${tag}@example.test`,
    phone: `+4670${String(Number.parseInt(tag, 16) % 10_000_000).padStart(7, '0')}`,
    street: `Kanariegatan ${tag}`,
    paymentReference: `OCR${Number.parseInt(tag, 16)}`,
    amountMinor: 49_900,
  };
}

export function canariesOf(customer: Customer): string[] {
  return [customer.name, customer.email, customer.phone, customer.phone.slice(1), customer.street];
}

/** A W3C trace context the test owns: every span of the journey must end up under this trace id. */
export function newTraceparent(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

export function invoiceIssued(customer: Customer): BillingEvent {
  return {
    specversion: '1.0',
    id: `evt-issued-${customer.invoiceId}`,
    source: 'urn:telco:billing:e2e',
    type: 'billing.invoice.issued',
    time: ISSUED_AT,
    data: {
      invoiceId: customer.invoiceId,
      customerId: customer.customerId,
      issuedAt: ISSUED_AT,
      dueDate: DUE_DATE,
      amount: { minor: customer.amountMinor, currency: 'SEK' },
      brand: customer.brand,
      paymentReference: customer.paymentReference,
      customer: {
        name: customer.name,
        email: customer.email,
        phone: customer.phone,
        postalAddress: { lines: [customer.street], postalCode: '111 22', city: 'Stockholm', country: 'SE' },
        locale: 'sv-SE',
        timeZone: 'Europe/Stockholm',
        type: 'consumer',
        customerSince: '2019-05-01',
      },
    },
  };
}

export function paymentReceived(customer: Customer): BillingEvent {
  const now = new Date().toISOString();
  return {
    specversion: '1.0',
    id: `evt-paid-${customer.invoiceId}`,
    source: 'urn:telco:billing:e2e',
    type: 'billing.payment.received',
    time: now,
    data: {
      paymentId: `pay-${customer.invoiceId}`,
      customerId: customer.customerId,
      invoiceId: customer.invoiceId,
      amount: { minor: customer.amountMinor, currency: 'SEK' },
      receivedAt: now,
      paymentReference: customer.paymentReference,
      method: 'bank-transfer',
    },
  };
}

export class BillingProducer {
  private readonly producer: Producer;

  constructor(private readonly topic: string) {
    const kafka = new Kafka({ clientId: 'e2e-billing', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Binary-mode CloudEvent keyed by customer, with the given `traceparent` header. */
  async produce(event: CloudEventLike, traceparent?: string): Promise<void> {
    const record = encodeBinary(event);
    const headers = { ...record.headers, ...(traceparent ? { traceparent } : {}) };
    await this.producer.send({ topic: this.topic, acks: -1, messages: [{ key: record.key, value: record.value, headers }] });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** A record of a platform topic, its CloudEvents type and JSON data. */
export interface SeenEvent {
  readonly type: string;
  readonly id: string;
  readonly key: string | null;
  readonly traceparent: string | undefined;
  readonly data: Record<string, unknown>;
  readonly raw: KcatRecord;
}

function header(record: KcatRecord, name: string): string | undefined {
  return record.headers.filter(([n]) => n === name).at(-1)?.[1] ?? undefined;
}

export async function eventsOn(topic: string): Promise<SeenEvent[]> {
  const records = await readTopicWithKcat(topic, { timeoutMs: 20_000 });
  return records.map((raw) => ({
    type: header(raw, 'ce_type') ?? '',
    id: header(raw, 'ce_id') ?? '',
    key: raw.key,
    traceparent: header(raw, 'traceparent'),
    data: JSON.parse(raw.value ?? '{}') as Record<string, unknown>,
    raw,
  }));
}

/** Waits until `topic` holds an event of `type` whose data matches `where`; returns it. */
export async function awaitEvent(
  topic: string,
  type: string,
  where: (data: Record<string, unknown>) => boolean,
  options: { timeoutMs?: number; diagnostics?: () => string } = {},
): Promise<SeenEvent> {
  try {
    return await waitFor(async () => (await eventsOn(topic)).find((event) => event.type === type && where(event.data)), {
      timeoutMs: options.timeoutMs ?? 90_000,
      intervalMs: 500,
      description: `${type} on ${topic}`,
    });
  } catch (error) {
    const seen = (await eventsOn(topic).catch(() => [])).map((event) => `${event.type} ${JSON.stringify(event.data).slice(0, 200)}`);
    throw new Error(`${(error as Error).message}\non the topic: ${seen.length === 0 ? '(nothing)' : seen.join('\n  ')}\n${options.diagnostics?.() ?? ''}`);
  }
}

// --- what reached the customer through the real peers ------------------------------------------

const SMTP_CAPTURE = `http://127.0.0.1:${process.env['SMTP_CAPTURE_HTTP_PORT'] ?? 1080}`;

export interface CapturedMail {
  readonly id: string;
  readonly messageId: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

/** Mail the SMTP capture server (deploy/local/peers/smtp.sh) received for `address`. */
export async function mailTo(address: string): Promise<CapturedMail[]> {
  const response = await fetch(`${SMTP_CAPTURE}/messages?to=${encodeURIComponent(address)}`);
  if (!response.ok) throw new Error(`SMTP capture answered ${response.status}`);
  const summaries = (await response.json()) as { id: string }[];
  return Promise.all(summaries.map(async ({ id }) => (await (await fetch(`${SMTP_CAPTURE}/messages/${id}`)).json()) as CapturedMail));
}

/**
 * The SMS text Kannel's fakesmsc received for `phone` (its log lines `Got message <n>: <from to [udh …] text|ucs-2 payload>`),
 * parts of a concatenated message joined in arrival order.
 */
export function smsTextTo(phone: string): string {
  const log = join(process.env['KANNEL_STATE_DIR'] ?? join(stateDir, 'kannel'), 'fakesmsc.log');
  if (!existsSync(log)) return '';
  const parts: string[] = [];
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const match = /Got message \d+: <(\S+) (\S+) (?:udh \S+ )?(text|ucs-2|data) (.*)>$/.exec(line);
    if (!match || match[2] !== phone) continue;
    const [, , , type = 'text', payload = ''] = match;
    parts.push(type === 'text' ? payload : decodeUrlEncoded(payload, type));
  }
  return parts.join('');
}

function decodeUrlEncoded(payload: string, type: string): string {
  const bytes = Buffer.from(payload.replace(/\+/g, '%20').replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))), 'latin1');
  return type === 'ucs-2' ? Buffer.from(bytes).swap16().toString('utf16le') : bytes.toString('utf8');
}

// --- Zipkin ---------------------------------------------------------------------------------------

export const ZIPKIN = `http://127.0.0.1:${process.env['ZIPKIN_PORT'] ?? 9411}`;

export interface ZipkinSpan {
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  readonly name?: string;
  readonly kind?: string;
  readonly localEndpoint?: { readonly serviceName?: string };
  readonly tags?: Readonly<Record<string, string>>;
  readonly annotations?: readonly { readonly value: string }[];
}

/** GET /api/v2/trace/{traceId}: every span Zipkin holds for the trace ([] while it has none). */
export async function zipkinTrace(traceId: string): Promise<ZipkinSpan[]> {
  const response = await fetch(`${ZIPKIN}/api/v2/trace/${traceId}`);
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`Zipkin answered ${response.status}`);
  return (await response.json()) as ZipkinSpan[];
}

/** GET /api/v2/traces?serviceName=…&annotationQuery=<tag>=<value>: the traces with a span tagged so (last hour). */
export async function zipkinTracesTagged(serviceName: string, tag: string, value: string): Promise<ZipkinSpan[][]> {
  const query = new URLSearchParams({ serviceName, annotationQuery: `${tag}=${value}`, lookback: String(3_600_000), limit: '10' });
  const response = await fetch(`${ZIPKIN}/api/v2/traces?${query.toString()}`);
  if (!response.ok) throw new Error(`Zipkin answered ${response.status}`);
  return (await response.json()) as ZipkinSpan[][];
}

// --- the collection agency (WireMock) -----------------------------------------------------------

const WIREMOCK = `http://127.0.0.1:${process.env['WIREMOCK_PORT'] ?? 8089}`;

export interface AgencyRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** POSTs WireMock received at `url` (its request journal), optionally only those whose body contains `bodyContains`. */
export async function agencyRequests(url: string, bodyContains?: string): Promise<AgencyRequest[]> {
  const response = await fetch(`${WIREMOCK}/__admin/requests/find`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method: 'POST', url, ...(bodyContains ? { bodyPatterns: [{ contains: bodyContains }] } : {}) }),
  });
  if (!response.ok) throw new Error(`WireMock answered ${response.status}`);
  return ((await response.json()) as { requests: AgencyRequest[] }).requests;
}
