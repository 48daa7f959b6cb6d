import { encodeBinary, INVOICING_SOURCE, SCORING_SOURCE } from '@dunning/contracts';

/**
 * The orchestrator's input events as Kafka records (binary-mode CloudEvents, keyed by customer id),
 * for the integration tests. Customer `n` has invoice `invoice-n` and customer id `customer-n`.
 * Test support only: imported by `*.int.test.ts`.
 */
export function inputRecord(type: string, id: string, time: string, data: { customerId: string } & Record<string, unknown>, source = INVOICING_SOURCE) {
  const record = encodeBinary({ specversion: '1.0', id, source, type, time, data });
  return { key: record.key, value: record.value, headers: record.headers };
}

export type InputRecord = ReturnType<typeof inputRecord>;

export interface OpenedOptions {
  readonly dueDate?: string;
  readonly amountMinor?: number;
  readonly reachableChannels?: readonly string[];
}

/** `invoicing.invoice.opened.v1` for a Swedish consumer, opened 2026-03-01T10:00Z (due 2026-03-31, 599 SEK, SMS and e-mail unless told). */
export function invoiceOpened(n: number | string, options: OpenedOptions = {}): InputRecord {
  const amount = { minor: options.amountMinor ?? 59_900, currency: 'SEK' };
  return inputRecord('invoicing.invoice.opened.v1', `opened-${n}`, '2026-03-01T10:00:00Z', {
    invoiceId: `invoice-${n}`,
    customerId: `customer-${n}`,
    issuedAt: '2026-03-01T10:00:00Z',
    dueDate: options.dueDate ?? '2026-03-31',
    amount,
    balance: amount,
    customer: { type: 'consumer', locale: 'sv-SE', timeZone: 'Europe/Stockholm', country: 'SE', reachableChannels: options.reachableChannels ?? ['sms', 'email'] },
  });
}

/** The seeds-experiment month's invoice: due 2026-03-20, 499 SEK, reachable by SMS, e-mail and letter. */
export const seedsInvoiceOpened = (n: number): InputRecord => invoiceOpened(n, { dueDate: '2026-03-20', amountMinor: 49_900, reachableChannels: ['sms', 'email', 'letter'] });

/** `scoring.score.computed.v1` on 2026-03-02: probability (n mod 10)/10 of paying without collection. */
export function scoreComputed(n: number): InputRecord {
  return inputRecord(
    'scoring.score.computed.v1',
    `score-${n}`,
    '2026-03-02T10:00:00Z',
    {
      scoreId: `score-${n}`,
      customerId: `customer-${n}`,
      invoiceId: `invoice-${n}`,
      computedAt: '2026-03-02T10:00:00Z',
      modelVersion: 'pay-without-collection@2026-03-01',
      probabilityPaysWithoutCollection: (n % 10) / 10,
      uplift: [{ treatment: 'collection-handoff', effect: 0.06 }],
      topReasons: [],
    },
    SCORING_SOURCE,
  );
}

/** `invoicing.payment.applied.v1`: the whole 499 SEK paid (by invoice id) at `at`. */
export function paidInFull(n: number, at: string): InputRecord {
  return inputRecord('invoicing.payment.applied.v1', `paid-${n}`, at, {
    invoiceId: `invoice-${n}`,
    customerId: `customer-${n}`,
    paymentId: `payment-${n}`,
    appliedAmount: { minor: 49_900, currency: 'SEK' },
    remainingBalance: { minor: 0, currency: 'SEK' },
    receivedAt: at,
    matchedBy: 'invoice-id',
  });
}

/** `invoicing.invoice.disputed.v1` at `at`. */
export const invoiceDisputed = (n: number, at: string): InputRecord =>
  inputRecord('invoicing.invoice.disputed.v1', `disputed-${n}`, at, { invoiceId: `invoice-${n}`, customerId: `customer-${n}`, disputedAt: at });
