// Wall time of the notifier's dispatcher passes against its real peers: the same mix of due
// deliveries (e-mail over SMTP to the capture server, SMS over Kannel's sendsms, letters as PDF
// files; many customers, some with two deliveries) dispatched by DeliveryDispatcher in-process on a
// fresh database, once per variant: one at a time with an SMTP session per mail (the old way) and
// concurrently across customers with pooled SMTP sessions. The contact lookup goes over HTTP to a
// local stand-in of invoicing's contact endpoint, as in production. Prints where a delivery's time
// goes (contact lookup, provider call per channel, the rest: database, checks, rendering) and the
// deliveries per second of each variant. Not a test: run it with
//
//   BENCH_DELIVERIES=60 node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/notifier-dispatch.ts
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { uniqueName } from '@dunning/testing';
import type { Channel } from '../apps/notifier/src/domain';
import { renderMessage } from '../apps/notifier/src/domain';
import { KannelSmsProvider } from '../apps/notifier/src/channels/kannel-sms.provider';
import { LetterDropProvider } from '../apps/notifier/src/channels/letter-drop.provider';
import type { MessageProvider, OutboundMessage } from '../apps/notifier/src/channels/provider';
import { SmtpEmailProvider } from '../apps/notifier/src/channels/smtp-email.provider';
import { InvoicingContactDirectory, type ContactDirectory } from '../apps/notifier/src/deliveries/contact-directory';
import { DeliveryStore, type StoredRequest } from '../apps/notifier/src/deliveries/delivery-store';
import { DeliveryDispatcher } from '../apps/notifier/src/deliveries/dispatcher';
import { deliveryRecentContactsIndexSql, deliveryTraceContextSql, fullNotifierSchemaSql } from '../apps/notifier/src/deliveries/schema';
import { loadTemplateCatalog } from '../apps/notifier/src/templates/load-templates';
import { KANNEL, SMTP, startKannel, startSmtpCapture } from '../apps/notifier/test-support/peers';

const DELIVERIES = Number(process.env['BENCH_DELIVERIES'] ?? 60);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
// Monday 6 April 2026, 10:00 in Stockholm: inside the weekday window.
const NOW = new Date('2026-04-06T08:00:00.000Z');
const SCHEMA = 'notifier';
const url = (db: string) => `postgres://postgres@127.0.0.1:5432/${db}`;

interface Variant {
  readonly name: string;
  readonly concurrency: number;
  readonly smtpPool: boolean;
}

/** Sums of wall time per step, over every delivery of a variant (steps overlap when concurrent). */
class Timings {
  readonly ms = new Map<string, { total: number; n: number }>();
  async time<T>(step: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      const entry = this.ms.get(step) ?? { total: 0, n: 0 };
      entry.total += performance.now() - started;
      entry.n += 1;
      this.ms.set(step, entry);
    }
  }
}

function timedProvider(provider: MessageProvider, timings: Timings): MessageProvider {
  return {
    name: provider.name,
    channel: provider.channel,
    send: (message: OutboundMessage) => timings.time(`provider ${provider.channel}`, () => provider.send(message)),
    reconcile: (attempt, now) => provider.reconcile(attempt, now),
    ...(provider.close ? { close: () => provider.close?.() ?? Promise.resolve() } : {}),
  };
}

