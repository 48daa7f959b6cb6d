import { createHmac, timingSafeEqual } from 'node:crypto';
import { isGsm7 } from './gsm7';
import { ProviderError, type AttemptInFlight, type MessageProvider, type OutboundMessage, type ReconcileVerdict, type SendReceipt } from './provider';

export interface KannelSmsConfig {
  /** smsbox's sendsms endpoint, e.g. http://127.0.0.1:13013/cgi-bin/sendsms */
  readonly sendsmsUrl: string;
  readonly username: string;
  readonly password: string;
  /** The sender shown on the handset; `{brand}` is replaced by the brand (alphanumeric, at most 11 characters). */
  readonly from: string;
  /** Where Kannel calls back with delivery reports: the notifier's own /notifier/dlr/kannel. */
  readonly dlrUrl: string;
  /** Signs the delivery id in the callback URL, so nobody else can report deliveries. */
  readonly dlrSecret: string;
  /**
   * An attempt cut short by a crash counts as taken by Kannel once any delivery report for it has
   * arrived (the SMSC's "accepted" comes within seconds, and smsbox retries the callback while the
   * notifier is down). With none this long after the notifier is up again, it will never be known.
   */
  readonly reconcileGraceMs: number;
  /** When this notifier process started: reports cannot have arrived while it was down. */
  readonly upSince: Date;
  readonly timeoutMs: number;
}

/** DLR types (Kannel dlr-mask bits): 1 delivered, 2 undelivered, 4 queued on SMSC, 8 accepted by SMSC, 16 rejected by SMSC. */
export const DLR_MASK = 1 + 2 + 4 + 8 + 16;

export type DeliveryReportOutcome = 'delivered' | 'failed' | 'accepted' | 'queued';

export function outcomeOfDlr(type: number): DeliveryReportOutcome | undefined {
  switch (type) {
    case 1:
      return 'delivered';
    case 2:
    case 16:
      return 'failed';
    case 8:
      return 'accepted';
    case 4:
      return 'queued';
    default:
      return undefined;
  }
}

export function signDelivery(deliveryId: string, secret: string): string {
  return createHmac('sha256', secret).update(deliveryId).digest('base64url').slice(0, 32);
}

export function verifyDeliverySignature(deliveryId: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(signDelivery(deliveryId, secret));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Evidence of delivery reports the notifier has stored for a delivery (the DLR endpoint writes it). */
export type DeliveryReportEvidence = (deliveryId: string) => Promise<boolean>;

/** SMS through Kannel's sendsms HTTP API, with delivery reports by dlr-url callback. */
export class KannelSmsProvider implements MessageProvider {
  readonly name = 'kannel';
  readonly channel = 'sms' as const;

  constructor(
    private readonly config: KannelSmsConfig,
    private readonly hasDeliveryReport: DeliveryReportEvidence,
  ) {}

  async send(message: OutboundMessage): Promise<SendReceipt> {
    const to = message.recipient.phone;
    if (!to) throw new ProviderError('permanent', 'no-phone-number', 'the recipient has no phone number');
    const text = message.content.sms;
    const dlrUrl = new URL(this.config.dlrUrl);
    dlrUrl.searchParams.set('delivery', message.deliveryId);
    dlrUrl.searchParams.set('sig', signDelivery(message.deliveryId, this.config.dlrSecret));
    // Kannel expands %d (the report type) itself; it must stay unescaped in the URL it stores.
    const callback = `${dlrUrl.toString()}&type=%d`;
    const url = new URL(this.config.sendsmsUrl);
    const parameters: Record<string, string> = {
      username: this.config.username,
      password: this.config.password,
      from: this.config.from.replace('{brand}', message.brand).slice(0, 11),
      to,
      text,
      charset: 'UTF-8',
      coding: isGsm7(text) ? '0' : '2',
      'dlr-mask': String(DLR_MASK),
      'dlr-url': callback,
    };
    for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);

    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.config.timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      if (cause === 'ECONNREFUSED') throw new ProviderError('not-sent', 'kannel-unreachable', 'could not connect to Kannel');
      throw new ProviderError('ambiguous', 'kannel-no-answer', 'Kannel did not answer; the message may have been accepted');
    }
    const body = (await response.text()).trim();
    // "0: Accepted for delivery" (202) and "3: Queued for later delivery" (202) both mean taken.
    if (response.status === 202 || response.status === 200) return { provider: this.name, providerRef: message.deliveryId };
    if (response.status === 503) throw new ProviderError('not-sent', 'kannel-503', 'Kannel asked to try later');
    if (response.status >= 400 && response.status < 500) throw new ProviderError('permanent', `kannel-${response.status}`, `Kannel refused the message: ${body.slice(0, 80)}`);
    throw new ProviderError('ambiguous', `kannel-${response.status}`, 'Kannel answered with an unexpected status');
  }

  async reconcile(attempt: AttemptInFlight, now: Date): Promise<ReconcileVerdict> {
    if (await this.hasDeliveryReport(attempt.deliveryId)) return { kind: 'accepted', providerRef: attempt.deliveryId };
    const listeningSince = Math.max(attempt.startedAt.getTime(), this.config.upSince.getTime());
    return now.getTime() - listeningSince >= this.config.reconcileGraceMs ? { kind: 'indeterminate' } : { kind: 'unknown' };
  }
}
