import { addDays, daysBetween, formatLocalDate, laterOf, type LocalDate } from './dates';
import { contentRulesFor, interestStatement, type DefaultInterestClaim, type InterestFacts, type Language } from './legal-content';
import { addMoney, formatMoney, type Money } from './money';
import { htmlFromText, languageFor, renderHtml, renderPlain, type Channel, type TemplateCatalog, type TemplateMeta } from './templates';

/** Everything a message is made from. Personal data (the name) is here only to be rendered. */
export interface MessageFacts {
  readonly templateId: string;
  readonly channel: Channel;
  /** BCP 47, e.g. sv-SE: picks the template language and the number/date formats. */
  readonly locale: string;
  /** ISO 3166-1 alpha-2 of the customer's address; selects the content rules (SE, DE). */
  readonly country?: string;
  readonly customerType: 'consumer' | 'business';
  readonly brand: string;
  readonly recipientName: string;
  readonly invoice: {
    readonly invoiceId: string;
    readonly dueDate: LocalDate;
    readonly amount: Money;
    /** What is left to pay now. */
    readonly balance: Money;
    readonly paymentReference?: string;
  };
  readonly fee?: Money;
  /** The flat recovery fee the request claims from a business (Germany: 40 EUR), if any. */
  readonly businessCompensation?: Money;
  /** Statutory default interest the request's decision computed so far, if any. */
  readonly interest?: DefaultInterestClaim;
  /** The date the request asks the customer to pay by, if it names one. */
  readonly payBy?: LocalDate;
  /** The day the message goes out, in the customer's time zone. */
  readonly sendDate: LocalDate;
  readonly paymentLink: string;
}

export interface RenderedMessage {
  readonly templateId: string;
  readonly language: Language;
  readonly channel: Channel;
  readonly subject: string;
  /** Plain-text body: the e-mail's text part and the letter's body. */
  readonly text: string;
  readonly html: string;
  readonly sms: string;
  /** The pay-by date the message states, if any (after the country's minimum was applied). */
  readonly payBy?: LocalDate;
}

export type RenderResult = { readonly ok: true; readonly message: RenderedMessage } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * The pay-by date a message states: the request's (the decision's, under the country's rules), else
 * the template's period from the send date; a request date that is not after the send date (the
 * message went out late) gives way to the template's period too. A collection demand never gives
 * fewer days than the country's rule in @dunning/law (Sweden 8, Germany 7).
 */
export function payByFor(meta: TemplateMeta, facts: Pick<MessageFacts, 'payBy' | 'sendDate' | 'country'>): LocalDate | undefined {
  const requested = facts.payBy !== undefined && facts.payBy > facts.sendDate ? facts.payBy : undefined;
  let payBy = requested ?? (meta.payWithinDays !== undefined ? addDays(facts.sendDate, meta.payWithinDays) : undefined);
  const demandRule = meta.collectionDemand ? contentRulesFor(facts.country)?.collectionDemand : undefined;
  if (demandRule) payBy = laterOf(payBy ?? facts.sendDate, addDays(facts.sendDate, demandRule.minDaysToPay));
  return payBy;
}

/**
 * The interest a cost-stating message names where the country asks for it: the decision's claim
 * (start, surcharge and amount so far) when the request carries one, else the country's rule from
 * the day after the due date.
 */
function interestFor(meta: TemplateMeta, facts: MessageFacts): InterestFacts | undefined {
  const rule = meta.statesCosts ? contentRulesFor(facts.country)?.defaultInterest : undefined;
  if (!rule) return undefined;
  const claim = facts.interest;
  const lastPeriod = claim?.periods[claim.periods.length - 1];
  return {
    points: lastPeriod ? (lastPeriod.annualRateBps - lastPeriod.baseRateBps) / 100 : rule.surchargePoints[facts.customerType],
    sinceDate: claim?.from ?? addDays(facts.invoice.dueDate, 1),
    law: rule.law,
    ...(claim && claim.amount.minor > 0 && claim.amount.currency === facts.invoice.balance.currency ? { accrued: { amount: claim.amount, until: claim.to } } : {}),
  };
}

/**
 * What the customer is asked to pay: the balance and the charges this message lists (reminder fee,
 * flat fee). Interest is stated in its own sentence (what accrued up to the decision; it keeps
 * running), so the listed lines add up to the total.
 */
function totalOf(facts: MessageFacts): Money {
  const parts = [facts.fee, facts.businessCompensation].filter((part): part is Money => part !== undefined);
  return parts.reduce(addMoney, facts.invoice.balance);
}

