import { resolve } from 'node:path';
import { TOPICS } from '@dunning/contracts';
import type { Channel, ContactWindows } from './domain';
import type { FaultPoint } from './deliveries/dispatcher';
import { DEFAULT_TEMPLATES_DIR } from './templates/load-templates';

/** Everything the notifier reads from the environment, once, at start (docs/notifier.md lists it). */
export interface NotifierConfig {
  readonly schema: string;
  readonly topics: { readonly actions: string; readonly invoices: string; readonly deliveries: string };
  readonly consumerGroup: string;
  readonly templatesDir: string;
  readonly publicUrl: string;
  readonly pollIntervalMs: number;
  readonly leaseMs: number;
  /** Customers whose due deliveries one dispatcher pass works on at once (NOTIFIER_DISPATCH_CONCURRENCY). */
  readonly dispatchConcurrency: number;
  readonly maxAttempts: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly defaultBrand: string;
  readonly paymentLinkTemplate: string;
  readonly fallbackChannels: Readonly<Record<Channel, readonly Channel[]>>;
  readonly contactWindows: ContactWindows;
  readonly contactCap: { readonly maxContacts: number; readonly perDays: number };
  readonly contacts: { readonly baseUrl: string; readonly apiKey: string; readonly timeoutMs: number };
  readonly smtp: {
    readonly host: string;
    readonly port: number;
    readonly secure: boolean;
    readonly ignoreTls: boolean;
    readonly auth?: { readonly user: string; readonly pass: string };
    readonly from: string;
    readonly messageIdDomain: string;
    readonly lookupUrl?: string;
  };
  readonly kannel: { readonly sendsmsUrl: string; readonly username: string; readonly password: string; readonly from: string; readonly dlrSecret: string; readonly reconcileGraceMs: number };
  readonly letters: { readonly directory: string; readonly senderLines: readonly string[]; readonly timeZone: string };
  readonly faultInjection?: FaultPoint;
}

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
};

const window = (raw: string | undefined, fallback: { from: string; to: string } | null) => {
  if (raw === undefined) return fallback;
  if (raw === '' || raw === 'none') return null;
  const match = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(raw);
  if (!match) throw new Error(`a contact window looks like 09:00-19:00 (or none), got '${raw}'`);
  return { from: match[1]!, to: match[2]! };
};

export function loadNotifierConfig(httpPort: number, env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  const repo = resolve(__dirname, '../../..');
  const fault = env['NOTIFIER_FAULT_INJECTION'];
  if (fault !== undefined && fault !== '' && fault !== 'after-provider-accepted') throw new Error(`NOTIFIER_FAULT_INJECTION: unknown fault point '${fault}'`);
  const smtpUser = env['SMTP_USER'];
  return {
    schema: env['NOTIFIER_SCHEMA'] ?? 'notifier',
    topics: {
      actions: env['NOTIFIER_ACTIONS_TOPIC'] ?? TOPICS.dunningActions,
      invoices: env['NOTIFIER_INVOICES_TOPIC'] ?? TOPICS.invoicingInvoices,
      deliveries: env['NOTIFIER_DELIVERIES_TOPIC'] ?? TOPICS.notifierDeliveries,
    },
    consumerGroup: env['NOTIFIER_CONSUMER_GROUP'] ?? 'notifier',
    templatesDir: env['NOTIFIER_TEMPLATES_DIR'] ?? DEFAULT_TEMPLATES_DIR,
    publicUrl: env['NOTIFIER_PUBLIC_URL'] ?? `http://127.0.0.1:${httpPort}`,
    pollIntervalMs: int(env, 'NOTIFIER_POLL_MS', 500),
    leaseMs: int(env, 'NOTIFIER_LEASE_MS', 60_000),
    dispatchConcurrency: Math.max(1, int(env, 'NOTIFIER_DISPATCH_CONCURRENCY', 8)),
    maxAttempts: int(env, 'NOTIFIER_MAX_ATTEMPTS', 5),
    backoff: { initialMs: int(env, 'NOTIFIER_BACKOFF_MS', 5_000), maxMs: int(env, 'NOTIFIER_BACKOFF_MAX_MS', 300_000) },
    defaultBrand: env['NOTIFIER_DEFAULT_BRAND'] ?? 'Dunning',
    paymentLinkTemplate: env['NOTIFIER_PAYMENT_LINK'] ?? 'https://pay.example.com/invoices/{invoiceId}',
    // The default policy's fallbacks: SMS ↔ e-mail; a letter has none.
    fallbackChannels: { sms: ['email'], email: ['sms'], letter: [] },
    contactWindows: {
      weekdays: window(env['NOTIFIER_WINDOW_WEEKDAYS'], { from: '09:00', to: '19:00' }),
      saturday: window(env['NOTIFIER_WINDOW_SATURDAY'], { from: '10:00', to: '15:00' }),
      sunday: window(env['NOTIFIER_WINDOW_SUNDAY'], null),
    },
    contactCap: { maxContacts: int(env, 'NOTIFIER_CONTACT_CAP', 2), perDays: int(env, 'NOTIFIER_CONTACT_CAP_DAYS', 7) },
    contacts: { baseUrl: env['INVOICING_URL'] ?? 'http://127.0.0.1:3001', apiKey: env['NOTIFIER_INVOICING_API_KEY'] ?? '', timeoutMs: int(env, 'NOTIFIER_CONTACTS_TIMEOUT_MS', 5_000) },
    smtp: {
      host: env['SMTP_HOST'] ?? '127.0.0.1',
      port: int(env, 'SMTP_PORT', 1025),
      secure: env['SMTP_SECURE'] === 'true',
      ignoreTls: (env['SMTP_IGNORE_TLS'] ?? 'true') === 'true',
      ...(smtpUser ? { auth: { user: smtpUser, pass: env['SMTP_PASSWORD'] ?? '' } } : {}),
      from: env['NOTIFIER_EMAIL_FROM'] ?? '{brand} <billing@example.com>',
      messageIdDomain: env['NOTIFIER_MESSAGE_ID_DOMAIN'] ?? 'notifier.dunning.local',
      ...(env['SMTP_LOOKUP_URL'] !== '' ? { lookupUrl: env['SMTP_LOOKUP_URL'] ?? 'http://127.0.0.1:1080/messages' } : {}),
    },
    kannel: {
      sendsmsUrl: env['KANNEL_SENDSMS_URL'] ?? 'http://127.0.0.1:13013/cgi-bin/sendsms',
      username: env['KANNEL_SENDSMS_USER'] ?? 'notifier',
      password: env['KANNEL_SENDSMS_PASSWORD'] ?? 'notifier-local',
      from: env['NOTIFIER_SMS_FROM'] ?? '{brand}',
      dlrSecret: env['NOTIFIER_DLR_SECRET'] ?? 'local-dlr-secret',
      reconcileGraceMs: int(env, 'NOTIFIER_SMS_RECONCILE_GRACE_MS', 120_000),
    },
    letters: {
      directory: env['NOTIFIER_LETTER_DROP_DIR'] ?? resolve(repo, 'tmp/local/letters'),
      senderLines: (env['NOTIFIER_LETTER_SENDER'] ?? 'Dunning AB|Box 1|111 11 Stockholm').split('|'),
      timeZone: env['NOTIFIER_LETTER_TIME_ZONE'] ?? 'Europe/Stockholm',
    },
    ...(fault ? { faultInjection: fault as FaultPoint } : {}),
  };
}
