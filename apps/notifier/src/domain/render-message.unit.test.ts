import { loadTemplateCatalog } from '../templates/load-templates';
import { formatMoney } from './money';
import { formatLocalDate } from './dates';
import { parseTemplateCatalog, TemplateCatalogError, type Channel } from './templates';
import { renderMessage, type MessageFacts } from './render-message';
import { contentRulesFor } from './legal-content';
import { GERMAN_LAW, SWEDISH_LAW } from '@dunning/law';

const catalog = loadTemplateCatalog();

const swedish: MessageFacts = {
  templateId: 'reminder',
  channel: 'sms',
  locale: 'sv-SE',
  country: 'SE',
  customerType: 'consumer',
  brand: 'Telco',
  recipientName: 'Anna',
  invoice: { invoiceId: 'INV-1001', dueDate: '2026-03-31', amount: { minor: 49_900, currency: 'SEK' }, balance: { minor: 12_345, currency: 'SEK' }, paymentReference: '4711' },
  sendDate: '2026-04-03',
  paymentLink: 'https://pay.telco.example/i/INV-1001',
};

const german: MessageFacts = {
  ...swedish,
  locale: 'de-DE',
  country: 'DE',
  invoice: { ...swedish.invoice, amount: { minor: 3_990, currency: 'EUR' }, balance: { minor: 3_990, currency: 'EUR' } },
  paymentLink: 'https://pay.telco.example/i/INV-1001',
};

function rendered(facts: MessageFacts) {
  const result = renderMessage(catalog, facts);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.message;
}

describe('money and dates are formatted for the locale with Intl, from integer minor units', () => {
  it.each([
    [{ minor: 12_345, currency: 'SEK' }, 'sv-SE', '123,45 kr'],
    [{ minor: 12_345, currency: 'EUR' }, 'de-DE', '123,45 €'],
    [{ minor: 12_345, currency: 'EUR' }, 'en-GB', '€123.45'],
    [{ minor: 5, currency: 'SEK' }, 'sv-SE', '0,05 kr'],
    [{ minor: 1_234_567_890_123, currency: 'EUR' }, 'de-DE', '12.345.678.901,23 €'],
    [{ minor: 500, currency: 'JPY' }, 'en-GB', 'JP¥500'],
  ])('%j in %s is %s', (money, locale, expected) => {
    expect(formatMoney(money, locale).replace(/\u00a0/g, ' ')).toBe(expected);
  });

  it('formats calendar dates without shifting them through a time zone', () => {
    expect(formatLocalDate('2026-03-31', 'sv-SE')).toBe('31 mars 2026');
    expect(formatLocalDate('2026-03-31', 'de-DE')).toBe('31. März 2026');
    expect(formatLocalDate('2026-03-31', 'en-GB')).toBe('31 March 2026');
  });
});

describe('every template of the default policy renders in Swedish, German and English on every channel', () => {
  const ids = [...catalog.templates.keys()];
  it('has the templates the default policy names', () => {
    expect(ids.sort()).toEqual(
      ['collection-demand', 'due-today', 'final-notice', 'friendly-nudge', 'friendly-reminder', 'payday-reminder', 'reminder', 'reminder-letter', 'soft-reminder'].sort(),
    );
  });
  const cases = ids.flatMap((id) => (['sv-SE', 'de-DE', 'en-GB'] as const).flatMap((locale) => (['sms', 'email', 'letter'] as Channel[]).map((channel) => [id, locale, channel] as const)));
  it.each(cases)('%s / %s / %s', (templateId, locale, channel) => {
    const currency = locale === 'sv-SE' ? 'SEK' : 'EUR';
    const facts: MessageFacts = {
      ...swedish,
      templateId,
      locale,
      channel,
      country: locale.slice(3),
      invoice: { ...swedish.invoice, amount: { minor: 49_900, currency }, balance: { minor: 12_345, currency } },
      fee: { minor: 6_000, currency },
      businessCompensation: { minor: 4_000, currency },
    };
    const message = rendered(facts);
    expect(message.language).toBe(locale.slice(0, 2));
    const body = channel === 'sms' ? message.sms : message.text;
    expect(body).toContain('https://pay.telco.example/i/INV-1001');
    expect(body).toContain('4711');
    expect(body).not.toMatch(/\{\{|\}\}/);
    expect(message.subject).toContain('INV-1001');
    expect(message.html).toContain('<a href="https://pay.telco.example/i/INV-1001">');
  });
});

