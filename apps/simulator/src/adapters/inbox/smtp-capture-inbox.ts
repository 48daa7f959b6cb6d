import type { EpochDay } from '../../domain/calendar';
import type { ContactDirectory } from '../../domain/contact-directory';
import { readReminder } from '../../domain/message-reading';
import type { SeenReminder } from '../../domain/seen-message';

interface CapturedSummary {
  readonly id: string;
  readonly to: readonly string[];
  readonly envelope: { readonly to: readonly string[] };
}

interface CapturedMail extends CapturedSummary {
  readonly subject: string;
  readonly text: string;
}

/**
 * E-mail that reached simulated customers, from the SMTP capture server's HTTP/JSON view
 * (deploy/local/peers/smtp-capture.js: `GET /messages?after=<id>`, `GET /messages/<id>`). A recipient
 * is a customer only if it is one of the simulator's own addresses (c<n>@<domain>); everything else in
 * the mailbox (other tests, other runs) is ignored. Each message is read once: the listing starts
 * after the last id seen (so a long run does not re-list the whole mailbox every day), and the ids
 * seen are kept too, for a capture server that ignores the cursor.
 */
export class SmtpCaptureInbox {
  private readonly seen = new Set<string>();
  private lastId: string | undefined;

  constructor(
    private readonly directory: ContactDirectory,
    private readonly options: { readonly baseUrl: string; readonly emailDomain: string; readonly fetch?: typeof fetch },
  ) {}

  /** Marks everything already in the mailbox as read (a run starts with what arrives from now on). */
  async skipExisting(): Promise<void> {
    for (const summary of await this.list()) this.seen.add(summary.id);
  }

  async collect(day: EpochDay): Promise<SeenReminder[]> {
    const domain = `@${this.options.emailDomain.toLowerCase()}`;
    const result: SeenReminder[] = [];
    for (const summary of await this.list()) {
      if (this.seen.has(summary.id)) continue;
      this.seen.add(summary.id);
      const recipients = [...new Set([...summary.envelope.to, ...summary.to].map((a) => a.toLowerCase()))].filter((a) => a.endsWith(domain));
      const customers = [...new Set(recipients.map((address) => this.directory.customerByEmail(address)).filter((id): id is string => id !== undefined))];
      if (customers.length === 0) continue;
      const mail = await this.get<CapturedMail>(`/messages/${encodeURIComponent(summary.id)}`);
      for (const customerId of customers) result.push(...readReminder({ customerId, channel: 'email', day, text: `${mail.subject}\n${mail.text}` }, this.directory));
    }
    return result;
  }

  private async list(): Promise<CapturedSummary[]> {
    const summaries = await this.get<CapturedSummary[]>(this.lastId === undefined ? '/messages' : `/messages?after=${encodeURIComponent(this.lastId)}`);
    const last = summaries.at(-1);
    if (last) this.lastId = last.id;
    return summaries;
  }

  private async get<T>(path: string): Promise<T> {
    const response = await (this.options.fetch ?? fetch)(`${this.options.baseUrl}${path}`, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`SMTP capture ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }
}
