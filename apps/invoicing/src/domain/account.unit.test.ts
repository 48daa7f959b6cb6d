import { creditIn, initialState, reachableChannels } from './account';
import { decide } from './decide';
import type { AccountEvent } from './events';
import { matchPayment } from './match-payment';
import { DEFAULT_ACCOUNT_POLICY } from './policy';
import { nextDeadline } from './deadlines';
import { isRejection } from './rejection';
import { at, command, credit, eur, issue, pay, run, sek, typesOf } from './test-support';

const invoiceOf = (result: ReturnType<typeof run>, id: string) => {
  const invoice = result.state.invoices[id];
  if (!invoice) throw new Error(`no invoice ${id}`);
  return invoice;
};

describe('the invoice lifecycle: issued → partly paid → settled', () => {
  it('applies payments and settles exactly when the balance reaches zero', () => {
    const result = run([issue('I-1', sek(10_000)), pay('P-1', sek(4_000), { invoiceId: 'I-1' }), pay('P-2', sek(6_000), { invoiceId: 'I-1' })]);
    expect(result.rejections).toEqual([]);
    expect(typesOf(result.events)).toEqual(['InvoiceIssued', 'PaymentReceived', 'PaymentApplied', 'PaymentReceived', 'PaymentApplied', 'InvoiceSettled']);
    expect(result.steps[1]?.after.invoices['I-1']).toMatchObject({ status: 'partly-paid', balance: sek(6_000) });
    expect(invoiceOf(result, 'I-1')).toMatchObject({ status: 'settled', balance: sek(0), paid: sek(10_000), settledBy: 'payment', settledAt: at(1) });
  });

  it('keeps an overpayment as customer credit', () => {
    const result = run([issue('I-1', sek(10_000)), pay('P-1', sek(12_500), { invoiceId: 'I-1' })]);
    expect(invoiceOf(result, 'I-1')).toMatchObject({ status: 'settled', paid: sek(10_000) });
    expect(creditIn(result.state, 'SEK')).toEqual(sek(2_500));
    const surplus = result.events.find((event) => event.type === 'CustomerCreditAdded');
    expect(surplus?.data).toMatchObject({ amount: sek(2_500), creditAfter: sek(2_500), cause: { kind: 'payment-surplus', paymentId: 'P-1', invoiceId: 'I-1' } });
  });

  it('uses customer credit on the next invoice in that currency', () => {
    const result = run([issue('I-1', sek(1_000)), pay('P-1', sek(1_300), { invoiceId: 'I-1' }), issue('I-2', sek(500), { issuedAt: at(24) }), issue('I-3', sek(500), { issuedAt: at(48) })]);
    expect(result.steps[2]?.outcome).toEqual([
      expect.objectContaining({ type: 'InvoiceIssued' }),
      { type: 'CustomerCreditUsed', data: { customerId: 'C-1', invoiceId: 'I-2', amount: sek(300), balanceAfter: sek(200), creditAfter: sek(0), at: at(24) } },
    ]);
    expect(invoiceOf(result, 'I-2')).toMatchObject({ status: 'partly-paid', balance: sek(200) });
    expect(invoiceOf(result, 'I-3').balance).toEqual(sek(500));
    expect(creditIn(result.state, 'SEK')).toEqual(sek(0));
  });

  it('puts a payment on a settled invoice entirely into customer credit', () => {
    const result = run([issue('I-1', sek(1_000)), pay('P-1', sek(1_000), { invoiceId: 'I-1' }), pay('P-2', sek(300), { invoiceId: 'I-1' })]);
    expect(typesOf(result.steps[2]?.outcome as AccountEvent[])).toEqual(['PaymentReceived', 'CustomerCreditAdded']);
    expect(creditIn(result.state, 'SEK')).toEqual(sek(300));
  });
});

