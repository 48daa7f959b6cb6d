import { open, stat } from 'node:fs/promises';
import type { EpochDay } from '../../domain/calendar';
import type { ContactDirectory } from '../../domain/contact-directory';
import { readReminder } from '../../domain/message-reading';
import type { SeenReminder } from '../../domain/seen-message';

/** One SMS as the handset got it: the sender, the number, the text (concatenated parts joined). */
export interface HandsetSms {
  readonly from: string;
  readonly to: string;
  readonly text: string;
}

const LINE = /Got message \d+: <(\S+) (\S+) (?:udh (\S+) )?(text|ucs-2|data) (.*)>$/;

/**
 * Parses Kannel fakesmsc's log (`… Got message <n>: <<from> <to> [udh <udh>] <type> <payload>>`, see
 * deploy/local/peers/kannel.sh). `text` payloads are UTF-8 as Kannel passed them, `ucs-2` URL-encoded
 * UTF-16BE, `data` URL-encoded bytes; the parts of a concatenated message (a UDH concatenation
 * header) are held in `pending` until the last part arrives.
 */
export function parseFakesmscLines(lines: readonly string[], pending: Map<string, { total: number; parts: Map<number, string> }> = new Map()): HandsetSms[] {
  const messages: HandsetSms[] = [];
  for (const line of lines) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, from = '', to = '', udh, type = 'text', payload = ''] = match;
    const text = decodePayload(type, payload);
    const concat = udh ? concatenationOf(urlDecodeBytes(udh)) : undefined;
    if (!concat) {
      messages.push({ from, to, text });
      continue;
    }
    const key = `${from}|${to}|${concat.reference}`;
    const entry = pending.get(key) ?? { total: concat.total, parts: new Map<number, string>() };
    entry.parts.set(concat.sequence, text);
    pending.set(key, entry);
    if (entry.parts.size === entry.total) {
      pending.delete(key);
      messages.push({ from, to, text: [...entry.parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part).join('') });
    }
  }
  return messages;
}

function concatenationOf(udh: Buffer): { reference: number; total: number; sequence: number } | undefined {
  let i = 1; // byte 0 is the UDH length
  while (i < udh.length) {
    const iei = udh[i] ?? 0;
    const length = udh[i + 1] ?? 0;
    if (iei === 0x00 && length === 3) return { reference: udh[i + 2] ?? 0, total: udh[i + 3] ?? 1, sequence: udh[i + 4] ?? 1 };
    if (iei === 0x08 && length === 4) return { reference: udh.readUInt16BE(i + 2), total: udh[i + 4] ?? 1, sequence: udh[i + 5] ?? 1 };
    i += 2 + length;
  }
  return undefined;
}

function urlDecodeBytes(payload: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < payload.length; i += 1) {
    const character = payload[i] as string;
    if (character === '%' && i + 2 < payload.length + 1) {
      bytes.push(Number.parseInt(payload.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (character === '+') {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(character, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodePayload(type: string, payload: string): string {
  if (type === 'text') return payload;
  const bytes = urlDecodeBytes(payload);
  return type === 'ucs-2' ? Buffer.from(bytes).swap16().toString('utf16le') : bytes.toString('utf8');
}

/**
 * SMS that reached simulated customers: the new lines of fakesmsc's log since the last call (a byte
 * offset; a log that shrank was rotated and is read from the start), mapped to customers by the
 * simulator's own phone numbers.
 */
export class FakesmscInbox {
  private offset = 0;
  private remainder = '';
  private readonly pending = new Map<string, { total: number; parts: Map<number, string> }>();

  constructor(
    private readonly directory: ContactDirectory,
    private readonly logFile: string,
  ) {}

  /** Starts after what the log holds now. */
  async skipExisting(): Promise<void> {
    this.offset = await sizeOf(this.logFile);
    this.remainder = '';
  }

  async collect(day: EpochDay): Promise<SeenReminder[]> {
    const size = await sizeOf(this.logFile);
    if (size < this.offset) {
      this.offset = 0;
      this.remainder = '';
    }
    if (size === this.offset) return [];
    const handle = await open(this.logFile, 'r');
    let chunk: string;
    try {
      const buffer = Buffer.alloc(size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      chunk = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
    this.offset = size;
    const lines = (this.remainder + chunk).split('\n');
    this.remainder = lines.pop() ?? ''; // a line still being written
    const result: SeenReminder[] = [];
    for (const sms of parseFakesmscLines(lines, this.pending)) {
      const customerId = this.directory.customerByPhone(sms.to);
      if (customerId) result.push(...readReminder({ customerId, channel: 'sms', day, text: sms.text }, this.directory));
    }
    return result;
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
