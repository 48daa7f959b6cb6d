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
  /** Clock moves that answered 5xx and were tried again. */
  retries = 0;
  private readonly attempts: number;
  private readonly fetch: Fetch;
  private readonly timeoutMs: number;

  constructor(
    private readonly endpoint: ServiceEndpoint,
    options: { readonly fetch?: Fetch; readonly timeoutMs?: number; readonly attempts?: number } = {},
  ) {
    this.fetch = options.fetch ?? fetch;
    this.attempts = options.attempts ?? 5;
    this.timeoutMs = options.timeoutMs ?? 300_000;
  }

  get name(): string {
    return this.endpoint.name;
  }

  async clock(): Promise<ClockState> {
    return (await this.request('GET', '/admin/clock')) as ClockState;
  }

  /**
   * Moves the clock. A move may meet a transient failure inside the service (e.g. its due work and
   * its consumers deadlocking in PostgreSQL: HTTP 500); moving to the same instant again is safe —
   * the clock never goes back and due work runs once — so a 5xx is retried a few times.
   */
  async advanceTo(instant: Date): Promise<void> {
    let answer: Partial<AdvanceAnswer> | undefined;
    for (let attempt = 1; answer === undefined; attempt += 1) {
      try {
        answer = (await this.request('PUT', '/admin/clock', { now: instant.toISOString() })) as Partial<AdvanceAnswer>;
      } catch (error) {
        if (!(error instanceof ServerError) || attempt >= this.attempts) throw error;
        this.retries += 1;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
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
    if (!response.ok) {
      const message = `${this.name}: ${method} ${path} answered HTTP ${response.status}: ${text.slice(0, 300)}`;
      throw response.status >= 500 ? new ServerError(message) : new Error(message);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${this.name}: ${method} ${path} answered something that is not JSON: ${text.slice(0, 120)}`);
    }
  }
}

/** The service answered 5xx: worth another try. */
export class ServerError extends Error {}
