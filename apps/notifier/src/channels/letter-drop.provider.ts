import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatLocalDate, localDateOf } from '../domain';
import { renderLetterPdf } from './letter-pdf';
import { ProviderError, type AttemptInFlight, type MessageProvider, type MessageReference, type OutboundMessage, type ReconcileVerdict, type SendReceipt } from './provider';

export interface LetterDropConfig {
  /** The folder the print-and-mail provider collects from. */
  readonly directory: string;
  readonly senderLines: readonly string[];
  /** The time zone the letter's date is written in. */
  readonly timeZone: string;
}

/** What the print-and-mail provider reads: one manifest per letter, written last. */
export interface LetterManifest {
  readonly deliveryId: string;
  readonly pdf: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly createdAt: string;
  readonly language: string;
  /**
   * The invoice the letter is about (its id and payment reference) and the fee it announces, in
   * minor units: a mail-room or a test matches the letter to its invoice without reading the PDF.
   */
  readonly invoice?: MessageReference;
  /** The address to print and post to: personal data, for the print provider only. */
  readonly recipient: { readonly name: string; readonly lines: readonly string[]; readonly postalCode?: string; readonly city: string; readonly country?: string };
}

const safeName = (deliveryId: string): string => deliveryId.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Letters as PDF in a drop folder with a JSON manifest (the first print-and-mail provider).
 * The PDF is written and renamed into place first, then the manifest: the manifest's presence is
 * the hand-over, so the provider never collects half a letter, and the same delivery always maps
 * to the same file names — a second attempt replaces, it never adds a second letter.
 */
export class LetterDropProvider implements MessageProvider {
  readonly name = 'letter-drop';
  readonly channel = 'letter' as const;

  constructor(
    private readonly config: LetterDropConfig,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  manifestPath(deliveryId: string): string {
    return join(this.config.directory, `${safeName(deliveryId)}.json`);
  }

  async send(message: OutboundMessage): Promise<SendReceipt> {
    const address = message.recipient.postalAddress;
    if (!address) throw new ProviderError('permanent', 'no-postal-address', 'the recipient has no postal address');
    const now = this.clock();
    const pdf = await renderLetterPdf(
      message.content,
      message.recipient,
      { brand: message.brand, senderLines: this.config.senderLines, dateLine: formatLocalDate(localDateOf(now, this.config.timeZone), message.content.language) },
      now,
    );
    const base = safeName(message.deliveryId);
    const manifest: LetterManifest = {
      deliveryId: message.deliveryId,
      pdf: `${base}.pdf`,
      sha256: createHash('sha256').update(pdf).digest('hex'),
      bytes: pdf.length,
      createdAt: now.toISOString(),
      language: message.content.language,
      ...(message.reference ? { invoice: message.reference } : {}),
      recipient: { name: message.recipient.name, lines: address.lines, ...(address.postalCode ? { postalCode: address.postalCode } : {}), city: address.city, ...(address.country ? { country: address.country } : {}) },
    };
    try {
      await mkdir(this.config.directory, { recursive: true });
      await writeAtomically(join(this.config.directory, manifest.pdf), pdf);
      await writeAtomically(this.manifestPath(message.deliveryId), JSON.stringify(manifest, null, 2));
    } catch (error) {
      throw new ProviderError('not-sent', 'drop-folder-write-failed', `could not write to the drop folder: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return { provider: this.name, providerRef: manifest.pdf };
  }

  async reconcile(attempt: AttemptInFlight): Promise<ReconcileVerdict> {
    try {
      const manifest = JSON.parse(await readFile(this.manifestPath(attempt.deliveryId), 'utf8')) as LetterManifest;
      const pdf = await readFile(join(this.config.directory, manifest.pdf));
      if (createHash('sha256').update(pdf).digest('hex') === manifest.sha256) return { kind: 'accepted', providerRef: manifest.pdf };
    } catch {
      // No manifest (or no PDF): the hand-over never happened.
    }
    await rm(this.manifestPath(attempt.deliveryId), { force: true });
    return { kind: 'not-accepted' };
  }
}

async function writeAtomically(path: string, content: string | Buffer): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}
