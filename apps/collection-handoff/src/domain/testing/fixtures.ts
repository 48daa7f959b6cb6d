import type { AgencyClaim } from '../claim';
import type { CaseCommand, CollectionCase } from '../collection-case';
import { decide, evolveAll } from '../collection-case';
import type { InvoiceView } from '../invoice-view';
import type { AgencyRoute } from '../handoff-plan';

export const openInvoice = (overrides: Partial<InvoiceView> = {}): InvoiceView => ({
  invoiceId: 'inv-1',
  customerId: 'cust-1',
  issuedAt: '2026-03-01T08:00:00Z',
  dueDate: '2026-03-31',
  amount: { minor: 29_900, currency: 'SEK' },
  balance: { minor: 29_900, currency: 'SEK' },
  status: 'open',
  dispute: 'none',
  paymentPlan: 'none',
  customer: { type: 'consumer', country: 'SE', locale: 'sv-SE', timeZone: 'Europe/Stockholm' },
  ...overrides,
});

export const requestCommand = (overrides: Partial<Extract<CaseCommand, { type: 'request-handoff' }>> = {}): Extract<CaseCommand, { type: 'request-handoff' }> => ({
  type: 'request-handoff',
  collectionCaseId: 'cc-1',
  handoffId: 'ho-1',
  actionId: 'act-1',
  dunningCaseId: 'case-1',
  invoiceId: 'inv-1',
  customerId: 'cust-1',
  amountDue: { minor: 29_900, currency: 'SEK' },
  requestedAt: '2026-05-10T06:00:00Z',
  ...overrides,
});

export const seRoute: AgencyRoute = { agencyId: 'agency-se', channel: 'api', daysToPay: 10 };

export const someClaim = (overrides: Partial<AgencyClaim> = {}): AgencyClaim => ({
  handoffId: 'ho-1',
  collectionCaseId: 'cc-1',
  invoiceId: 'inv-1',
  customerId: 'cust-1',
  agencyId: 'agency-se',
  country: 'SE',
  customerType: 'consumer',
  issuedAt: '2026-03-01T08:00:00Z',
  dueDate: '2026-03-31',
  handedOffOn: '2026-05-10',
  daysToPay: 10,
  payBy: '2026-05-20',
  principal: { minor: 29_900, currency: 'SEK' },
  costs: [],
  total: { minor: 29_900, currency: 'SEK' },
  legalBasis: [],
  ...overrides,
});

/** Runs commands through decide/evolve and returns the state; throws on a rejected command. */
export function run(commands: readonly CaseCommand[], initial?: CollectionCase): CollectionCase | undefined {
  let state = initial;
  for (const command of commands) {
    const decision = decide(command, state);
    if (!decision.ok) throw new Error(`${command.type} rejected: ${decision.code}`);
    state = evolveAll(decision.events, state);
  }
  return state;
}

/** A case handed off through the API at 2026-05-10T07:00Z. */
export function handedOffCase(): CollectionCase {
  const state = run([
    requestCommand(),
    { type: 'complete-check', outcome: { kind: 'approve', agencyId: 'agency-se', claim: someClaim() }, at: '2026-05-10T06:30:00Z' },
    { type: 'start-delivery', channel: 'api', at: '2026-05-10T06:31:00Z' },
    { type: 'confirm-handoff', agencyReference: 'AG-1', at: '2026-05-10T07:00:00Z' },
  ]);
  if (!state) throw new Error('no case');
  return state;
}
