import fc from 'fast-check';
import { creditIn, evolve, replay, type AccountState } from './account';
import type { AccountCommand } from './commands';
import { decide, holdIdOf } from './decide';
import { nextDeadline } from './deadlines';
import { DEFAULT_ACCOUNT_POLICY } from './policy';
import type { HoldableCommand } from './commands';
import type { AccountEvent } from './events';
import { add, money, subtract, zero, type Money } from './money';
import { isRejection } from './rejection';
import { command, run } from './test-support';

/**
 * Random sequences of billing events for one customer — shuffled, duplicated, with clocks
 * jumping ahead — must keep the account's invariants at every step:
 * - balance = amount − payments applied − credits applied, never negative, never above the amount;
 * - settled exactly when the balance is zero, and the settlement is announced exactly once;
 * - money is conserved: every payment and credit note accepted is on an invoice or is customer credit;
 * - an event seen again (or decided again right away) changes nothing;
 * - the log replays, through JSON, to the same state.
 */

const BASE = Date.parse('2026-03-01T08:00:00Z');
const hoursLater = (hours: number) => new Date(BASE + hours * 3_600_000).toISOString();
const INVOICE_IDS = ['I-0', 'I-1', 'I-2', 'I-3'];
const UNKNOWN_INVOICE = 'I-never';

const currency = fc.constantFrom('SEK', 'SEK', 'SEK', 'SEK', 'EUR');
const invoiceTarget = fc.constantFrom(...INVOICE_IDS, UNKNOWN_INVOICE);

const invoiceSpec = fc.record({ amount: fc.integer({ min: 1, max: 100_000 }), currency, withReference: fc.boolean(), issuedHour: fc.integer({ min: 0, max: 500 }) });
const paymentSpec = fc.record({
  amount: fc.integer({ min: 1, max: 120_000 }),
  currency,
  target: fc.oneof(invoiceTarget.map((invoiceId) => ({ invoiceId })), fc.constantFrom(...INVOICE_IDS).map((i) => ({ paymentReference: `REF-${i}` })), fc.constant({})),
});
const creditSpec = fc.record({ invoiceId: invoiceTarget, amount: fc.integer({ min: 1, max: 80_000 }), currency });
const statusSpec = fc.record({
  invoiceId: fc.constantFrom(...INVOICE_IDS),
  kind: fc.constantFrom('dispute', 'upheld', 'rejected', 'plan', 'handoff', 'recall'),
  hour: fc.integer({ min: 0, max: 800 }),
  gapDays: fc.integer({ min: 1, max: 30 }),
});

interface Step {
  readonly command: AccountCommand;
  /** Identity of the billing fact, to recognise a repeat; undefined for time passing. */
  readonly identity?: string;
}

