import type { AgencyCaseReport, AgencyClaim } from '../domain';
import type { AgencyBatch, AgencyGateway, BatchReceipt, ClaimReceipt, DebtorDirectory, RecallInstruction, RecallReceipt } from './agency-gateway';
import { NO_DEBTOR_DIRECTORY } from './agency-gateway';
import { statusLine } from './batch-file-format';

export interface RestAgencyOptions {
  readonly agencyId: string;
  /** e.g. https://api.agency.example/v1 (no trailing slash needed). */
  readonly baseUrl: string;
  readonly bearerToken?: string | undefined;
  /** Per attempt: a request that has not answered by then is abandoned and retried. */
  readonly timeoutMs?: number;
  /** Attempts per item in one send, the first included. */
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly debtors?: DebtorDirectory;
  /** Injected for tests: how to wait between attempts, and the jitter source. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
}

type Attempt = { readonly kind: 'answer'; readonly status: number; readonly body: unknown } | { readonly kind: 'failure'; readonly reason: string };

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * The REST agency client. Every claim carries `Idempotency-Key: <hand-off id>` (a recall
 * `recall-<hand-off id>`), so any number of repeats — our retries after a timeout, a 5xx, a crash
 * between sending and recording — is one case at the agency: it answers a repeated key with 200 or
 * 409, both of which mean "I have it". Timeouts, network errors, 429 and 5xx are retried with
 * exponential backoff and full jitter; when attempts run out the item is left for the next round,
 * never dropped.
 */
export class RestAgency implements AgencyGateway {
  readonly channel = 'api' as const;
  readonly agencyId: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly debtors: DebtorDirectory;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: RestAgencyOptions) {
    this.agencyId = options.agencyId;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.backoffBaseMs = options.backoffBaseMs ?? 200;
    this.backoffMaxMs = options.backoffMaxMs ?? 5_000;
    this.debtors = options.debtors ?? NO_DEBTOR_DIRECTORY;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async send(batch: AgencyBatch): Promise<BatchReceipt> {
    const claims: ClaimReceipt[] = [];
    for (const claim of batch.claims) claims.push(await this.submitClaim(claim));
    const recalls: RecallReceipt[] = [];
    for (const recall of batch.recalls) recalls.push(await this.recall(recall));
    return { claims, recalls };
  }

  async submitClaim(claim: AgencyClaim): Promise<ClaimReceipt> {
    const debtor = await this.debtors.contactOf(claim.customerId);
    const result = await this.withRetries('POST', '/claims', claim.handoffId, { ...claim, debtor: debtor ?? null });
    if (result.kind === 'failure') return { handoffId: claim.handoffId, outcome: 'retry-later', reason: result.reason };
    const { status, body } = result;
    if (status === 200 || status === 201 || status === 409) {
      return { handoffId: claim.handoffId, outcome: 'accepted', duplicate: status !== 201, agencyReference: referenceOf(body) };
    }
    return { handoffId: claim.handoffId, outcome: 'retry-later', reason: `agency refused the claim with HTTP ${status}` };
  }

  async recall(recall: RecallInstruction): Promise<RecallReceipt> {
    const result = await this.withRetries('POST', `/claims/${encodeURIComponent(recall.handoffId)}/recall`, `recall-${recall.handoffId}`, {
      reason: recall.reason,
      requestedAt: recall.requestedAt,
    });
    if (result.kind === 'failure') return { handoffId: recall.handoffId, outcome: 'retry-later', reason: result.reason };
    if (result.status === 200 || result.status === 202 || result.status === 409) return { handoffId: recall.handoffId, outcome: 'recalled', agencyKnewCase: true };
    // The claim never arrived (our request was lost before the agency stored it): nothing to recall.
    if (result.status === 404) return { handoffId: recall.handoffId, outcome: 'recalled', agencyKnewCase: false };
    return { handoffId: recall.handoffId, outcome: 'retry-later', reason: `agency refused the recall with HTTP ${result.status}` };
  }

  async listCases(): Promise<AgencyCaseReport[]> {
    const result = await this.withRetries('GET', '/claims', undefined, undefined);
    if (result.kind === 'failure') throw new Error(`agency ${this.agencyId} listing failed: ${result.reason}`);
    if (result.status !== 200) throw new Error(`agency ${this.agencyId} listing answered HTTP ${result.status}`);
    const claims = (result.body as { claims?: unknown } | null)?.claims;
    if (!Array.isArray(claims)) throw new Error(`agency ${this.agencyId} listing has no claims array`);
    return claims.map((entry) => statusLine.parse(entry));
  }

  private async withRetries(method: 'GET' | 'POST', route: string, idempotencyKey: string | undefined, body: unknown): Promise<Attempt> {
    let last: Attempt = { kind: 'failure', reason: 'not attempted' };
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      last = await this.attempt(method, route, idempotencyKey, body);
      const retriable = last.kind === 'failure' || last.status === 429 || last.status >= 500;
      if (!retriable) return last;
      if (attempt < this.maxAttempts) await this.sleep(this.backoffMs(attempt));
    }
    return last.kind === 'answer' ? { kind: 'failure', reason: `HTTP ${last.status} after ${this.maxAttempts} attempts` } : { kind: 'failure', reason: `${last.reason} after ${this.maxAttempts} attempts` };
  }

  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempt - 1));
    return Math.floor(this.random() * ceiling);
  }

  private async attempt(method: 'GET' | 'POST', route: string, idempotencyKey: string | undefined, body: unknown): Promise<Attempt> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers[IDEMPOTENCY_KEY_HEADER] = idempotencyKey;
    if (this.options.bearerToken) headers['authorization'] = `Bearer ${this.options.bearerToken}`;
    try {
      const response = await this.fetchImpl(`${this.baseUrl}${route}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = text === '' ? null : (JSON.parse(text) as unknown);
      } catch {
        parsed = null;
      }
      return { kind: 'answer', status: response.status, body: parsed };
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      return { kind: 'failure', reason: name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${this.timeoutMs} ms` : `network error (${name})` };
    }
  }
}

function referenceOf(body: unknown): string | undefined {
  const reference = (body as { reference?: unknown } | null)?.reference;
  return typeof reference === 'string' ? reference : undefined;
}
