import type { QuiescenceProbe } from '../platform/services-platform';

/**
 * Kannel as a quiescence probe: quiet when the bearerbox holds nothing in its queues — no SMS waiting
 * for the SMSC (here fakesmsc, the handsets' log), none in the store, no delivery report waiting to
 * be called back to the notifier. Read from the admin status page (`/status.xml?password=…`). The
 * gateway is shared by everyone on the machine, so other traffic only makes the wait longer.
 */
export class KannelProbe implements QuiescenceProbe {
  readonly name = 'kannel';

  constructor(
    private readonly options: { readonly adminUrl: string; readonly password: string; readonly fetch?: typeof fetch },
  ) {}

  async check(): Promise<{ quiet: boolean; detail: string }> {
    const response = await (this.options.fetch ?? fetch)(`${this.options.adminUrl}/status.xml?password=${encodeURIComponent(this.options.password)}`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`kannel status: HTTP ${response.status}`);
    return kannelQueues(await response.text());
  }
}

/** Every `<queued>n</queued>` and `<queue>n</queue>` of the status page, and the store size, must be 0. */
export function kannelQueues(statusXml: string): { quiet: boolean; detail: string } {
  if (!/<gateway>/.test(statusXml)) throw new Error('kannel status: not a status page');
  const counts = [...statusXml.matchAll(/<(queued|queue|storesize)>(\d+)<\/\1>/g)].map((m) => ({ what: m[1] ?? '', n: Number(m[2]) }));
  const busy = counts.filter((c) => c.n > 0);
  return { quiet: busy.length === 0, detail: busy.length === 0 ? 'queues empty' : busy.map((c) => `${c.what} ${c.n}`).join(', ') };
}