/** The values a template sees, each already formatted for the customer's locale. */
export function templateView(catalog: TemplateCatalog, meta: TemplateMeta, facts: MessageFacts) {
  const language = languageFor(catalog, facts.locale);
  const payBy = payByFor(meta, facts);
  const interest = interestFor(meta, facts);
  const total = totalOf(facts);
  return {
    language,
    payBy,
    interest,
    view: {
      brand: facts.brand,
      name: facts.recipientName,
      invoiceNumber: facts.invoice.invoiceId,
      amount: formatMoney(facts.invoice.balance, facts.locale),
      originalAmount: formatMoney(facts.invoice.amount, facts.locale),
      dueDate: formatLocalDate(facts.invoice.dueDate, facts.locale),
      paymentReference: facts.invoice.paymentReference ?? facts.invoice.invoiceId,
      paymentLink: facts.paymentLink,
      fee: facts.fee ? formatMoney(facts.fee, facts.locale) : '',
      compensation: facts.businessCompensation ? formatMoney(facts.businessCompensation, facts.locale) : '',
      total: formatMoney(total, facts.locale),
      payBy: payBy ? formatLocalDate(payBy, facts.locale) : '',
      daysToPay: payBy ? String(daysBetween(facts.sendDate, payBy)) : '',
      interest: interest
        ? {
            statement: interestStatement(
              language,
              new Intl.NumberFormat(facts.locale, { maximumFractionDigits: 2 }).format(interest.points),
              formatLocalDate(interest.sinceDate, facts.locale),
              interest.law,
              interest.accrued ? { amount: formatMoney(interest.accrued.amount, facts.locale), until: formatLocalDate(interest.accrued.until, facts.locale) } : undefined,
            ),
          }
        : (false as const),
    },
  };
}

/**
 * Renders one message and checks it says what it must: the amount, due date, payment reference
 * and link in every part; the pay-by date where one applies; fees and statutory interest where
 * the country's content rules ask for them. A template an operator edited into breaking one of
 * these is refused (and the preview shows why), rather than sent.
 */
export function renderMessage(catalog: TemplateCatalog, facts: MessageFacts): RenderResult {
  const template = catalog.templates.get(facts.templateId);
  if (!template) return { ok: false, problems: [`unknown template ${facts.templateId}`] };
  if (facts.fee && facts.fee.currency !== facts.invoice.balance.currency) {
    return { ok: false, problems: [`fee currency ${facts.fee.currency} differs from the invoice's ${facts.invoice.balance.currency}`] };
  }
  if (facts.businessCompensation && facts.businessCompensation.currency !== facts.invoice.balance.currency) {
    return { ok: false, problems: [`flat fee currency ${facts.businessCompensation.currency} differs from the invoice's ${facts.invoice.balance.currency}`] };
  }
  const { language, payBy, interest, view } = templateView(catalog, template.meta, facts);
  const source = template.texts.get(language);
  if (!source) return { ok: false, problems: [`template ${facts.templateId} has no ${language} text`] };

  const subject = renderPlain(source.subject, view).trim();
  const text = tidy(renderPlain(source.text, view));
  // SMS: no-break spaces (which Intl puts in amounts and dates) are outside the GSM 7-bit alphabet
  // and would force UCS-2, halving the characters per part; a plain space reads the same.
  const sms = gsmSpaces(renderPlain(source.sms, view)).replace(/[ \t\r\n]+/g, ' ').trim();
  const html = source.html ? renderHtml(source.html, view) : htmlFromText(text, language, subject);

  const problems = contentProblems({
    channel: facts.channel,
    text,
    sms,
    view,
    payBy,
    interestStatement: interest ? view.interest : undefined,
    meta: template.meta,
    hasFee: Boolean(facts.fee),
    hasCompensation: Boolean(facts.businessCompensation),
  });
  if (problems.length > 0) return { ok: false, problems: problems.map((p) => `${facts.templateId}.${language}: ${p}`) };
  return { ok: true, message: { templateId: facts.templateId, language, channel: facts.channel, subject, text, html, sms, ...(payBy ? { payBy } : {}) } };
}

function gsmSpaces(text: string): string {
  return text.replace(/[\u00a0\u202f]/g, ' ');
}

function tidy(text: string): string {
  // Mustache sections on their own lines leave blank runs behind; keep at most one empty line.
  return text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}

function contentProblems(input: {
  channel: Channel;
  text: string;
  sms: string;
  view: ReturnType<typeof templateView>['view'];
  payBy: LocalDate | undefined;
  interestStatement: { statement: string } | false | undefined;
  meta: TemplateMeta;
  hasFee: boolean;
  hasCompensation: boolean;
}): string[] {
  const { view } = input;
  // The part the customer actually receives on this channel is checked; the others are previews.
  const body = input.channel === 'sms' ? input.sms : input.text;
  const part = input.channel === 'sms' ? 'sms' : 'text';
  const problems: string[] = [];
  const states = (value: string): boolean => body.includes(input.channel === 'sms' ? gsmSpaces(value) : value);
  const mustContain = (value: string, what: string): void => {
    if (value !== '' && !states(value)) problems.push(`'${part}' does not state ${what} (${value})`);
  };
  if (!states(view.amount) && !states(view.total)) problems.push(`'${part}' states neither the amount due (${view.amount}) nor the total (${view.total})`);
  mustContain(view.paymentReference, 'the payment reference');
  mustContain(view.paymentLink, 'the payment link');
  if (input.channel !== 'sms') mustContain(view.dueDate, 'the due date');
  if (input.payBy) mustContain(view.payBy, 'the pay-by date');
  if (input.meta.statesCosts && input.channel !== 'sms') {
    if (input.hasFee) mustContain(view.fee, 'the reminder fee');
    if (input.hasCompensation) mustContain(view.compensation, 'the flat recovery fee');
    if (input.interestStatement) mustContain(input.interestStatement.statement, 'the statutory default interest');
  }
  return problems;
}