describe('matching a payment without an invoice id', () => {
  const twoInvoices = [
    issue('I-old', sek(1_000), { issuedAt: at(0), paymentReference: 'REF-OLD' }),
    issue('I-new', sek(2_000), { issuedAt: at(24), paymentReference: 'REF-NEW' }),
  ];

  it('uses the payment reference first', () => {
    const result = run([...twoInvoices, pay('P-1', sek(2_000), { paymentReference: 'REF-NEW' })]);
    expect(invoiceOf(result, 'I-new').status).toBe('settled');
    expect(invoiceOf(result, 'I-old').status).toBe('open');
    expect(result.events.find((event) => event.type === 'PaymentReceived')?.data).toMatchObject({ matchedBy: 'payment-reference', invoiceId: 'I-new' });
  });

  it('falls back to the oldest open invoice, whatever the order of issue', () => {
    const result = run([twoInvoices[1]!, twoInvoices[0]!, pay('P-1', sek(500))]);
    expect(invoiceOf(result, 'I-old')).toMatchObject({ status: 'partly-paid', balance: sek(500) });
    expect(invoiceOf(result, 'I-new').balance).toEqual(sek(2_000));
  });

  it('falls back to the oldest open invoice when the reference matches nothing', () => {
    const result = run([...twoInvoices, pay('P-1', sek(500), { paymentReference: 'UNKNOWN' })]);
    expect(result.events.find((event) => event.type === 'PaymentReceived')?.data).toMatchObject({ matchedBy: 'oldest-open-invoice', invoiceId: 'I-old' });
  });

  it('skips settled invoices and puts the surplus on customer credit, not on the next invoice', () => {
    const result = run([...twoInvoices, pay('P-1', sek(1_000), { invoiceId: 'I-old' }), pay('P-2', sek(2_500))]);
    expect(invoiceOf(result, 'I-new').status).toBe('settled');
    expect(creditIn(result.state, 'SEK')).toEqual(sek(500));
  });

  it('becomes customer credit when every invoice is settled', () => {
    const result = run([issue('I-1', sek(1_000)), pay('P-1', sek(1_000)), pay('P-2', sek(700))]);
    expect(result.events.filter((event) => event.type === 'PaymentReceived').map((event) => event.data)).toEqual([
      expect.objectContaining({ paymentId: 'P-1', matchedBy: 'oldest-open-invoice' }),
      expect.objectContaining({ paymentId: 'P-2', matchedBy: 'no-open-invoice' }),
    ]);
    expect(creditIn(result.state, 'SEK')).toEqual(sek(700));
  });

  it('is a pure function of the customer invoices', () => {
    const state = run(twoInvoices).state;
    const invoices = Object.values(state.invoices);
    expect(matchPayment({ amount: sek(1) }, invoices)).toEqual({ kind: 'invoice', invoiceId: 'I-old', matchedBy: 'oldest-open-invoice' });
    expect(matchPayment({ amount: eur(1) }, invoices)).toEqual({ kind: 'only-other-currencies-open', currencies: ['SEK'] });
    expect(matchPayment({ amount: sek(1), invoiceId: 'I-404' }, invoices)).toEqual({ kind: 'hold', why: 'invoice-not-yet-seen' });
    expect(matchPayment({ amount: sek(1) }, [])).toEqual({ kind: 'hold', why: 'customer-has-no-invoices' });
  });
});

describe('credits', () => {
  it('credits in part, then in whole, and settles by credit', () => {
    const result = run([issue('I-1', sek(1_000)), credit('CN-1', 'I-1', sek(400)), credit('CN-2', 'I-1', sek(600))]);
    expect(result.steps[1]?.after.invoices['I-1']).toMatchObject({ status: 'open', balance: sek(600), creditedTotal: sek(400) });
    expect(invoiceOf(result, 'I-1')).toMatchObject({ status: 'settled', settledBy: 'credit', creditedTotal: sek(1_000), balance: sek(0) });
  });

  it('turns a credit on an amount already paid into customer credit', () => {
    const result = run([issue('I-1', sek(1_000)), pay('P-1', sek(800), { invoiceId: 'I-1' }), credit('CN-1', 'I-1', sek(500))]);
    expect(result.steps[2]?.outcome).toEqual([
      expect.objectContaining({ type: 'InvoiceCredited', data: expect.objectContaining({ appliedToBalance: sek(200), balanceAfter: sek(0) }) }),
      expect.objectContaining({ type: 'InvoiceSettled', data: expect.objectContaining({ settledBy: 'credit' }) }),
      expect.objectContaining({ type: 'CustomerCreditAdded', data: expect.objectContaining({ amount: sek(300) }) }),
    ]);
  });

  it('refuses a credit above the invoice amount, with the amounts in the reason', () => {
    const result = run([issue('I-1', sek(20_000)), credit('CN-1', 'I-1', sek(10_000)), credit('CN-2', 'I-1', sek(15_000))]);
    expect(result.rejections).toEqual([
      {
        kind: 'rejection',
        code: 'credit-exceeds-invoice-amount',
        reason: 'credit note CN-2 of SEK 150.00 would bring the credits on invoice I-1 to SEK 250.00, above its amount of SEK 200.00 (already credited SEK 100.00)',
      },
    ]);
    expect(invoiceOf(result, 'I-1').creditedTotal).toEqual(sek(10_000));
  });

  it('refuses a credit in another currency', () => {
    const result = run([issue('I-1', sek(1_000)), credit('CN-1', 'I-1', eur(100))]);
    expect(result.rejections.map((r) => [r.code, r.reason])).toEqual([['currency-mismatch', 'credit note CN-1 is in EUR, but invoice I-1 is in SEK']]);
  });
});