const scenario = fc
  .record({
    invoices: fc.array(invoiceSpec, { minLength: 1, maxLength: 4 }),
    payments: fc.array(paymentSpec, { maxLength: 8 }),
    credits: fc.array(creditSpec, { maxLength: 4 }),
    statuses: fc.array(statusSpec, { maxLength: 5 }),
    deadlineChecks: fc.array(fc.integer({ min: 1, max: 2_000 }), { maxLength: 3 }),
    terminate: fc.boolean(),
  })
  .map((spec): Step[] => {
    const steps: Step[] = [];
    const holdable = (cmd: AccountCommand): Step => ({ identity: holdIdOf(cmd as HoldableCommand), command: cmd });
    spec.invoices.forEach((invoice, index) => {
      const invoiceId = INVOICE_IDS[index] as string;
      steps.push({
        identity: `invoice:${invoiceId}`,
        command: command('IssueInvoice', {
          invoiceId,
          issuedAt: hoursLater(invoice.issuedHour),
          dueDate: hoursLater(invoice.issuedHour + 24 * 30).slice(0, 10),
          amount: money(invoice.amount, invoice.currency),
          ...(invoice.withReference ? { paymentReference: `REF-${invoiceId}` } : {}),
        }),
      });
    });
    spec.payments.forEach((payment, index) => {
      steps.push(holdable(command('RecordPayment', { paymentId: `P-${index}`, amount: money(payment.amount, payment.currency), receivedAt: hoursLater(index), ...payment.target })));
    });
    spec.credits.forEach((credit, index) => {
      steps.push(
        holdable(command('CreditInvoice', { creditNoteId: `CN-${index}`, invoiceId: credit.invoiceId, amount: money(credit.amount, credit.currency), creditedAt: hoursLater(index) })),
      );
    });
    spec.statuses.forEach((status, index) => {
      const { invoiceId, hour } = status;
      const at = hoursLater(hour);
      const identity = `${status.kind}:${invoiceId}:${index}`;
      switch (status.kind) {
        case 'dispute':
          steps.push(holdable(command('DisputeInvoice', { invoiceId, disputedAt: at })));
          break;
        case 'upheld':
        case 'rejected':
          steps.push(holdable(command('ResolveDispute', { invoiceId, resolvedAt: at, outcome: status.kind })));
          break;
        case 'plan':
          steps.push(
            holdable(
              command('AgreePaymentPlan', {
              planId: `PL-${index}`,
              invoiceId,
              agreedAt: at,
              installments: [
                { dueDate: hoursLater(hour + 24 * 10).slice(0, 10), amount: money(100, 'SEK') },
                { dueDate: hoursLater(hour + 24 * (10 + status.gapDays)).slice(0, 10), amount: money(100, 'SEK') },
              ],
            }),
            ),
          );
          break;
        case 'handoff':
          steps.push({ identity, command: command('RecordHandoff', { invoiceId, caseId: `CASE-${invoiceId}`, handedOffAt: at, amount: money(100, 'SEK') }) });
          break;
        case 'recall':
          steps.push({ identity, command: command('RecordRecall', { invoiceId, caseId: `CASE-${invoiceId}`, recalledAt: at, reasonCode: 'paid' }) });
          break;
      }
    });
    spec.deadlineChecks.forEach((jump) => steps.push({ command: command('CheckDeadlines', {}, hoursLater(jump)) }));
    if (spec.terminate) steps.push({ identity: 'terminate', command: command('TerminateCustomer', { terminatedAt: hoursLater(900) }) });
    return steps;
  });

/** A scenario in a random order, some of its billing events delivered twice, with a clock that only moves forward. */
const deliveries = scenario.chain((steps) =>
  fc
    .tuple(
      fc.shuffledSubarray(steps, { minLength: steps.length, maxLength: steps.length }),
      fc.array(fc.tuple(fc.nat(steps.length - 1), fc.nat(steps.length + 8)), { maxLength: 6 }),
      fc.array(fc.integer({ min: 0, max: 400 }), { minLength: steps.length + 8, maxLength: steps.length + 8 }),
    )
    .map(([shuffled, repeats, clockJumps]) => {
      const sequence = [...shuffled];
      for (const [which, where] of repeats) {
        const repeated = shuffled[which];
        if (repeated?.identity !== undefined) sequence.splice(Math.min(where, sequence.length), 0, repeated);
      }
      // Time passing (CheckDeadlines) jumps the clock; everything else moves it on a little.
      let hour = 0;
      return sequence.map((step, index) => {
        hour += step.command.type === 'CheckDeadlines' ? (clockJumps[index] ?? 0) * 5 : 1;
        return { ...step, command: { ...step.command, metadata: { now: hoursLater(hour) } } as AccountCommand };
      });
    }),
);

const byCurrency = (amounts: readonly Money[]): Map<string, number> => {
  const totals = new Map<string, number>();
  for (const amount of amounts) totals.set(amount.currency, (totals.get(amount.currency) ?? 0) + amount.minor);
  return totals;
};