describe('content', () => {
  it('a Swedish SMS reminder: Swedish words, kronor with a comma, the due date, the reference', () => {
    const message = rendered(swedish);
    expect(message.sms).toBe(
      'Hej Anna! Det här är Telco. Faktura INV-1001 (123,45 kr) förföll 31 mars 2026. Betala senast 10 april 2026: https://pay.telco.example/i/INV-1001 (OCR 4711). Redan betalt? Tack!',
    );
  });

  it('Sweden: a collection demand gives at least 8 days to pay, even when the request asks for fewer', () => {
    const message = rendered({ ...swedish, templateId: 'collection-demand', channel: 'letter', payBy: '2026-04-05' });
    expect(message.payBy).toBe('2026-04-11');
    expect(message.text).toContain('Betala senast 11 april 2026 (8 dagar från dagen för detta krav)');
  });

  it('Germany: a collection demand gives at least 7 days to pay (the floor @dunning/law holds), even when the request asks for fewer', () => {
    const message = rendered({ ...german, templateId: 'collection-demand', channel: 'letter', payBy: '2026-04-05' });
    expect(message.payBy).toBe('2026-04-10');
    expect(message.text).toContain('(7 Tage ab dem Datum dieser Mahnung)');
  });

  it('the content rules are built from @dunning/law, not a copy: the same days to pay and interest surcharges', () => {
    expect(contentRulesFor('SE')?.collectionDemand?.minDaysToPay).toBe(SWEDISH_LAW.collectionDemand.minDaysToPay);
    expect(contentRulesFor('DE')?.collectionDemand?.minDaysToPay).toBe(GERMAN_LAW.collectionDemand.minDaysToPay);
    expect(contentRulesFor('DE')?.defaultInterest).toEqual({ surchargePoints: { consumer: 5, business: 9 }, law: GERMAN_LAW.defaultInterest?.citation });
    expect(contentRulesFor('SE')?.defaultInterest).toBeUndefined();
    expect(contentRulesFor('FI')).toBeUndefined();
    expect(contentRulesFor(undefined)).toBeUndefined();
  });

  it('Germany: a reminder letter states the reminder costs, the total and the statutory default interest (consumer: 5 points)', () => {
    const message = rendered({ ...german, templateId: 'reminder-letter', channel: 'letter', fee: { minor: 150, currency: 'EUR' } });
    expect(message.text).toContain('Mahnkosten: 1,50\u00a0€');
    expect(message.text).toContain('Zu zahlender Gesamtbetrag: 41,40\u00a0€');
    expect(message.text).toContain('Seit dem 1. April 2026 fallen Verzugszinsen in Höhe von 5 Prozentpunkten über dem Basiszinssatz an (§ 288 BGB).');
  });

  it('Germany: a business customer is told 9 points', () => {
    const message = rendered({ ...german, customerType: 'business', templateId: 'collection-demand', channel: 'email' });
    expect(message.text).toContain('9 Prozentpunkten über dem Basiszinssatz');
  });

  it("Germany, a business: the request's fee, flat fee, interest so far and pay-by date are what the letter states", () => {
    const message = rendered({
      ...german,
      customerType: 'business',
      templateId: 'reminder-letter',
      channel: 'letter',
      sendDate: '2026-04-27',
      fee: { minor: 150, currency: 'EUR' },
      businessCompensation: { minor: 4_000, currency: 'EUR' },
      interest: { from: '2026-04-01', to: '2026-04-27', amount: { minor: 759, currency: 'EUR' }, periods: [{ from: '2026-04-01', to: '2026-04-27', annualRateBps: 1_027, baseRateBps: 127 }] },
      payBy: '2026-05-07',
    });
    expect(message.payBy).toBe('2026-05-07');
    expect(message.text).toContain('bis zum 7. Mai 2026');
    expect(message.text).toContain('Mahnkosten: 1,50\u00a0€');
    expect(message.text).toContain('Verzugspauschale: 40,00\u00a0€');
    expect(message.text).toContain('Zu zahlender Gesamtbetrag: 81,40\u00a0€'); // 39.90 + 1.50 + 40.00
    expect(message.text).toContain(
      'Seit dem 1. April 2026 fallen Verzugszinsen in Höhe von 9 Prozentpunkten über dem Basiszinssatz an (§ 288 BGB). Bis zum 27. April 2026 sind 7,59\u00a0€ Zinsen aufgelaufen.',
    );
  });

  it("takes the surcharge and start of interest from the request's claim, in English too", () => {
    const message = rendered({
      ...german,
      locale: 'en-GB',
      templateId: 'final-notice',
      channel: 'email',
      sendDate: '2026-05-05',
      interest: { from: '2026-04-02', to: '2026-05-05', amount: { minor: 22, currency: 'EUR' }, periods: [{ from: '2026-04-02', to: '2026-05-05', annualRateBps: 627, baseRateBps: 127 }] },
    });
    expect(message.text).toContain('From 2 April 2026, default interest of 5 percentage points above the base rate accrues on the amount outstanding (§ 288 BGB). Interest accrued up to 5 May 2026: €0.22.');
  });

  it("states the request's pay-by date instead of the template's period, unless the message goes out after it", () => {
    expect(rendered({ ...swedish, payBy: '2026-04-20' }).sms).toContain('Betala senast 20 april 2026');
    // Sent on 3 April: a pay-by date of 2 April is past; the template's 7 days apply.
    expect(rendered({ ...swedish, payBy: '2026-04-02' }).payBy).toBe('2026-04-10');
  });

  it('no fee, no fee line', () => {
    const message = rendered({ ...german, templateId: 'reminder-letter', channel: 'letter' });
    expect(message.text).not.toContain('Mahnkosten');
  });

  it('an unknown locale falls back to English; the numbers still follow the locale', () => {
    const message = rendered({ ...german, locale: 'fr-FR', channel: 'email' });
    expect(message.language).toBe('en');
    expect(message.text).toContain('39,90\u00a0€');
  });

  it('HTML is escaped: markup in a value never becomes markup in the e-mail', () => {
    const message = rendered({ ...swedish, channel: 'email', recipientName: '<script>alert(1)</script>' });
    expect(message.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message.html).not.toContain('<script>');
    expect(message.text).toContain('<script>alert(1)</script>');
  });
});

