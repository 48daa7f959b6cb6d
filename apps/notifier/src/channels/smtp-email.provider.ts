import nodemailer, { type Transporter } from 'nodemailer';
import { ProviderError, type AttemptInFlight, type MessageProvider, type OutboundMessage, type ReconcileVerdict, type SendReceipt } from './provider';

export interface SmtpEmailConfig {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465). Otherwise STARTTLS is used when the server offers it, unless `ignoreTls`. */
  readonly secure: boolean;
  readonly ignoreTls: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** The From address, e.g. "Telco <billing@telco.example>"; `{brand}` is replaced by the brand. */
  readonly from: string;
  /** Right-hand side of every Message-ID: `<deliveryId@domain>`. */
  readonly messageIdDomain: string;
  /**
   * The provider's message lookup: a URL answering GET <url>?messageId=<id> with a JSON array
   * (the capture server's /messages; a real provider's search API behind the same shape).
   * Without one, an attempt cut short by a crash cannot be checked: it ends as `indeterminate`.
   */
  readonly lookupUrl?: string;
  readonly timeoutMs: number;
  /**
   * Keep SMTP sessions open and reuse them (default on, up to `maxConnections`, 5): a session per
   * mail costs a TCP connect, the greeting and EHLO each time. Safe for exactly-once: the
   * Message-ID (the idempotency key the reconcile looks up) belongs to the mail, not the session.
   */
  readonly pool?: boolean;
  readonly maxConnections?: number;
}

/** The Message-ID is derived from the idempotency key, so the provider can be asked whether it has it. */
export function messageIdFor(deliveryId: string, domain: string): string {
  return `<${deliveryId}@${domain}>`;
}

/** E-mail over SMTP (nodemailer): an HTML and a plain-text part, a Message-ID derived from the delivery id. */
export class SmtpEmailProvider implements MessageProvider {
  readonly name = 'smtp';
  readonly channel = 'email' as const;
  private readonly transport: Transporter;

  constructor(private readonly config: SmtpEmailConfig) {
    this.transport = nodemailer.createTransport({
      ...(config.pool === false ? {} : { pool: true as const, maxConnections: config.maxConnections ?? 5 }),
      host: config.host,
      port: config.port,
      secure: config.secure,
      ignoreTLS: config.ignoreTls,
      ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
      logger: false,
    });
  }

  async send(message: OutboundMessage): Promise<SendReceipt> {
    const to = message.recipient.email;
    if (!to) throw new ProviderError('permanent', 'no-email-address', 'the recipient has no e-mail address');
    const messageId = messageIdFor(message.deliveryId, this.config.messageIdDomain);
    try {
      await this.transport.sendMail({
        from: this.config.from.replace('{brand}', message.brand),
        to: { name: message.recipient.name, address: to },
        subject: message.content.subject,
        text: message.content.text,
        html: message.content.html,
        messageId,
        headers: { 'Content-Language': message.content.language, 'X-Dunning-Delivery-Id': message.deliveryId },
      });
      return { provider: this.name, providerRef: messageId };
    } catch (error) {
      throw classifySmtpError(error);
    }
  }

  async reconcile(attempt: AttemptInFlight): Promise<ReconcileVerdict> {
    if (!this.config.lookupUrl) return { kind: 'indeterminate' };
    const messageId = messageIdFor(attempt.deliveryId, this.config.messageIdDomain);
    const url = new URL(this.config.lookupUrl);
    url.searchParams.set('messageId', messageId.slice(1, -1));
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.config.timeoutMs) });
      if (!response.ok) return { kind: 'unknown' };
      const found = (await response.json()) as unknown[];
      return Array.isArray(found) && found.length > 0 ? { kind: 'accepted', providerRef: messageId } : { kind: 'not-accepted' };
    } catch {
      return { kind: 'unknown' };
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** SMTP replies and socket errors → what to do next; the codes carry no address or text. */
export function classifySmtpError(error: unknown): ProviderError {
  const details = (error ?? {}) as { responseCode?: number; code?: string; command?: string };
  const responseCode = details.responseCode;
  if (typeof responseCode === 'number') {
    if (responseCode >= 500) return new ProviderError('permanent', `smtp-${responseCode}`, `the SMTP server refused the message (${responseCode})`);
    // 4xx before the end of DATA: not taken, try again later. After DATA the server said "not now" too.
    return new ProviderError('not-sent', `smtp-${responseCode}`, `the SMTP server asked to try later (${responseCode})`);
  }
  const code = details.code ?? 'unknown';
  // Nothing went over the wire yet when the connection could not be made.
  if (code === 'ECONNECTION' || code === 'ECONNREFUSED' || code === 'EDNS' || code === 'ESOCKET' && details.command === 'CONN') {
    return new ProviderError('not-sent', `smtp-${code.toLowerCase()}`, 'could not connect to the SMTP server');
  }
  return new ProviderError('ambiguous', `smtp-${code.toLowerCase()}`, 'the SMTP exchange broke off; the message may have been accepted');
}