function expectInvariants(state: AccountState): void {
  for (const invoice of Object.values(state.invoices)) {
    expect(invoice.balance).toEqual(subtract(subtract(invoice.amount, invoice.paid), invoice.creditApplied));
    expect(invoice.balance.minor).toBeGreaterThanOrEqual(0);
    expect(invoice.balance.minor).toBeLessThanOrEqual(invoice.amount.minor);
    expect(invoice.status === 'settled').toBe(invoice.balance.minor === 0);
    expect(invoice.settledAt !== undefined).toBe(invoice.balance.minor === 0);
    expect(invoice.creditedTotal.minor).toBeLessThanOrEqual(invoice.amount.minor);
    expect(invoice.creditApplied.minor).toBeLessThanOrEqual(invoice.creditedTotal.minor);
    expect(invoice.plans.filter((plan) => plan.status === 'active').length).toBeLessThanOrEqual(1);
  }
  // Conservation: what came in (payments, credit notes) is on an invoice or is the customer's credit.
  const received = byCurrency([...Object.values(state.payments).map((p) => p.amount), ...Object.values(state.creditNotes).map((c) => c.amount)]);
  const placed = byCurrency([
    ...Object.values(state.invoices).flatMap((invoice) => [invoice.paid, invoice.creditApplied]),
    ...Object.values(state.credit),
  ]);
  for (const currencyCode of new Set([...received.keys(), ...placed.keys()])) {
    expect([currencyCode, placed.get(currencyCode) ?? 0]).toEqual([currencyCode, received.get(currencyCode) ?? 0]);
  }
  for (const amount of Object.values(state.credit)) expect(amount.minor).toBeGreaterThanOrEqual(0);
}

/** Balances and credits that the events claim must be the ones the state has after each of them. */
function expectEventsTellTheTruth(before: AccountState, events: readonly AccountEvent[]): void {
  let state = before;
  for (const event of events) {
    const previous = state;
    state = evolve(state, event);
    switch (event.type) {
      case 'PaymentApplied':
      case 'InvoiceCredited':
        expect(state.invoices[event.data.invoiceId]?.balance).toEqual(event.data.balanceAfter);
        break;
      case 'CustomerCreditAdded':
        expect(creditIn(state, event.data.amount.currency)).toEqual(event.data.creditAfter);
        break;
      case 'InvoiceSettled':
        expect(previous.invoices[event.data.invoiceId]?.settledAt).toBeUndefined();
        expect(state.invoices[event.data.invoiceId]?.balance.minor).toBe(0);
        break;
      default:
        break;
    }
  }
  // Every invoice that reached zero in this step announced it, once.
  for (const [invoiceId, invoice] of Object.entries(state.invoices)) {
    const wasOpen = (before.invoices[invoiceId]?.balance.minor ?? 1) > 0;
    const settledNow = events.filter((event) => event.type === 'InvoiceSettled' && event.data.invoiceId === invoiceId).length;
    expect([invoiceId, settledNow]).toEqual([invoiceId, wasOpen && invoice.balance.minor === 0 ? 1 : 0]);
  }
}