describe('an operator edits templates: mistakes are refused with every problem named', () => {
  const files = (overrides: Record<string, string>) =>
    new Map(Object.entries({ 'catalog.yaml': 'templates:\n  reminder-letter: { statesCosts: true }\nlanguages: [en]\n', ...overrides }));

  it('a typo in a variable name is an error, not a silent blank', () => {
    expect(() => parseTemplateCatalog(files({ 'reminder-letter.en.yaml': 'subject: "x {{invoiceNumbr}}"\nsms: "{{amount}}"\ntext: "{{amount}}"\n' }))).toThrow(
      /reminder-letter\.en\.yaml: 'subject' uses unknown variable\(s\) invoiceNumbr/,
    );
  });

  it('a missing language file is named', () => {
    expect(() => parseTemplateCatalog(files({}))).toThrow(TemplateCatalogError);
    expect(() => parseTemplateCatalog(files({}))).toThrow(/reminder-letter\.en\.yaml is missing/);
  });

  it('a letter template that lists no flat fee is refused when the request claims one', () => {
    const edited = parseTemplateCatalog(
      files({
        'reminder-letter.en.yaml':
          'subject: "Invoice {{invoiceNumber}}"\nsms: "{{amount}} {{paymentLink}} {{paymentReference}} {{payBy}}"\ntext: "{{amount}} {{dueDate}} {{paymentLink}} {{paymentReference}} {{payBy}} {{#interest}}{{statement}}{{/interest}}"\n',
      }),
    );
    const facts: MessageFacts = { ...german, locale: 'en-GB', templateId: 'reminder-letter', channel: 'letter' };
    expect(renderMessage(edited, facts).ok).toBe(true);
    const result = renderMessage(edited, { ...facts, customerType: 'business', businessCompensation: { minor: 4_000, currency: 'EUR' } });
    expect(!result.ok && result.problems.join()).toMatch(/does not state the flat recovery fee \(€40\.00\)/);
  });

  it('a German letter template that drops the interest sentence is refused at render time', () => {
    const edited = parseTemplateCatalog(
      files({
        'reminder-letter.en.yaml':
          'subject: "Invoice {{invoiceNumber}}"\nsms: "{{amount}} {{paymentLink}} {{paymentReference}} {{payBy}}"\ntext: "{{amount}} {{dueDate}} {{paymentLink}} {{paymentReference}} {{payBy}} {{#fee}}{{fee}}{{/fee}}"\n',
      }),
    );
    const result = renderMessage(edited, { ...german, locale: 'en-GB', templateId: 'reminder-letter', channel: 'letter' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join()).toMatch(/does not state the statutory default interest/);
  });
});
