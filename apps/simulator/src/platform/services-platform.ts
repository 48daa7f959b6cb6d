import { Kafka, logLevel } from 'kafkajs';
import { TOPICS, decodeIntegrationRecord, type BillingEvent } from '@dunning/contracts';
import { localDayOf } from '../domain/calendar';
import type { SeenMessage } from '../domain/seen-message';
import type { CustomerInbox } from '../adapters/inbox/customer-inbox';
import type { KafkaBillingProducer } from '../adapters/kafka-billing-producer';
import type { Platform } from './platform';

// The end-to-end platform: the five services, reached only through their public surfaces. The pieces
// are here and tested where a peer exists; what the services still have to offer for a faithful
// simulated run (a clock in every service, a quiescence probe) is listed in docs/simulator.md,
// "End-to-end mode". The CLI does not wire this yet.

/** Moves one service's simulated clock. */
export interface ClockDriver {
  readonly name: string;
  advanceTo(instant: Date): Promise<void>;
}

/** Tells whether one part of the platform has finished what it was asked to do. */
export interface QuiescenceProbe {
  readonly name: string;
  check(): Promise<{ readonly quiet: boolean; readonly detail: string }>;
}

/** `PUT <url> {"now": "<instant>"}` — the dunning-orchestrator's `/admin/clock` (it fires due timers before answering). */
export class HttpAdminClock implements ClockDriver {
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  async advanceTo(instant: Date): Promise<void> {
    const response = await fetch(this.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...this.headers },
      body: JSON.stringify({ now: instant.toISOString() }),
      signal: AbortSignal.timeout(120_000),
    });
    if (!response.ok) throw new Error(`${this.name}: moving the clock to ${instant.toISOString()} answered HTTP ${response.status}`);
  }
}

/**
 * A fallback probe until the services expose their own: quiet when none of the topics grew since the
 * previous check. It cannot see work that produces nothing (a timer due, a relay not yet polled), so
 * `waitUntilQuiet` asks for several quiet checks in a row.
 */
export class TopicsAtRestProbe implements QuiescenceProbe {
  readonly name = 'topics at rest';
  private last = '';

  constructor(
    private readonly brokers: readonly string[],
    private readonly topics: readonly string[],
  ) {}

  async check(): Promise<{ quiet: boolean; detail: string }> {
    const admin = new Kafka({ clientId: 'simulator-quiescence', brokers: [...this.brokers], logLevel: logLevel.ERROR }).admin();
    await admin.connect();
    try {
      const parts: string[] = [];
      for (const topic of this.topics) {
        const offsets = await admin.fetchTopicOffsets(topic).catch(() => []);
        parts.push(`${topic}:${offsets.map((o) => o.high).join(',')}`);
      }
      const now = parts.join(' ');
      const quiet = now === this.last;
      this.last = now;
      return { quiet, detail: now };
    } finally {
      await admin.disconnect();
    }
  }
}

/** The platform's topics a simulated day sets in motion. */
export const PLATFORM_TOPICS: readonly string[] = [
  TOPICS.billingEvents,
  TOPICS.invoicingInvoices,
  TOPICS.scoringScores,
  TOPICS.dunningActions,
  TOPICS.notifierDeliveries,
  TOPICS.collectionCases,
];

/** Arms from `dunning.experiment.arm-assigned.v1` on `dunning.actions.v1`: for the report only. */
export async function readArmAssignments(brokers: readonly string[], topic: string = TOPICS.dunningActions, timeoutMs = 30_000): Promise<Map<string, string>> {
  const kafka = new Kafka({ clientId: 'simulator-report', brokers: [...brokers], logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const arms = new Map<string, string>();
  if (remaining.size === 0) return arms;
  const consumer = kafka.consumer({ groupId: `simulator-report-${Date.now().toString(36)}-${Math.random().toString(16).slice(2, 8)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const decoded = decodeIntegrationRecord(TOPICS.dunningActions, message);
          if (decoded.ok && decoded.event.type === 'dunning.experiment.arm-assigned.v1') arms.set(decoded.event.data.invoiceId, decoded.event.data.arm);
          if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return arms;
}

export interface ServicesPlatformOptions {
  readonly producer: KafkaBillingProducer;
  readonly inbox: CustomerInbox;
  readonly clocks: readonly ClockDriver[];
  readonly probes: readonly QuiescenceProbe[];
  /** The zone whose calendar day an inbox collection is attributed to. */
  readonly timeZone: string;
  readonly brokers: readonly string[];
  readonly quiet?: { readonly consecutiveChecks?: number; readonly intervalMs?: number; readonly timeoutMs?: number };
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The platform as five running services: Kafka in, the real peers out. */
export class ServicesPlatform implements Platform {
  private clock: Date | undefined;

  constructor(private readonly options: ServicesPlatformOptions) {}

  async publish(events: readonly BillingEvent[]): Promise<void> {
    await this.options.producer.publish(events);
  }

  async advanceClockTo(instant: Date): Promise<void> {
    if (this.clock && instant <= this.clock) return;
    // One after the other: a service's timers may depend on what another did at the same instant.
    for (const clock of this.options.clocks) await clock.advanceTo(instant);
    this.clock = instant;
  }

  async waitUntilQuiet(): Promise<void> {
    const consecutive = this.options.quiet?.consecutiveChecks ?? 3;
    const interval = this.options.quiet?.intervalMs ?? 250;
    const deadline = Date.now() + (this.options.quiet?.timeoutMs ?? 120_000);
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    let inARow = 0;
    let details: string[] = [];
    while (inARow < consecutive) {
      const results = await Promise.all(this.options.probes.map(async (probe) => ({ probe: probe.name, ...(await probe.check()) })));
      details = results.filter((r) => !r.quiet).map((r) => `${r.probe}: ${r.detail}`);
      inARow = details.length === 0 ? inARow + 1 : 0;
      if (inARow >= consecutive) break;
      if (Date.now() > deadline) throw new Error(`the platform did not settle: ${details.join('; ')}`);
      await sleep(interval);
    }
  }

  async collectCustomerInbox(): Promise<readonly SeenMessage[]> {
    // Attributed to the last full day the clock has passed.
    const day = localDayOf(new Date((this.clock ?? new Date()).getTime() - 1), this.options.timeZone);
    return this.options.inbox.collect(day);
  }

  async collectAssignments(): Promise<ReadonlyMap<string, string>> {
    return readArmAssignments(this.options.brokers);
  }

  async close(): Promise<void> {
    await this.options.producer.disconnect();
  }
}
