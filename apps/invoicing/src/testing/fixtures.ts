import { randomUUID } from 'node:crypto';

/**
 * Billing events as a billing system would send them (the contract's shapes), for tests.
 * Customer details carry a per-test canary so a test can look for them anywhere.
 */
export interface CanaryCustomer {
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  readonly street: string;
}

export function canaryCustomer(customerId = `cust-${randomUUID().slice(0, 8)}`): CanaryCustomer {
  const tag = randomUUID().replace(/-/g, '').slice(0, 10);
  const digits = String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
  return {
    customerId,
    name: `Canary Person ${tag}`,
    email: `canary.${tag}@example.org`,
    phone: `+4670${digits}`,
    street: `Kanariegatan ${tag}`,
  };
}

export const BILLING_SOURCE = 'urn:billing:test-brand';

export interface CloudEventJson {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time?: string;
  data: Record<string, unknown> & { customerId: string };
}

export const ce = (type: string, data: CloudEventJson['data'], id: string = randomUUID()): CloudEventJson => ({
  specversion: '1.0',
  id,
  source: BILLING_SOURCE,
  type,
  time: '2026-03-01T09:00:00Z',
  data,
});

export function invoiceIssued(customer: CanaryCustomer, invoiceId: string, amountMinor: number, extra: Record<string, unknown> = {}): CloudEventJson {
  return ce('billing.invoice.issued', {
    invoiceId,
    customerId: customer.customerId,
    issuedAt: '2026-03-01T09:00:00Z',
    dueDate: '2026-03-31',
    amount: { minor: amountMinor, currency: 'SEK' },
    customer: {
      name: customer.name,
      email: customer.email,
      phone: customer.phone,
      postalAddress: { lines: [customer.street], postalCode: '111 22', city: 'Stockholm', country: 'SE' },
      locale: 'sv-SE',
      timeZone: 'Europe/Stockholm',
      type: 'consumer',
    },
    paymentReference: `OCR-${invoiceId}`,
    ...extra,
  });
}

export function paymentReceived(customerId: string, paymentId: string, amountMinor: number, extra: Record<string, unknown> = {}): CloudEventJson {
  return ce('billing.payment.received', {
    paymentId,
    customerId,
    amount: { minor: amountMinor, currency: 'SEK' },
    receivedAt: '2026-03-10T12:00:00Z',
    ...extra,
  });
}

export function invoiceCredited(customerId: string, creditNoteId: string, invoiceId: string, amountMinor: number, extra: Record<string, unknown> = {}): CloudEventJson {
  return ce('billing.invoice.credited', { creditNoteId, invoiceId, customerId, amount: { minor: amountMinor, currency: 'SEK' }, creditedAt: '2026-03-05T10:00:00Z', ...extra });
}

export function invoiceDisputed(customerId: string, invoiceId: string, extra: Record<string, unknown> = {}): CloudEventJson {
  return ce('billing.invoice.disputed', { invoiceId, customerId, disputedAt: '2026-03-06T10:00:00Z', ...extra });
}

export function disputeResolved(customerId: string, invoiceId: string, outcome: 'upheld' | 'rejected'): CloudEventJson {
  return ce('billing.invoice.dispute-resolved', { invoiceId, customerId, resolvedAt: '2026-03-08T10:00:00Z', outcome });
}

export function paymentPlanAgreed(customerId: string, planId: string, invoiceId: string, installments: [string, number][]): CloudEventJson {
  return ce('billing.payment-plan.agreed', {
    planId,
    invoiceId,
    customerId,
    agreedAt: '2026-03-07T10:00:00Z',
    installments: installments.map(([dueDate, minor]) => ({ dueDate, amount: { minor, currency: 'SEK' } })),
  });
}

export function customerUpdated(customerId: string, customer: Record<string, unknown>, consent?: Record<string, boolean>): CloudEventJson {
  return ce('billing.customer.updated', { customerId, updatedAt: '2026-03-09T10:00:00Z', customer, ...(consent ? { consent } : {}) });
}

export function customerTerminated(customerId: string, reason?: string): CloudEventJson {
  return ce('billing.customer.terminated', { customerId, terminatedAt: '2026-03-20T10:00:00Z', ...(reason ? { reason } : {}) });
}

/** POSTs a structured CloudEvent with an API key. */
export async function postEvent(baseUrl: string, key: string, event: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/billing-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json', authorization: `Bearer ${key}`, ...headers },
    body: typeof event === 'string' ? event : JSON.stringify(event),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function getJson(baseUrl: string, path: string, key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { 'x-api-key': key } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
