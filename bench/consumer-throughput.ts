// Consumer throughput: our TransactionalBatchConsumer with one multi-row upsert per chunk, against
// the stock NestJS Kafka transport (@EventPattern, one message at a time) with one TypeORM
// repository.save() per event. Same broker, same topic (3 partitions), same records, same decoder
// (libs/contracts' CloudEvents decoder), same projection; PostgreSQL with fsync and synchronous_commit
// as configured (on), checked and printed. Not a test: run it with `npm run bench:consumer`.
//
//   BENCH_EVENTS=20000 npm run bench:consumer
import 'reflect-metadata';
import { loadavg } from 'node:os';
import { Controller, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, KafkaContext, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { decodeBillingRecord, encodeBinary, type BillingEvent, type CloudEventLike } from '@dunning/contracts';
import {
  consumerOffsetsDdl,
  KafkaPublisher,
  TransactionalBatchConsumer,
  type BatchHandler,
  type ConsumedEvent,
  type OutboundRecord,
} from '@dunning/messaging';
import { createTopic, kafkaBrokers, uniqueName } from '@dunning/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client, Pool } from 'pg';
import { Column, DataSource, Entity, PrimaryColumn, type Repository } from 'typeorm';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 20_000);
/** `ours` or `baseline` to run one side only (profiling); both by default. */
const ONLY = process.env['BENCH_ONLY'];
const OURS_RUNS = Math.max(1, Number(process.env['BENCH_OURS_RUNS'] ?? 3));
const PARTITIONS = 3;
const DATABASE = 'dunning_bench';
const databaseUrl = (db: string): string => `postgres://postgres@127.0.0.1:5432/${db}`;
const brokers = kafkaBrokers();

// ---------------------------------------------------------------- the workload

interface Balance {
  customerId: string;
  currency: string;
  amountMinor: number;
  paidMinor: number;
  eventsApplied: number;
}

/** Ingress-like events: invoices issued (with the full customer block) and payments naming them, keyed by customer. */
function makeIngressRecords(topic: string, count: number): { records: OutboundRecord[]; reference: Map<string, Balance> } {
  const records: OutboundRecord[] = [];
  const reference = new Map<string, Balance>();
  const customers = Math.max(1, Math.floor(count / 5));
  const openInvoices = new Map<number, string[]>();
  for (let i = 0; i < count; i++) {
    const c = (i * 7919) % customers;
    const customerId = `cust-${String(c).padStart(6, '0')}`;
    const open = openInvoices.get(c) ?? [];
    const time = new Date(Date.UTC(2026, 2, 1) + i * 60_000).toISOString();
    let event: CloudEventLike;
    if (open.length > 0 && i % 5 >= 3) {
      const invoiceId = open.shift()!;
      const invoice = reference.get(invoiceId)!;
      const amount = invoice.amountMinor;
      const payment = {
        specversion: '1.0' as const,
        id: `pay-${i}`,
        source: 'urn:billing:bench',
        type: 'billing.payment.received',
        time,
        data: { paymentId: `pay-${i}`, customerId, amount: { minor: amount, currency: 'SEK' }, receivedAt: time, invoiceId, method: 'bank-transfer' },
      };
      event = payment;
      invoice.paidMinor += amount;
      invoice.eventsApplied += 1;
    } else {
      const invoiceId = `inv-${String(i).padStart(8, '0')}`;
      const amount = 9_900 + ((i * 104_729) % 90_000);
      const issued = {
        specversion: '1.0' as const,
        id: `inv-${i}`,
        source: 'urn:billing:bench',
        type: 'billing.invoice.issued',
        time,
        subject: invoiceId,
        data: {
          invoiceId,
          customerId,
          issuedAt: time,
          dueDate: '2026-04-30',
          amount: { minor: amount, currency: 'SEK' },
          customer: {
            name: `Bench Person ${c}`,
            email: `bench.person.${c}@example.invalid`,
            phone: `+4670${String(1_000_000 + c).slice(-7)}`,
            postalAddress: { lines: [`Benchgatan ${c % 200}`], postalCode: '999 99', city: 'Benchby', country: 'SE' },
            locale: 'sv-SE',
            timeZone: 'Europe/Stockholm',
            type: 'consumer',
            customerSince: '2019-06-01',
          },
          brand: 'bench-mobile',
          paymentReference: String(4_200_000_000_000 + i),
        },
      };
      event = issued;
      reference.set(invoiceId, { customerId, currency: 'SEK', amountMinor: amount, paidMinor: 0, eventsApplied: 1 });
      open.push(invoiceId);
      openInvoices.set(c, open);
    }
    const encoded = encodeBinary(event);
    records.push({ topic, key: encoded.key, value: encoded.value, headers: encoded.headers });
  }
  return { records, reference };
}

