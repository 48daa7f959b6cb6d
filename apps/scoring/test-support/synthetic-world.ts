import type { DunningEvent, InvoicingEvent } from '@dunning/contracts';
import { SeededRandom } from '@dunning/scoring-models';
import { addDays } from '../src/domain/time';
import { armAssigned, CustomerScript, handoffRequested, smsReminderRequested } from './invoice-events';

// A seeded population of customers with monthly invoices: each has a hidden habit of paying on
// time, and — when late — a hidden chance to pay without collection. A share of late invoices is
// randomized into experiment arms whose effects are known, so tests can check what is learned.

export interface WorldOptions {
  readonly customers: number;
  readonly months: number;
  /** First invoice month, YYYY-MM. */
  readonly startMonth: string;
  readonly seed: number;
  /**
   * `armNames` renames the arms (default: the treatment they stand for), e.g. the seeds'
   * collection-as-before / friendly-sms / no-action; the SMS arm then sends an SMS reminder event so
   * that scoring can name its treatment from what it does.
   */
  readonly experiment?: { readonly id: string; readonly share: number; readonly armNames?: Partial<Record<(typeof ARMS)[number], string>> };
  readonly customerPrefix?: string;
}

export interface World {
  readonly invoicingEvents: InvoicingEvent[];
  readonly dunningEvents: DunningEvent[];
  readonly customerIds: string[];
}

const ARMS = ['no-action', 'sms-reminder', 'collection-handoff'] as const;
/** Extra chance to pay (of those who otherwise would not) under each arm. */
const ARM_EFFECT: Record<(typeof ARMS)[number], number> = { 'no-action': 0, 'sms-reminder': 0.15, 'collection-handoff': 0.3 };

const at = (date: string, hour = 10): string => `${date}T${String(hour).padStart(2, '0')}:00:00.000Z`;

function monthDate(startMonth: string, offset: number, day: number): string {
  const [y, m] = startMonth.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + offset;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function syntheticWorld(options: WorldOptions): World {
  const random = new SeededRandom(options.seed);
  const invoicingEvents: InvoicingEvent[] = [];
  const dunningEvents: DunningEvent[] = [];
  const customerIds: string[] = [];
  for (let c = 0; c < options.customers; c++) {
    const customerId = `${options.customerPrefix ?? 'cust'}-${c}`;
    customerIds.push(customerId);
    const onTime = 0.35 + 0.63 * random.nextFloat();
    const paysAnyway = onTime > 0.75 ? 0.92 : onTime > 0.55 ? 0.55 : 0.12;
    const payday = [25, 25, 27, 20][random.nextInt(4)] as number;
    const amount = 20_000 + random.nextInt(60_000);
    const script = new CustomerScript({ customerId, customerSince: monthDate(options.startMonth, -random.nextInt(48), 1) });
    const startOffset = random.nextInt(Math.max(1, Math.floor(options.months / 3)));
    for (let month = startOffset; month < options.months; month++) {
      const invoiceId = `${customerId}-inv-${month}`;
      const issued = monthDate(options.startMonth, month, 1);
      const due = monthDate(options.startMonth, month, 28);
      script.open(invoiceId, at(issued, 6), due, Math.round(amount * (0.8 + 0.4 * random.nextFloat())));
      if (random.nextFloat() < onTime) {
        script.pay(invoiceId, at(addDays(due, -random.nextInt(4))));
        continue;
      }
      if (random.nextFloat() < 0.15) script.pay(invoiceId, at(addDays(due, -1)), Math.floor(amount / 4));
      const randomized = options.experiment && random.nextFloat() < options.experiment.share;
      const arm = randomized ? ARMS[random.nextInt(ARMS.length)] : undefined;
      const armName = arm ? (options.experiment?.armNames?.[arm] ?? arm) : undefined;
      if (arm && armName && options.experiment) {
        dunningEvents.push(armAssigned(customerId, invoiceId, options.experiment.id, armName, at(addDays(due, 2))));
        if (arm === 'sms-reminder' && armName !== arm) dunningEvents.push(smsReminderRequested(customerId, invoiceId, options.experiment.id, armName, at(addDays(due, 5))));
      }
      const paysWithoutCollection = random.nextFloat() < paysAnyway;
      if (paysWithoutCollection) {
        // Around payday, within a few weeks.
        const paidOn = monthDate(options.startMonth, month + 1, Math.min(28, payday + random.nextInt(3)));
        script.pay(invoiceId, at(paidOn));
        continue;
      }
      const effect = arm ? ARM_EFFECT[arm] : 0.1;
      const handoffDay = arm === 'collection-handoff' ? 20 : 45;
      if (arm !== 'no-action' && arm !== 'sms-reminder') {
        script.handOff(invoiceId, at(addDays(due, handoffDay)));
        if (arm && armName && options.experiment) dunningEvents.push(handoffRequested(customerId, invoiceId, options.experiment.id, armName, at(addDays(due, handoffDay))));
      }
      if (random.nextFloat() < effect) script.pay(invoiceId, at(addDays(due, handoffDay + 5 + random.nextInt(20))));
    }
    invoicingEvents.push(...script.events);
  }
  return { invoicingEvents, dunningEvents, customerIds };
}
