import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@dunning/testing';
import { renderMessage, type MessageFacts, type RenderedMessage } from '../domain';
import { loadTemplateCatalog } from '../templates/load-templates';
import { pdfText } from '../../test-support/pdf-text';
import { KANNEL, mailTo, SMTP, smsTo, startKannel, startSmtpCapture, uniqueEmail, uniquePhone } from '../../test-support/peers';
import { KannelSmsProvider, outcomeOfDlr, verifyDeliverySignature } from './kannel-sms.provider';
import { LetterDropProvider, type LetterManifest } from './letter-drop.provider';
import { SmtpEmailProvider } from './smtp-email.provider';
import { ProviderError } from './provider';

const catalog = loadTemplateCatalog();
const facts: MessageFacts = {
  templateId: 'reminder',
  channel: 'sms',
  locale: 'sv-SE',
  country: 'SE',
  customerType: 'consumer',
  brand: 'Telco',
  recipientName: 'Åsa Öberg',
  invoice: { invoiceId: 'INV-2001', dueDate: '2026-03-31', amount: { minor: 49_900, currency: 'SEK' }, balance: { minor: 49_900, currency: 'SEK' }, paymentReference: '20014711' },
  sendDate: '2026-04-03',
  paymentLink: 'https://pay.telco.example/i/INV-2001',
};

function render(overrides: Partial<MessageFacts>): RenderedMessage {
  const result = renderMessage(catalog, { ...facts, ...overrides });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.message;
}

const deliveryId = (): string => `dlv-${Date.now().toString(36)}-${Math.random().toString(16).slice(2, 10)}`;