function projectionDdl(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS "${schema}";
CREATE TABLE "${schema}".invoice_balances (
  invoice_id text PRIMARY KEY,
  customer_id text NOT NULL,
  currency text NOT NULL,
  amount_minor bigint NOT NULL,
  paid_minor bigint NOT NULL,
  events_applied integer NOT NULL,
  status text NOT NULL
);`;
}

async function readProjection(pool: Pool, schema: string): Promise<Map<string, Balance>> {
  const { rows } = await pool.query<{ invoice_id: string; customer_id: string; currency: string; amount_minor: string; paid_minor: string; events_applied: number }>(
    `SELECT invoice_id, customer_id, currency, amount_minor, paid_minor, events_applied FROM "${schema}".invoice_balances`,
  );
  return new Map(
    rows.map((r) => [
      r.invoice_id,
      { customerId: r.customer_id, currency: r.currency, amountMinor: Number(r.amount_minor), paidMinor: Number(r.paid_minor), eventsApplied: r.events_applied },
    ]),
  );
}

const sameProjection = (a: Map<string, Balance>, b: Map<string, Balance>): boolean =>
  a.size === b.size && [...a].every(([id, x]) => JSON.stringify(x) === JSON.stringify(b.get(id)));

// ---------------------------------------------------------------- (a) our batch consumer

type Delta = { id: string; customer: string; currency: string; amount: number; paid: number; events: number };

/**
 * One multi-row upsert per chunk: deltas folded per invoice in memory first (one INSERT … ON CONFLICT
 * cannot touch a row twice), rows sent as one JSON parameter (JSON.stringify is native; pg's array
 * literal builder is not).
 */
function batchedProjection(schema: string): BatchHandler<BillingEvent> {
  const sql = `INSERT INTO "${schema}".invoice_balances AS b (invoice_id, customer_id, currency, amount_minor, paid_minor, events_applied, status)
SELECT id, customer, currency, amount, paid, events, CASE WHEN paid >= amount AND amount > 0 THEN 'settled' ELSE 'open' END
FROM jsonb_to_recordset($1::jsonb) AS t(id text, customer text, currency text, amount bigint, paid bigint, events int)
ON CONFLICT (invoice_id) DO UPDATE SET
  amount_minor = b.amount_minor + excluded.amount_minor,
  paid_minor = b.paid_minor + excluded.paid_minor,
  events_applied = b.events_applied + excluded.events_applied,
  status = CASE WHEN b.paid_minor + excluded.paid_minor >= b.amount_minor + excluded.amount_minor THEN 'settled' ELSE 'open' END`;
  return async (events: readonly ConsumedEvent<BillingEvent>[], tx) => {
    const deltas = new Map<string, Delta>();
    const delta = (id: string, customer: string, currency: string): Delta => {
      let d = deltas.get(id);
      if (!d) deltas.set(id, (d = { id, customer, currency, amount: 0, paid: 0, events: 0 }));
      return d;
    };
    for (const { value: event } of events) {
      if (event.type === 'billing.invoice.issued') {
        const d = delta(event.data.invoiceId, event.data.customerId, event.data.amount.currency);
        d.amount += event.data.amount.minor;
        d.events += 1;
      } else if (event.type === 'billing.payment.received' && event.data.invoiceId) {
        const d = delta(event.data.invoiceId, event.data.customerId, event.data.amount.currency);
        d.paid += event.data.amount.minor;
        d.events += 1;
      }
    }
    await tx.query(sql, [JSON.stringify([...deltas.values()])]);
  };
}

// ---------------------------------------------------------------- (b) the baseline

@Entity({ name: 'invoice_balances' })
class InvoiceBalance {
  @PrimaryColumn({ name: 'invoice_id', type: 'text' }) invoiceId!: string;
  @Column({ name: 'customer_id', type: 'text' }) customerId!: string;
  @Column({ type: 'text' }) currency!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) amountMinor!: number;
  @Column({ name: 'paid_minor', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) paidMinor!: number;
  @Column({ name: 'events_applied', type: 'int' }) eventsApplied!: number;
  @Column({ type: 'text' }) status!: string;
}

const INVOICES = Symbol('INVOICES');

/** The textbook NestJS consumer: @EventPattern over Transport.KAFKA, one repository.save() per event. */
function baselineModule(topic: string, repository: Repository<InvoiceBalance>): new () => unknown {
  @Controller()
  class BillingEventsController {
    constructor(@Inject(INVOICES) private readonly invoices: Repository<InvoiceBalance>) {}

    @EventPattern(topic)
    async onBillingEvent(@Payload() _value: unknown, @Ctx() context: KafkaContext): Promise<void> {
      const message = context.getMessage();
      const decoded = decodeBillingRecord({ key: message.key, value: message.value, headers: message.headers });
      if (!decoded.ok) return;
      const event = decoded.event;
      if (event.type === 'billing.invoice.issued') {
        await this.invoices.save(
          this.invoices.create({
            invoiceId: event.data.invoiceId,
            customerId: event.data.customerId,
            currency: event.data.amount.currency,
            amountMinor: event.data.amount.minor,
            paidMinor: 0,
            eventsApplied: 1,
            status: 'open',
          }),
        );
      } else if (event.type === 'billing.payment.received' && event.data.invoiceId) {
        const invoice = await this.invoices.findOneBy({ invoiceId: event.data.invoiceId });
        if (!invoice) return;
        invoice.paidMinor += event.data.amount.minor;
        invoice.eventsApplied += 1;
        invoice.status = invoice.paidMinor >= invoice.amountMinor ? 'settled' : 'open';
        await this.invoices.save(invoice);
      }
    }
  }
  @Module({ controllers: [BillingEventsController], providers: [{ provide: INVOICES, useValue: repository }] })
  class BaselineModule {}
  return BaselineModule;
}

// ---------------------------------------------------------------- measuring

interface Measurement {
  /** From start() to the last event applied, group join included. */
  readonly wallSeconds: number;
  /** From the first observed progress to the last event applied. */
  readonly steadySeconds: number;
  /** Events applied inside the steady window (those applied before the first observation are left out). */
  readonly steadyEvents: number;
  /** This process's CPU time (user + system) per event in the steady window; PostgreSQL's own CPU is not in it. */
  readonly cpuMicrosPerEvent: number;
}

const steadyRate = (m: Measurement): number => m.steadyEvents / m.steadySeconds;

/** Polls the projection's event counter every 25 ms: the clock stops when every event is applied. */
async function measure(pool: Pool, schema: string, start: () => Promise<void>): Promise<Measurement> {
  const applied = async (): Promise<number> =>
    Number((await pool.query<{ n: string | null }>(`SELECT sum(events_applied) AS n FROM "${schema}".invoice_balances`)).rows[0]?.n ?? 0);
  const started = performance.now();
  await start();
  let first: { at: number; applied: number; cpu: NodeJS.CpuUsage } | undefined;
  const deadline = started + 15 * 60_000;
  for (;;) {
    const n = await applied();
    const now = performance.now();
    if (n > 0 && first === undefined) first = { at: now, applied: n, cpu: process.cpuUsage() };
    if (n >= EVENTS) {
      const from = first ?? { at: started, applied: 0, cpu: process.cpuUsage() };
      const cpu = process.cpuUsage(from.cpu);
      const steadyEvents = EVENTS - from.applied;
      return {
        wallSeconds: (now - started) / 1000,
        steadySeconds: (now - from.at) / 1000,
        steadyEvents,
        cpuMicrosPerEvent: (cpu.user + cpu.system) / Math.max(1, steadyEvents),
      };
    }
    if (now > deadline) throw new Error(`only ${n} of ${EVENTS} events applied after 15 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function ensureDatabase(): Promise<void> {
  const admin = new Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  await ensureDatabase();
  const pool = new Pool({ connectionString: databaseUrl(DATABASE), max: 4 });
  const settings = await pool.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method') ORDER BY name`,
  );
  const setting = (name: string): string => settings.rows.find((r) => r.name === name)?.setting ?? '?';
  console.log(`PostgreSQL: ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(' ')}`);
  if (setting('fsync') !== 'on' || setting('synchronous_commit') !== 'on') {
    throw new Error('fsync and synchronous_commit must be on for this benchmark to mean anything');
  }

  const suffix = uniqueName('bench').replace(/-/g, '_');
  const topic = await createTopic(brokers, uniqueName('bench-ingress'), PARTITIONS);
  const { records, reference } = makeIngressRecords(topic, EVENTS);
  const bytes = records.reduce((sum, r) => sum + (r.value?.length ?? 0), 0);
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
  const publisher = new KafkaPublisher(kafka);
  for (let i = 0; i < records.length; i += 2_000) await publisher.publish(records.slice(i, i + 2_000));
  await publisher.disconnect();
  console.log(`Kafka: ${topic}, ${PARTITIONS} partitions, ${fmt(EVENTS)} billing events (invoice.issued / payment.received), avg value ${fmt(bytes / EVENTS)} bytes`);
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 shared cores)`);

  let aRate = Number.NaN;
  let aCorrect = true;
  let bRate = Number.NaN;
  let bCorrect = true;
  const schemas: string[] = [];

  // (a) — a short run (a second or two) is at the mercy of whatever else the shared cores do, so it
  // runs OURS_RUNS times, each with a fresh group and projection over the same topic; the median counts.
  if (ONLY !== 'baseline') {
    const rates: number[] = [];
    for (let run = 1; run <= OURS_RUNS; run++) {
      const oursSchema = `bench_ours_${suffix}_${run}`;
      schemas.push(oursSchema);
      await pool.query(projectionDdl(oursSchema));
      await pool.query(consumerOffsetsDdl(oursSchema));
      const ours = new TransactionalBatchConsumer<BillingEvent>({
        kafka,
        pool,
        schema: oursSchema,
        groupId: `bench-ours-${suffix}-${run}`,
        topics: [topic],
        decode: decodeBillingRecord,
        handle: batchedProjection(oursSchema),
        createDeadLetterTopics: false,
      });
      const a = await measure(pool, oursSchema, () => ours.start());
      await ours.stop();
      const correct = sameProjection(await readProjection(pool, oursSchema), reference);
      aCorrect &&= correct;
      rates.push(steadyRate(a));
      console.log(
        `(a) run ${run}/${OURS_RUNS}: ${fmt(a.steadyEvents)} events in ${fmt(a.steadySeconds, 2)} s -> ${fmt(steadyRate(a))} events/s, ${fmt(a.cpuMicrosPerEvent)} µs node CPU/event  (wall incl. group join ${fmt(a.wallSeconds, 2)} s; projection matches reference: ${correct ? 'yes' : 'NO'})`,
      );
    }
    aRate = median(rates);
    console.log(`(a) TransactionalBatchConsumer, multi-row upsert per chunk : ${fmt(aRate)} events/s (median of ${OURS_RUNS})`);
  }

  // (b)
  if (ONLY !== 'ours') {
    const baselineSchema = `bench_nest_${suffix}`;
    await pool.query(projectionDdl(baselineSchema));
    const dataSource = new DataSource({ type: 'postgres', url: databaseUrl(DATABASE), schema: baselineSchema, entities: [InvoiceBalance], poolSize: 4, logging: false });
    await dataSource.initialize();
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(baselineModule(topic, dataSource.getRepository(InvoiceBalance)), {
      transport: Transport.KAFKA,
      options: {
        client: { clientId: 'bench-nest', brokers, logLevel: logLevel.NOTHING },
        consumer: { groupId: `bench-nest-${suffix}` },
        subscribe: { fromBeginning: true },
        parser: { keepBinary: true },
      },
      logger: false,
    });
    schemas.push(baselineSchema);
    const b = await measure(pool, baselineSchema, () => app.listen());
    await app.close();
    await dataSource.destroy();
    bCorrect = sameProjection(await readProjection(pool, baselineSchema), reference);
    bRate = steadyRate(b);
    console.log(
      `(b) NestJS @EventPattern (Transport.KAFKA) + TypeORM save()  : ${fmt(b.steadyEvents)} events in ${fmt(b.steadySeconds, 2)} s -> ${fmt(bRate)} events/s, ${fmt(b.cpuMicrosPerEvent)} µs node CPU/event  (wall incl. group join ${fmt(b.wallSeconds, 2)} s; projection matches reference: ${bCorrect ? 'yes' : 'NO'})`,
    );
  }
  if (ONLY === undefined) console.log(`ratio (a)/(b): ${fmt(aRate / bRate, 1)}x   (target >= 25x)`);
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  for (const schema of schemas) await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  await pool.end();
  if (!aCorrect || !bCorrect) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
