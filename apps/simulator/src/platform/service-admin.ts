import type { ClockDriver, QuiescenceProbe } from './services-platform';

// The admin surface every service offers for simulated time (docs/simulated-time.md):
//   GET /admin/clock       → { mode: "system"|"simulated", now }
//   PUT /admin/clock       { now } → runs the service's due work for the new instant, then { now, work }
//   GET /admin/quiescence  → { quiet, pending: { consumerLag, outboxPending, … } }
// One client per service; invoicing's admin routes take the operator key (`X-API-Key`).

export interface ServiceEndpoint {
  readonly name: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Extra request headers, e.g. `{ 'x-api-key': <operator key> }` for invoicing. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ClockState {
  readonly mode: string;
  readonly now: string;
}

export interface AdvanceAnswer {
  readonly now: string;
  readonly work: Readonly<Record<string, number>>;
}

type Fetch = typeof fetch;

export class ServiceAdmin implements ClockDriver, QuiescenceProbe {
  /** Due work the service reported on its clock moves, summed by name over the run. */
  readonly workDone: Record<string, number> = {};
  private readonly fetch: Fetch;
  private readonly timeoutMs: number;

  constructor(
    private readonly endpoint: ServiceEndpoint,
    options: { readonly fetch?: Fetch; readonly timeoutMs?: number } = {},
  ) {
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 300_000;
  }

  get name(): string {
    return this.endpoint.name;
  }

  async clock(): Promise<ClockState> {
    return (await this.request('GET', '/admin/clock')) as ClockState;
  }

  async advanceTo(instant: Date): Promise<void> {
    const answer = (await this.request('PUT', '/admin/clock', { now: instant.toISOString() })) as Partial<AdvanceAnswer>;
    for (const [work, count] of Object.entries(answer.work ?? {})) if (typeof count === 'number') this.workDone[work] = (this.workDone[work] ?? 0) + count;
  }

  async check(): Promise<{ quiet: boolean; detail: string }> {
    const answer = (await this.request('GET', '/admin/quiescence')) as { quiet?: unknown; pending?: Record<string, unknown> };
    if (typeof answer.quiet !== 'boolean') throw new Error(`${this.name}: GET /admin/quiescence answered without a "quiet" boolean`);
    const busy = Object.entries(answer.pending ?? {}).filter(([, n]) => n !== 0);
    return { quiet: answer.quiet, detail: busy.map(([what, n]) => `${what} ${String(n)}`).join(', ') || (answer.quiet ? 'quiet' : 'busy') };
  }

  private async request(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<unknown> {
    const response = await this.fetch(`${this.endpoint.url}${path}`, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...this.endpoint.headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${this.name}: ${method} ${path} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${this.name}: ${method} ${path} answered something that is not JSON: ${text.slice(0, 120)}`);
    }
  }
}