describe('e-mail over SMTP, against the real capture server', () => {
  let provider: SmtpEmailProvider;
  beforeAll(() => {
    startSmtpCapture();
    provider = new SmtpEmailProvider({
      host: SMTP.host,
      port: SMTP.port,
      secure: false,
      ignoreTls: true,
      from: '{brand} <billing@telco.example>',
      messageIdDomain: 'notifier.dunning.test',
      lookupUrl: `${SMTP.httpUrl}/messages`,
      timeoutMs: 5_000,
    });
  });
  afterAll(() => provider.close());

  it('delivers a German reminder with text and HTML parts, to the right address, with a Message-ID derived from the delivery id', async () => {
    const address = uniqueEmail();
    const id = deliveryId();
    const content = render({ channel: 'email', locale: 'de-DE', country: 'DE', recipientName: 'Jürgen Groß', invoice: { ...facts.invoice, amount: { minor: 3_990, currency: 'EUR' }, balance: { minor: 3_990, currency: 'EUR' } } });
    const receipt = await provider.send({ deliveryId: id, channel: 'email', brand: 'Telco', recipient: { name: 'Jürgen Groß', email: address }, content });

    const [mail, ...others] = await waitFor(async () => ((await mailTo(address)).length > 0 ? mailTo(address) : undefined), { timeoutMs: 10_000, description: 'the mail in the capture server' });
    expect(others).toHaveLength(0);
    expect(receipt).toEqual({ provider: 'smtp', providerRef: `<${id}@notifier.dunning.test>` });
    expect(mail!.messageId).toBe(`${id}@notifier.dunning.test`);
    expect(mail!.envelope.to).toEqual([address]);
    expect(mail!.from).toBe('billing@telco.example');
    expect(mail!.subject).toBe('Zahlungserinnerung: Rechnung INV-2001');
    expect(mail!.text).toContain('Hallo Jürgen Groß,');
    expect(mail!.text).toContain('Bitte zahlen Sie bis zum 10. April 2026');
    expect(mail!.text).toContain('39,90\u00a0€');
    expect(mail!.html).toContain('<a href="https://pay.telco.example/i/INV-2001">');
    expect(mail!.headers['content-language']).toBe('de');

    await expect(provider.reconcile({ deliveryId: id, startedAt: new Date() })).resolves.toEqual({ kind: 'accepted', providerRef: `<${id}@notifier.dunning.test>` });
    await expect(provider.reconcile({ deliveryId: deliveryId(), startedAt: new Date() })).resolves.toEqual({ kind: 'not-accepted' });
  });

  it('a closed SMTP port is "not sent" (safe to retry), not ambiguous', async () => {
    const closed = new SmtpEmailProvider({ host: '127.0.0.1', port: 1, secure: false, ignoreTls: true, from: 'x@telco.example', messageIdDomain: 'x', timeoutMs: 2_000 });
    const error = await closed.send({ deliveryId: deliveryId(), channel: 'email', brand: 'Telco', recipient: { name: 'A', email: uniqueEmail() }, content: render({ channel: 'email' }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('not-sent');
  });
});

describe('SMS through the real Kannel (bearerbox + smsbox + fakesmsc), with delivery reports', () => {
  let dlrServer: Server;
  let dlrPort = 0;
  const reports: URLSearchParams[] = [];
  let provider: KannelSmsProvider;

  beforeAll(async () => {
    startKannel();
    dlrServer = createServer((request, response) => {
      reports.push(new URL(request.url ?? '/', 'http://127.0.0.1').searchParams);
      response.end('ok');
    });
    await new Promise<void>((resolve) => dlrServer.listen(0, '127.0.0.1', resolve));
    dlrPort = (dlrServer.address() as { port: number }).port;
    provider = new KannelSmsProvider(
      {
        sendsmsUrl: KANNEL.sendsmsUrl,
        username: KANNEL.username,
        password: KANNEL.password,
        from: '{brand}',
        dlrUrl: `http://127.0.0.1:${dlrPort}/notifier/dlr/kannel`,
        dlrSecret: 'test-secret',
        reconcileGraceMs: 60_000,
        upSince: new Date(),
        timeoutMs: 5_000,
      },
      async (id) => reports.some((r) => r.get('delivery') === id),
    );
  });
  afterAll(() => new Promise<void>((resolve) => dlrServer.close(() => resolve())));

  it('sends a Swedish reminder (å, ä, ö as GSM 7-bit) to the number, and Kannel reports it accepted (8) and delivered (1)', async () => {
    const phone = uniquePhone();
    const id = deliveryId();
    const content = render({});
    await provider.send({ deliveryId: id, channel: 'sms', brand: 'Telco', recipient: { name: 'Åsa Öberg', phone }, content });

    const [sms, ...others] = await waitFor(() => (smsTo(phone).length > 0 ? smsTo(phone) : undefined), { timeoutMs: 15_000, description: 'the SMS at fakesmsc' });
    expect(others).toHaveLength(0);
    expect(sms).toEqual({ from: 'Telco', to: phone, text: content.sms });
    expect(sms!.text).toBe('Hej Åsa Öberg! Det här är Telco. Faktura INV-2001 (499,00 kr) förföll 31 mars 2026. Betala senast 10 april 2026: https://pay.telco.example/i/INV-2001 (OCR 20014711). Redan betalt? Tack!');

    const mine = await waitFor(() => {
      const found = reports.filter((r) => r.get('delivery') === id);
      return found.some((r) => r.get('type') === '1') ? found : undefined;
    }, { timeoutMs: 15_000, description: 'a delivered report' });
    expect(mine.map((r) => outcomeOfDlr(Number(r.get('type'))))).toEqual(expect.arrayContaining(['accepted', 'delivered']));
    expect(mine.every((r) => verifyDeliverySignature(id, r.get('sig') ?? '', 'test-secret'))).toBe(true);
    await expect(provider.reconcile({ deliveryId: id, startedAt: new Date() }, new Date())).resolves.toEqual({ kind: 'accepted', providerRef: id });
  });

  it('text outside the GSM alphabet goes as UCS-2 and arrives unchanged', async () => {
    const phone = uniquePhone();
    const content = { ...render({}), sms: 'Zahlung erhalten – danke! ✓' };
    await provider.send({ deliveryId: deliveryId(), channel: 'sms', brand: 'Telco', recipient: { name: 'x', phone }, content });
    const [sms] = await waitFor(() => (smsTo(phone).length > 0 ? smsTo(phone) : undefined), { timeoutMs: 15_000, description: 'the UCS-2 SMS' });
    expect(sms!.text).toBe('Zahlung erhalten – danke! ✓');
  });

  it('wrong credentials are a permanent refusal', async () => {
    const wrong = new KannelSmsProvider({ ...(provider as unknown as { config: ConstructorParameters<typeof KannelSmsProvider>[0] }).config, password: 'wrong' }, async () => false);
    const error = await wrong.send({ deliveryId: deliveryId(), channel: 'sms', brand: 'Telco', recipient: { name: 'x', phone: uniquePhone() }, content: render({}) }).catch((e: unknown) => e);
    expect((error as ProviderError).kind).toBe('permanent');
    expect((error as ProviderError).code).toBe('kannel-403');
  });
});

describe('letters: a PDF and a manifest in the print provider\'s drop folder', () => {
  it('renders the Swedish collection demand to a PDF whose text says the right things to the right address', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'letters-'));
    const provider = new LetterDropProvider({ directory, senderLines: ['Telco AB', 'Box 1', '111 11 Stockholm'], timeZone: 'Europe/Stockholm' }, () => new Date('2026-04-03T08:00:00Z'));
    const id = deliveryId();
    const content = render({ templateId: 'collection-demand', channel: 'letter', fee: { minor: 6_000, currency: 'SEK' } });
    const recipient = { name: 'Åsa Öberg', postalAddress: { lines: ['Kanariegatan 1', 'lgh 1101'], postalCode: '123 45', city: 'Malmö', country: 'SE' } };
    const reference = { invoiceId: 'INV-2001', paymentReference: '20014711', fee: { minor: 6_000, currency: 'SEK' } };
    const receipt = await provider.send({ deliveryId: id, channel: 'letter', brand: 'Telco', recipient, content, reference });

    expect(readdirSync(directory).sort()).toEqual([`${id}.json`, `${id}.pdf`]);
    const manifest = JSON.parse(readFileSync(join(directory, `${id}.json`), 'utf8')) as LetterManifest;
    const pdf = readFileSync(join(directory, manifest.pdf));
    expect(receipt.providerRef).toBe(`${id}.pdf`);
    expect(manifest).toMatchObject({ deliveryId: id, bytes: pdf.length, language: 'sv', recipient: { name: 'Åsa Öberg', city: 'Malmö' } });
    // The invoice and the fee, so whoever collects the letter needs not read the PDF to match it.
    expect(manifest.invoice).toEqual({ invoiceId: 'INV-2001', paymentReference: '20014711', fee: { minor: 6_000, currency: 'SEK' } });
    expect(manifest.sha256).toBe(require('node:crypto').createHash('sha256').update(pdf).digest('hex'));

    const text = pdfText(join(directory, manifest.pdf)).replace(/\s+/g, ' ');
    expect(text).toContain('Åsa Öberg Kanariegatan 1 lgh 1101 123 45 Malmö');
    expect(text).toContain('3 april 2026');
    expect(text).toContain('Betalningskrav för faktura INV-2001');
    expect(text).toContain('Påminnelseavgift: 60,00 kr');
    expect(text).toContain('Att betala totalt: 559,00 kr');
    expect(text).toContain('Betala senast 13 april 2026 (10 dagar från dagen för detta krav)');
    expect(text).toContain('OCR-nummer: 20014711');

    await expect(provider.reconcile({ deliveryId: id, startedAt: new Date() })).resolves.toEqual({ kind: 'accepted', providerRef: `${id}.pdf` });
    await expect(provider.reconcile({ deliveryId: deliveryId(), startedAt: new Date() })).resolves.toEqual({ kind: 'not-accepted' });
  });
});