describe('rejections carry a code and a precise reason', () => {
  it('refuses a payment in another currency than its invoice', () => {
    const result = run([issue('I-1', sek(1_000)), pay('P-1', eur(1_000), { invoiceId: 'I-1' })]);
    expect(result.rejections).toEqual([{ kind: 'rejection', code: 'currency-mismatch', reason: 'payment P-1 is in EUR, but invoice I-1 (matched by invoice-id) is in SEK' }]);
    expect(invoiceOf(result, 'I-1').balance).toEqual(sek(1_000));
  });

  it('refuses an invoice id issued again with other content', () => {
    const result = run([issue('I-1', sek(1_000)), issue('I-1', sek(2_000))]);
    expect(result.rejections[0]?.code).toBe('invoice-id-reused');
    expect(result.rejections[0]?.reason).toContain('SEK 10.00 due 2026-03-31; this one says SEK 20.00');
  });

  it('refuses a due date before the issue date', () => {
    const result = run([issue('I-1', sek(1_000), { issuedAt: '2026-03-10T12:00:00Z', dueDate: '2026-03-01' })]);
    expect(result.rejections).toEqual([
      { kind: 'rejection', code: 'due-date-before-issue-date', reason: 'invoice I-1 is due 2026-03-01, before it was issued (2026-03-10T12:00:00Z)' },
    ]);
  });

  it('refuses a payment id reused for another amount', () => {
    const result = run([issue('I-1', sek(1_000)), pay('P-1', sek(100), { invoiceId: 'I-1' }), pay('P-1', sek(200), { invoiceId: 'I-1' })]);
    expect(result.rejections[0]).toMatchObject({ code: 'payment-id-reused' });
    expect(invoiceOf(result, 'I-1').paid).toEqual(sek(100));
  });

  it('refuses a command for another customer than the account', () => {
    const state = run([issue('I-1', sek(1_000))]).state;
    const outcome = decide(command('RecordPayment', { paymentId: 'P-1', amount: sek(1), receivedAt: at(1), customerId: 'C-2' }), state);
    expect(outcome).toEqual({ kind: 'rejection', code: 'customer-mismatch', reason: 'RecordPayment names customer C-2, but this account belongs to C-1' });
  });
});

describe('duplicates change nothing', () => {
  it.each([
    ['an invoice', issue('I-1', sek(1_000))],
    ['a payment', pay('P-1', sek(300), { invoiceId: 'I-1' })],
    ['a payment matched to the oldest invoice', pay('P-2', sek(300))],
    ['a credit note', credit('CN-1', 'I-1', sek(200))],
    ['a dispute', command('DisputeInvoice', { invoiceId: 'I-1', disputedAt: at(3) })],
    ['a held payment', pay('P-9', sek(100), { invoiceId: 'I-404' })],
    ['a termination', command('TerminateCustomer', { terminatedAt: at(5) })],
  ])('%s seen twice', (_label, repeated) => {
    const first = run([issue('I-1', sek(1_000)), repeated]);
    const outcome = decide(repeated, first.state);
    expect(outcome).toEqual([]);
  });
});

