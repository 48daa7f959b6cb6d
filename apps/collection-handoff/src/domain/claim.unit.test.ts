import fc from 'fast-check';
import { addDays, daysBetween } from './calendar';
import { buildClaim, type Creditor } from './claim';
import { collectionRulesFor, GERMANY, SWEDEN } from './law/country-rules';
import { openInvoice } from './testing/fixtures';

const creditor: Creditor = { name: 'Telco GmbH', address: 'Beispielstraße 1, 10115 Berlin', registrationId: 'HRB 12345 B' };

describe('the agency claim carries what the country requires (promise 8)', () => {
  it('Sweden: the collection demand gives at least 8 days to pay, whatever the agency is configured with', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 400 * 24 }), (configuredDays, hours) => {
        const handoffAt = new Date(Date.parse('2026-01-01T00:00:00Z') + hours * 3_600_000);
        const result = buildClaim({
          handoffId: 'ho-1',
          collectionCaseId: 'cc-1',
          view: openInvoice(),
          principal: { minor: 29_900, currency: 'SEK' },
          agency: { agencyId: 'agency-se', daysToPay: configuredDays },
          rules: SWEDEN,
          handoffAt,
        });
        if (!result.ok) throw new Error(result.detail);
        expect(result.claim.daysToPay).toBeGreaterThanOrEqual(8);
        expect(daysBetween(result.claim.handedOffOn, result.claim.payBy)).toBe(Math.max(8, configuredDays));
        expect(result.claim.interest).toBeUndefined();
        expect(result.claim.costs).toEqual([]);
        expect(result.claim.total).toEqual({ minor: 29_900, currency: 'SEK' });
      }),
      { numRuns: 200 },
    );
  });

  it("counts the days to pay from the hand-off date in the customer's time zone", () => {
    // 23:30 UTC on 9 May is already 10 May in Stockholm.
    const result = buildClaim({
      handoffId: 'ho-1',
      collectionCaseId: 'cc-1',
      view: openInvoice(),
      principal: { minor: 29_900, currency: 'SEK' },
      agency: { agencyId: 'agency-se', daysToPay: 0 },
      rules: SWEDEN,
      handoffAt: new Date('2026-05-09T23:30:00Z'),
    });
    expect(result.ok && [result.claim.handedOffOn, result.claim.payBy]).toEqual(['2026-05-10', '2026-05-18']);
  });

  const german = (type: 'consumer' | 'business') =>
    openInvoice({
      invoiceId: 'inv-de-1',
      issuedAt: '2025-06-01T08:00:00Z',
      dueDate: '2025-06-20',
      amount: { minor: 100_000, currency: 'EUR' },
      balance: { minor: 100_000, currency: 'EUR' },
      paymentReference: 'RF18539007547034',
      brand: 'Telco',
      customer: { type, country: 'DE', locale: 'de-DE', timeZone: 'Europe/Berlin' },
    });

  it('Germany, consumer: creditor, basis of the claim, interest at base rate + 5 pp, no flat fee', () => {
    const result = buildClaim({
      handoffId: 'ho-de',
      collectionCaseId: 'cc-de',
      view: german('consumer'),
      principal: { minor: 100_000, currency: 'EUR' },
      agency: { agencyId: 'agency-de', daysToPay: 14 },
      creditor,
      rules: GERMANY,
      handoffAt: new Date('2025-07-20T10:00:00Z'),
    });
    if (!result.ok) throw new Error(result.detail);
    const { claim } = result;
    expect(claim.creditor).toEqual(creditor);
    expect(claim.basisOfClaim).toBe('Telecommunication services (Telco) billed by invoice inv-de-1 issued 2025-06-01, due 2025-06-20, payment reference RF18539007547034');
    expect(claim.interest?.from).toBe('2025-06-21');
    expect(claim.interest?.to).toBe('2025-07-20');
    expect(claim.interest?.amount).toEqual({ minor: 543, currency: 'EUR' });
    expect(claim.interest?.segments.map((s) => s.rateBps)).toEqual([727, 627]);
    expect(claim.costs).toEqual([]);
    expect(claim.total).toEqual({ minor: 100_543, currency: 'EUR' });
    expect(claim.payBy).toBe(addDays('2025-07-20', 14));
  });

  it('Germany, business: interest at base rate + 9 pp and the 40 EUR flat fee', () => {
    const result = buildClaim({
      handoffId: 'ho-de',
      collectionCaseId: 'cc-de',
      view: german('business'),
      principal: { minor: 100_000, currency: 'EUR' },
      agency: { agencyId: 'agency-de', daysToPay: 14 },
      creditor,
      rules: GERMANY,
      handoffAt: new Date('2025-07-20T10:00:00Z'),
    });
    if (!result.ok) throw new Error(result.detail);
    expect(result.claim.interest?.amount.minor).toBe(872);
    expect(result.claim.costs).toEqual([{ kind: 'business-flat-fee', amount: { minor: 4_000, currency: 'EUR' }, law: GERMANY.businessFlatFee!.law }]);
    expect(result.claim.total).toEqual({ minor: 100_000 + 872 + 4_000, currency: 'EUR' });
  });

  it('Germany: no creditor configured or no base rate on file means no hand-off, with the reason', () => {
    const noCreditor = buildClaim({
      handoffId: 'ho',
      collectionCaseId: 'cc',
      view: german('consumer'),
      principal: { minor: 100_000, currency: 'EUR' },
      agency: { agencyId: 'a', daysToPay: 14 },
      rules: GERMANY,
      handoffAt: new Date('2025-07-20T10:00:00Z'),
    });
    expect(noCreditor).toMatchObject({ ok: false, reason: 'legal-data-missing' });
    const noRate = buildClaim({
      handoffId: 'ho',
      collectionCaseId: 'cc',
      view: german('consumer'),
      principal: { minor: 100_000, currency: 'EUR' },
      agency: { agencyId: 'a', daysToPay: 14 },
      creditor,
      rules: GERMANY,
      handoffAt: new Date('2026-08-01T10:00:00Z'),
    });
    expect(noRate).toEqual({ ok: false, reason: 'legal-data-missing', detail: 'no base interest rate is on file for 2026-07-01' });
  });

  it('Germany: the collection demand gives at least 7 days to pay (the platform floor in @dunning/law), an agency may give more', () => {
    const payBy = (configuredDays: number) => {
      const result = buildClaim({
        handoffId: 'ho-de',
        collectionCaseId: 'cc-de',
        view: german('consumer'),
        principal: { minor: 100_000, currency: 'EUR' },
        agency: { agencyId: 'agency-de', daysToPay: configuredDays },
        creditor,
        rules: GERMANY,
        handoffAt: new Date('2025-07-20T10:00:00Z'),
      });
      if (!result.ok) throw new Error(result.detail);
      return [result.claim.daysToPay, result.claim.payBy];
    };
    expect(GERMANY.minDaysToPay).toBe(7);
    expect(payBy(0)).toEqual([7, '2025-07-27']);
    expect(payBy(3)).toEqual([7, '2025-07-27']);
    expect(payBy(10)).toEqual([10, '2025-07-30']);
  });

  it('Germany: no interest before the due date has passed', () => {
    const result = buildClaim({
      handoffId: 'ho',
      collectionCaseId: 'cc',
      view: german('consumer'),
      principal: { minor: 100_000, currency: 'EUR' },
      agency: { agencyId: 'a', daysToPay: 14 },
      creditor,
      rules: GERMANY,
      handoffAt: new Date('2025-06-20T10:00:00Z'),
    });
    expect(result.ok && result.claim.interest).toBeUndefined();
  });

  it('an unknown country gets the conservative default: 14 days, no interest, no fees', () => {
    const rules = collectionRulesFor('FI');
    expect(rules).toMatchObject({ country: 'FI', minDaysToPay: 14 });
    expect(rules.defaultInterest).toBeUndefined();
    expect(rules.businessFlatFee).toBeUndefined();
  });
});