describe('the account keeps its invariants under shuffled, duplicated billing events (property)', () => {
  it('holds the invariants after every step, tells the truth in its events, and ignores repeats', () => {
    fc.assert(
      fc.property(deliveries, (sequence) => {
        const result = run(sequence.map((step) => step.command));
        const accepted = new Set<string>();
        result.steps.forEach((step, index) => {
          expectInvariants(step.after);
          // Nothing is due before the account's next deadline, and something is at it.
          const due = nextDeadline(step.after, DEFAULT_ACCOUNT_POLICY);
          if (due !== undefined) {
            const check = (now: string) => decide({ type: 'CheckDeadlines', data: { customerId: 'C-1' }, metadata: { now } }, step.after);
            expect(check(new Date(Date.parse(due) - 1).toISOString())).toEqual([]);
            expect((check(due) as AccountEvent[]).length).toBeGreaterThan(0);
          }
          const identity = sequence[index]?.identity;
          if (isRejection(step.outcome)) {
            expect(step.after).toBe(step.before);
            expect(step.outcome.reason.length).toBeGreaterThan(10);
            return;
          }
          expectEventsTellTheTruth(step.before, step.outcome);
          // A billing fact already accepted, seen again, changes nothing.
          if (identity !== undefined && accepted.has(identity)) expect(step.outcome).toEqual([]);
          if (identity !== undefined && step.outcome.length > 0) accepted.add(identity);
          // A held fact that was dropped (dead-lettered) may come back, e.g. re-driven from the DLQ.
          for (const event of step.outcome) if (event.type === 'HeldEventDropped') accepted.delete(event.data.holdId);
          // Deciding the same command again right away changes nothing either.
          const again = decide(step.command, step.after);
          if (!isRejection(again)) expect(again).toEqual([]);
        });
        expect(replay(JSON.parse(JSON.stringify(result.events)) as AccountEvent[])).toEqual(result.state);
      }),
      { numRuns: 400 },
    );
  });

  it('reaches the same net position in any order: what is owed less what is held as credit', () => {
    const targeted = fc
      .record({
        amounts: fc.array(fc.integer({ min: 1, max: 50_000 }), { minLength: 1, maxLength: 4 }),
        payments: fc.array(fc.record({ invoice: fc.nat(3), amount: fc.integer({ min: 1, max: 40_000 }) }), { maxLength: 10 }),
        credits: fc.array(fc.record({ invoice: fc.nat(3), share: fc.integer({ min: 1, max: 100 }) }), { maxLength: 4 }),
      })
      .chain(({ amounts, payments, credits }) => {
        const invoiceId = (index: number) => INVOICE_IDS[index % amounts.length] as string;
        // Credits per invoice stay within its amount, so none is refused in any order.
        const creditBudget = amounts.map((amount) => amount);
        const creditCommands = credits.flatMap((credit, index) => {
          const target = credit.invoice % amounts.length;
          const amount = Math.floor(((amounts[target] as number) * credit.share) / 400);
          if (amount < 1 || amount > (creditBudget[target] as number)) return [];
          creditBudget[target] = (creditBudget[target] as number) - amount;
          return [command('CreditInvoice', { creditNoteId: `CN-${index}`, invoiceId: invoiceId(target), amount: money(amount, 'SEK'), creditedAt: hoursLater(index) })];
        });
        const commands: AccountCommand[] = [
          ...amounts.map((amount, index) => command('IssueInvoice', { invoiceId: invoiceId(index), issuedAt: hoursLater(index), dueDate: '2026-06-30', amount: money(amount, 'SEK') })),
          ...payments.map((payment, index) => command('RecordPayment', { paymentId: `P-${index}`, invoiceId: invoiceId(payment.invoice), amount: money(payment.amount, 'SEK'), receivedAt: hoursLater(index) })),
          ...creditCommands,
        ];
        return fc.tuple(fc.constant(commands), fc.shuffledSubarray(commands, { minLength: commands.length, maxLength: commands.length }), fc.array(fc.nat(commands.length - 1), { maxLength: 4 }));
      });

    fc.assert(
      fc.property(targeted, ([inOrder, shuffled, repeats]) => {
        const reference = run(inOrder);
        const withRepeats = [...shuffled, ...repeats.map((index) => shuffled[index] as AccountCommand)];
        const result = run(withRepeats);
        expect(result.rejections).toEqual([]);
        expect(result.state.held).toEqual({});
        // The formula, independent of the code under test: Σ balances − customer credit = Σ amounts − Σ payments − Σ credits,
        // whatever the order (which invoice a surplus ends up on may depend on it; the net position may not).
        const net = (state: AccountState) =>
          Object.values(state.invoices).reduce((total, invoice) => total + invoice.balance.minor, 0) - creditIn(state, 'SEK').minor;
        const amountOf = (c: AccountCommand) => (c.data as { amount: Money }).amount;
        const issued = inOrder.filter((c) => c.type === 'IssueInvoice').reduce((total, c) => add(total, amountOf(c)), zero('SEK'));
        const brought = inOrder.filter((c) => c.type !== 'IssueInvoice').reduce((total, c) => add(total, amountOf(c)), zero('SEK'));
        expect(net(result.state)).toBe(issued.minor - brought.minor);
        expect(net(reference.state)).toBe(issued.minor - brought.minor);
        // Each invoice owes no more than its amount less what was addressed to it.
        for (const invoice of Object.values(result.state.invoices)) {
          const addressed = inOrder
            .filter((c) => c.type !== 'IssueInvoice' && (c.data as { invoiceId?: string }).invoiceId === invoice.invoiceId)
            .reduce((total, c) => add(total, amountOf(c)), zero('SEK'));
          expect(invoice.balance.minor).toBeLessThanOrEqual(Math.max(0, invoice.amount.minor - addressed.minor));
        }
      }),
      { numRuns: 300 },
    );
  });
});
