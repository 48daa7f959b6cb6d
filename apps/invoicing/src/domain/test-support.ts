import { evolve, initialState, type AccountState } from './account';
import type { AccountCommand } from './commands';
import { decide } from './decide';
import type { AccountEvent } from './events';
import { money, type Money } from './money';
import { DEFAULT_ACCOUNT_POLICY, type AccountPolicy } from './policy';
import { isRejection, type Rejection } from './rejection';

/** Builders and a tiny runner for the domain's tests: commands in, events and rejections out. */
export const sek = (minor: number): Money => money(minor, 'SEK');
export const eur = (minor: number): Money => money(minor, 'EUR');

export const CUSTOMER = 'C-1';
const START = Date.parse('2026-03-01T08:00:00Z');

export const at = (hoursAfterStart: number): string => new Date(START + hoursAfterStart * 3_600_000).toISOString();

type DataOf<T extends AccountCommand['type']> = Extract<AccountCommand, { type: T }>['data'];

export function command<T extends AccountCommand['type']>(type: T, data: Omit<DataOf<T>, 'customerId'> & { customerId?: string }, now = at(0)): AccountCommand {
  return { type, data: { customerId: CUSTOMER, ...data }, metadata: { now } } as unknown as AccountCommand;
}

export const issue = (invoiceId: string, amount: Money, extra: Partial<DataOf<'IssueInvoice'>> = {}, now?: string) =>
  command('IssueInvoice', { invoiceId, issuedAt: at(0), dueDate: '2026-03-31', amount, ...extra }, now);

export const pay = (paymentId: string, amount: Money, extra: Partial<DataOf<'RecordPayment'>> = {}, now?: string) =>
  command('RecordPayment', { paymentId, amount, receivedAt: at(1), ...extra }, now);

export const credit = (creditNoteId: string, invoiceId: string, amount: Money, now?: string) =>
  command('CreditInvoice', { creditNoteId, invoiceId, amount, creditedAt: at(2) }, now);

export interface RunResult {
  state: AccountState;
  events: AccountEvent[];
  rejections: Rejection[];
  /** Per command: what it produced. */
  steps: { command: AccountCommand; outcome: readonly AccountEvent[] | Rejection; before: AccountState; after: AccountState }[];
}

export function run(commands: readonly AccountCommand[], policy: AccountPolicy = DEFAULT_ACCOUNT_POLICY, from: AccountState = initialState()): RunResult {
  let state = from;
  const events: AccountEvent[] = [];
  const rejections: Rejection[] = [];
  const steps: RunResult['steps'] = [];
  for (const cmd of commands) {
    const before = state;
    const outcome = decide(cmd, state, policy);
    if (isRejection(outcome)) rejections.push(outcome);
    else {
      state = outcome.reduce(evolve, state);
      events.push(...outcome);
    }
    steps.push({ command: cmd, outcome, before, after: state });
  }
  return { state, events, rejections, steps };
}

export const typesOf = (events: readonly AccountEvent[]): string[] => events.map((event) => event.type);