describe('out-of-order arrival', () => {
  it('holds a payment for an invoice not seen yet and applies it when the invoice arrives', () => {
    const result = run([pay('P-1', sek(400), { invoiceId: 'I-1' }, at(1)), issue('I-1', sek(1_000), {}, at(2))]);
    expect(typesOf(result.events)).toEqual(['EventHeld', 'InvoiceIssued', 'HeldEventReleased', 'PaymentReceived', 'PaymentApplied']);
    expect(invoiceOf(result, 'I-1').balance).toEqual(sek(600));
    expect(result.state.held).toEqual({});
  });

  it('holds a payment of a customer with no invoices until one arrives', () => {
    const result = run([pay('P-1', sek(1_000), {}, at(1)), issue('I-1', sek(1_000), {}, at(2))]);
    expect(invoiceOf(result, 'I-1').status).toBe('settled');
  });

  it('drops a held payment with its reason once the window has passed, and not before', () => {
    const policy = { ...DEFAULT_ACCOUNT_POLICY, holdWindowMs: 2 * 3_600_000 };
    const held = run([pay('P-1', sek(400), { invoiceId: 'I-1' }, at(1))], policy);
    const early = decide(command('CheckDeadlines', {}, at(2.9)), held.state, policy);
    expect(early).toEqual([]);
    const late = decide(command('CheckDeadlines', {}, at(3)), held.state, policy);
    expect(late).toEqual([
      {
        type: 'HeldEventDropped',
        data: {
          holdId: 'payment:P-1',
          customerId: 'C-1',
          droppedAt: at(3),
          code: 'invoice-not-seen-within-window',
          reason: `payment P-1 names invoice I-1, which did not arrive within 2 h (held since ${at(1)})`,
        },
      },
    ]);
  });

  it('drops a held payment whose invoice, once arrived, refuses it', () => {
    const result = run([pay('P-1', eur(400), { invoiceId: 'I-1' }, at(1)), issue('I-1', sek(1_000), {}, at(2))]);
    const dropped = result.events.find((event) => event.type === 'HeldEventDropped');
    expect(dropped?.data).toMatchObject({ code: 'currency-mismatch', holdId: 'payment:P-1' });
    expect(invoiceOf(result, 'I-1').balance).toEqual(sek(1_000));
  });

  it('holds a credit note and a dispute for an unseen invoice too', () => {
    const result = run([credit('CN-1', 'I-1', sek(100), at(1)), command('DisputeInvoice', { invoiceId: 'I-1', disputedAt: at(1) }, at(1)), issue('I-1', sek(1_000), {}, at(2))]);
    expect(invoiceOf(result, 'I-1')).toMatchObject({ balance: sek(900), disputes: [{ disputedAt: at(1) }] });
  });
});

describe('disputes', () => {
  const disputed = [issue('I-1', sek(1_000)), command('DisputeInvoice', { invoiceId: 'I-1', disputedAt: at(3) })];

  it('opens and resolves a dispute, and may be disputed again', () => {
    const result = run([
      ...disputed,
      command('ResolveDispute', { invoiceId: 'I-1', resolvedAt: at(4), outcome: 'rejected' }),
      command('DisputeInvoice', { invoiceId: 'I-1', disputedAt: at(5) }),
    ]);
    expect(invoiceOf(result, 'I-1').disputes).toEqual([{ disputedAt: at(3), resolvedAt: at(4), outcome: 'rejected' }, { disputedAt: at(5) }]);
  });

  it('refuses a resolution without an open dispute, or one before the dispute', () => {
    const none = run([issue('I-1', sek(1_000)), command('ResolveDispute', { invoiceId: 'I-1', resolvedAt: at(4), outcome: 'upheld' })]);
    expect(none.rejections).toEqual([{ kind: 'rejection', code: 'invoice-not-disputed', reason: 'invoice I-1 has no open dispute to resolve' }]);
    const early = run([...disputed, command('ResolveDispute', { invoiceId: 'I-1', resolvedAt: at(2), outcome: 'upheld' })]);
    expect(early.rejections[0]?.code).toBe('resolved-before-disputed');
  });
});