/** Invoicing's GET /customers/:id/contact, answering from the bench's customers. */
function contactServer(): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    const id = decodeURIComponent(/\/customers\/([^/]+)\/contact/.exec(req.url ?? '')?.[1] ?? '');
    const i = Number(id.split('-c').pop());
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        status: 'ok',
        contact: { name: `Kund ${i}`, email: `kund${i}.${id}@example.com`, phone: `+4670${String(1_000_000 + i).slice(-7)}`, postalAddress: { lines: [`Gatan ${i}`], postalCode: '111 11', city: 'Stockholm', country: 'SE' } },
        profile: { consent: {} },
      }),
    );
  });
  return new Promise((resolveListen) => server.listen(0, '127.0.0.1', () => resolveListen({ server, baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

async function runVariant(variant: Variant, pool: Pool, contactsUrl: string, letterDir: string): Promise<{ seconds: number; passes: number; states: string; timings: Timings }> {
  const store = new DeliveryStore(SCHEMA);
  const run = uniqueName(variant.name.replace(/\W/g, ''));
  const channels: Channel[] = ['email', 'sms', 'email', 'letter'];
  const customers = Math.ceil(DELIVERIES * 0.75);
  // Every customer one delivery, the first quarter a second one (a same-customer queue).
  const requests: StoredRequest[] = Array.from({ length: DELIVERIES }, (_, n) => {
    const i = n % customers;
    const channel = channels[n % channels.length]!;
    return {
      actionId: `${run}-a${n}`,
      caseId: `${run}-case${i}`,
      invoiceId: `${run}-INV${i}`,
      customerId: `${run}-c${i}`,
      requestedAt: NOW.toISOString(),
      channel,
      fallbackChannels: [],
      templateId: channel === 'letter' ? 'reminder-letter' : 'reminder',
      locale: 'sv-SE',
    };
  });
  for (let i = 0; i < customers; i += 1) {
    await store.upsertCustomer(pool, `${run}-c${i}`, { customerType: 'consumer', locale: 'sv-SE', timeZone: 'Europe/Stockholm', country: 'SE', reachableChannels: ['sms', 'email', 'letter'] }, NOW);
    await store.upsertInvoice(pool, { invoiceId: `${run}-INV${i}`, customerId: `${run}-c${i}`, amount: { minor: 49_900, currency: 'SEK' }, balance: { minor: 49_900, currency: 'SEK' }, dueDate: '2026-03-20' as never, paymentReference: `OCR${i}` }, NOW);
  }
  await store.acceptMany(pool, requests.map((request) => ({ request, at: NOW })));

  const timings = new Timings();
  const directory = new InvoicingContactDirectory({ baseUrl: contactsUrl, apiKey: 'bench', timeoutMs: 5_000 });
  const contacts: ContactDirectory = { lookup: (customerId) => timings.time('contact lookup', () => directory.lookup(customerId)) };
  const providers: MessageProvider[] = [
    new SmtpEmailProvider({ host: SMTP.host, port: SMTP.port, secure: false, ignoreTls: true, from: '{brand} <billing@telco.example>', messageIdDomain: 'bench.local', lookupUrl: `${SMTP.httpUrl}/messages`, timeoutMs: 10_000, pool: variant.smtpPool }),
    new KannelSmsProvider(
      { sendsmsUrl: KANNEL.sendsmsUrl, username: KANNEL.username, password: KANNEL.password, from: '{brand}', dlrUrl: 'http://127.0.0.1:9/notifier/dlr/kannel', dlrSecret: 'bench', reconcileGraceMs: 120_000, upSince: NOW, timeoutMs: 10_000 },
      async () => false,
    ),
    new LetterDropProvider({ directory: letterDir, senderLines: ['Telco AB', 'Box 1', '111 11 Stockholm'], timeZone: 'Europe/Stockholm' }, () => NOW),
  ];
  const dispatcher = new DeliveryDispatcher({
    pool,
    schema: SCHEMA,
    catalog: loadTemplateCatalog(),
    providers: providers.map((p) => timedProvider(p, timings)),
    contacts,
    rules: { contactWindows: { weekdays: { from: '09:00', to: '19:00' }, saturday: null, sunday: null }, contactCap: { maxContacts: 10, perDays: 7 }, unknownInvoiceRetryMs: 5_000 },
    deliveriesTopic: 'bench.deliveries',
    defaultBrand: 'Telco',
    paymentLinkTemplate: 'https://pay.example/i/{invoiceId}',
    leaseMs: 60_000,
    maxAttempts: 5,
    backoff: { initialMs: 5_000, maxMs: 300_000 },
    batchSize: DELIVERIES,
    dispatchConcurrency: variant.concurrency,
    clock: () => NOW,
  });
  const started = performance.now();
  let passes = 0;
  for (;;) {
    passes += 1;
    const { handled, complete } = await timings.time('pass', () => dispatcher.runPass());
    if (complete || handled === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  for (const p of providers) await p.close?.();
  const { rows } = await pool.query<{ state: string; n: string }>(`SELECT state, count(*)::text AS n FROM ${SCHEMA}.deliveries WHERE customer_id LIKE $1 GROUP BY state ORDER BY state`, [`${run}-%`]);
  return { seconds, passes, states: rows.map((r) => `${r.state} ${r.n}`).join(', '), timings };
}

async function main(): Promise<void> {
  startSmtpCapture();
  startKannel();
  const database = uniqueName('notifier_dispatch_bench').replace(/-/g, '_');
  const admin = new Client({ connectionString: url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const pool = new Pool({ connectionString: url(database), max: 8 });
  const letterDir = mkdtempSync(join(tmpdir(), 'notifier-dispatch-bench-'));
  const { server, baseUrl } = await contactServer();
  try {
    for (const sql of [fullNotifierSchemaSql(SCHEMA), deliveryTraceContextSql(SCHEMA), deliveryRecentContactsIndexSql(SCHEMA)]) await pool.query(sql);
    // Rendering alone, in-process (it is part of "the rest" below).
    const catalog = loadTemplateCatalog();
    const renderStarted = performance.now();
    for (let n = 0; n < 200; n += 1) {
      const channel: Channel = n % 3 === 0 ? 'email' : n % 3 === 1 ? 'sms' : 'letter';
      renderMessage(catalog, {
        templateId: channel === 'letter' ? 'reminder-letter' : 'reminder', channel, locale: 'sv-SE', country: 'SE', customerType: 'consumer', brand: 'Telco', recipientName: 'Kund',
        invoice: { invoiceId: 'INV1', dueDate: '2026-03-20' as never, amount: { minor: 49_900, currency: 'SEK' }, balance: { minor: 49_900, currency: 'SEK' }, paymentReference: 'OCR1' },
        sendDate: '2026-04-06' as never, paymentLink: 'https://pay.example/i/INV1',
      });
    }
    console.log(`render (no provider, no DB): ${((performance.now() - renderStarted) / 200).toFixed(2)} ms per message`);
    const variants: Variant[] = [
      { name: 'before: one at a time, SMTP session per mail', concurrency: 1, smtpPool: false },
      { name: 'one at a time, pooled SMTP', concurrency: 1, smtpPool: true },
      { name: `concurrency ${CONCURRENCY}, SMTP session per mail`, concurrency: CONCURRENCY, smtpPool: false },
      { name: `after: concurrency ${CONCURRENCY}, pooled SMTP`, concurrency: CONCURRENCY, smtpPool: true },
    ];
    for (const variant of variants) {
      const result = await runVariant(variant, pool, baseUrl, letterDir);
      console.log(`\n${variant.name}: ${DELIVERIES} deliveries in ${result.passes} pass(es), ${result.seconds.toFixed(2)} s wall, ${(DELIVERIES / result.seconds).toFixed(1)} deliveries/s (${result.states})`);
      for (const [step, { total, n }] of result.timings.ms) if (step !== 'pass') console.log(`  ${step.padEnd(18)} ${n} calls, mean ${(total / n).toFixed(1)} ms, sum ${(total / 1000).toFixed(2)} s`);
      const stepSum = [...result.timings.ms].filter(([step]) => step !== 'pass').reduce((sum, [, { total }]) => sum + total, 0);
      if (variant.concurrency === 1) console.log(`  the rest (DB statements, checks, rendering, spans): ${((result.seconds * 1000 - stepSum) / DELIVERIES).toFixed(1)} ms per delivery`);
    }
  } finally {
    server.close();
    await pool.end();
    rmSync(letterDir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