describe('payment plans', () => {
  const plan = command('AgreePaymentPlan', {
    planId: 'PL-1',
    invoiceId: 'I-1',
    agreedAt: at(2),
    installments: [
      { dueDate: '2026-04-01', amount: sek(500) },
      { dueDate: '2026-05-01', amount: sek(500) },
    ],
  });

  it('detects a missed installment only once its date is over everywhere, then breaks the plan after the grace days', () => {
    const agreed = run([issue('I-1', sek(1_000)), plan]);
    expect(decide(command('CheckDeadlines', {}, '2026-04-02T11:59:59Z'), agreed.state)).toEqual([]);
    const missed = run([command('CheckDeadlines', {}, '2026-04-02T12:00:00Z')], DEFAULT_ACCOUNT_POLICY, agreed.state);
    expect(missed.events).toEqual([
      {
        type: 'InstallmentMissed',
        data: { planId: 'PL-1', invoiceId: 'I-1', customerId: 'C-1', installmentNumber: 1, dueDate: '2026-04-01', shortfall: sek(500), detectedAt: '2026-04-02T12:00:00Z' },
      },
    ]);
    expect(decide(command('CheckDeadlines', {}, '2026-04-05T00:00:00Z'), missed.state)).toEqual([]);
    const broken = decide(command('CheckDeadlines', {}, '2026-04-12T12:00:00Z'), missed.state);
    expect(typesOf(broken as AccountEvent[])).toEqual(['PaymentPlanBroken']);
  });

  it('counts payments after the agreement towards the installments', () => {
    const result = run([issue('I-1', sek(1_000)), plan, pay('P-1', sek(500), { invoiceId: 'I-1' }), command('CheckDeadlines', {}, '2026-04-20T00:00:00Z')]);
    expect(result.events.filter((event) => event.type === 'InstallmentMissed')).toEqual([]);
    expect(result.state.invoices['I-1']?.plans[0]?.status).toBe('active');
  });

  it('completes the plan when the invoice is settled', () => {
    const result = run([issue('I-1', sek(1_000)), plan, pay('P-1', sek(1_000), { invoiceId: 'I-1' })]);
    expect(result.state.invoices['I-1']?.plans[0]?.status).toBe('completed');
  });

  it('refuses impossible plans', () => {
    const over = command('AgreePaymentPlan', { planId: 'PL-2', invoiceId: 'I-1', agreedAt: at(2), installments: [{ dueDate: '2026-04-01', amount: sek(1_001) }] });
    const disordered = command('AgreePaymentPlan', {
      planId: 'PL-3',
      invoiceId: 'I-1',
      agreedAt: at(2),
      installments: [
        { dueDate: '2026-05-01', amount: sek(1) },
        { dueDate: '2026-04-01', amount: sek(1) },
      ],
    });
    const result = run([issue('I-1', sek(1_000)), over, disordered]);
    expect(result.rejections.map((r) => r.code)).toEqual(['payment-plan-exceeds-balance', 'installments-out-of-order']);
    expect(result.rejections[0]?.reason).toBe('the installments of payment plan PL-2 add up to SEK 10.01, more than the open balance of invoice I-1 (SEK 10.00)');
  });
});

describe('collection hand-off and recall', () => {
  it('records a hand-off and its recall, and refuses a recall of a case never handed off', () => {
    const result = run([
      issue('I-1', sek(1_000)),
      command('RecordHandoff', { invoiceId: 'I-1', caseId: 'CASE-1', handedOffAt: at(100), amount: sek(1_000) }),
      command('RecordRecall', { invoiceId: 'I-1', caseId: 'CASE-2', recalledAt: at(101), reasonCode: 'paid' }),
      command('RecordRecall', { invoiceId: 'I-1', caseId: 'CASE-1', recalledAt: at(102), reasonCode: 'paid' }),
    ]);
    expect(result.rejections.map((r) => r.code)).toEqual(['not-handed-off']);
    expect(result.state.invoices['I-1']?.collection).toEqual({ status: 'recalled', caseId: 'CASE-1', recalledAt: at(102) });
  });
});

describe('the customer', () => {
  it('records sealed contact changes, termination and erasure', () => {
    const result = run([
      issue('I-1', sek(1_000), {
        contact: 'sealed-1',
        contactFields: ['name', 'email'],
        profile: { type: 'consumer', locale: 'sv-SE', timeZone: 'Europe/Stockholm', contactOnFile: { email: true, phone: false, postalAddress: false } },
      }),
      command('UpdateCustomer', { updatedAt: at(1), contact: 'sealed-2', contactFields: ['phone'], profile: { contactOnFile: { email: true, phone: true, postalAddress: false }, consent: { email: false } } }),
      command('TerminateCustomer', { terminatedAt: at(2) }),
      command('ErasePersonalData', {}, at(3)),
    ]);
    expect(typesOf(result.events)).toEqual(['CustomerDetailsChanged', 'InvoiceIssued', 'CustomerDetailsChanged', 'CustomerTerminated', 'PersonalDataErased']);
    expect(result.state.contact).toEqual({ versions: 2, fields: ['phone'], changedAt: at(1), erased: true, erasedAt: at(3) });
    expect(reachableChannels(result.steps[1]!.after.profile)).toEqual(['sms']);
    expect(result.state.profile).toEqual({
      type: 'consumer',
      locale: 'sv-SE',
      timeZone: 'Europe/Stockholm',
      consent: { email: false },
      contactOnFile: { email: false, phone: false, postalAddress: false },
    });
    expect(reachableChannels(result.state.profile)).toEqual([]);
    expect(decide(command('ErasePersonalData', {}, at(4)), result.state)).toEqual([]);
  });

  it('does not record an update that changes nothing', () => {
    const state = run([issue('I-1', sek(1_000), { profile: { type: 'business', locale: 'de-DE' } })]).state;
    expect(decide(command('UpdateCustomer', { updatedAt: at(1), profile: { type: 'business' } }), state)).toEqual([]);
    expect(decide(command('UpdateCustomer', { updatedAt: at(1), profile: { locale: 'en-GB' } }), state)).toEqual([
      expect.objectContaining({ type: 'CustomerDetailsChanged', data: expect.objectContaining({ profile: expect.objectContaining({ type: 'business', locale: 'en-GB' }) }) }),
    ]);
  });
});

it('starts from an empty account', () => {
  expect(isRejection(decide(pay('P-1', sek(1)), initialState()))).toBe(false);
});

describe('the next deadline of an account', () => {
  it('is the earliest hold expiry, installment judgement or plan break', () => {
    const policy = { ...DEFAULT_ACCOUNT_POLICY, holdWindowMs: 3_600_000 };
    const held = run([pay('P-1', sek(1), { invoiceId: 'I-9' }, at(1))], policy);
    expect(nextDeadline(held.state, policy)).toBe(at(2));
    const planned = run(
      [issue('I-1', sek(1_000)), command('AgreePaymentPlan', { planId: 'PL', invoiceId: 'I-1', agreedAt: at(2), installments: [{ dueDate: '2026-04-01', amount: sek(500) }] })],
      policy,
    );
    expect(nextDeadline(planned.state, policy)).toBe('2026-04-02T12:00:00.000Z');
    const missed = run([command('CheckDeadlines', {}, '2026-04-02T12:00:00Z')], policy, planned.state);
    expect(nextDeadline(missed.state, policy)).toBe('2026-04-12T12:00:00.000Z');
    expect(nextDeadline(run([pay('P-2', sek(1_000), { invoiceId: 'I-1' })], policy, planned.state).state, policy)).toBeUndefined();
  });

  it('sees a later installment missed before an earlier one breaks the plan', () => {
    const twoClose = run([
      issue('I-1', sek(1_000)),
      command('AgreePaymentPlan', {
        planId: 'PL',
        invoiceId: 'I-1',
        agreedAt: at(2),
        installments: [
          { dueDate: '2026-04-01', amount: sek(500) },
          { dueDate: '2026-04-05', amount: sek(500) },
        ],
      }),
      command('CheckDeadlines', {}, '2026-04-02T12:00:00Z'),
    ]);
    expect(nextDeadline(twoClose.state, DEFAULT_ACCOUNT_POLICY)).toBe('2026-04-06T12:00:00.000Z');
    expect(decide(command('CheckDeadlines', {}, '2026-04-06T12:00:00Z'), twoClose.state)).toEqual([
      expect.objectContaining({ type: 'InstallmentMissed', data: expect.objectContaining({ installmentNumber: 2, shortfall: sek(1_000) }) }),
    ]);
  });
});
