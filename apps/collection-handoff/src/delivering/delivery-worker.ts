import { inTransaction, quoteIdentifier, type SqlPool } from '@dunning/messaging';
import { extractTraceContext, type KafkaHeaders } from '@dunning/telemetry';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { AgencyBatch, AgencyGateway, RecallInstruction } from '../agency/agency-gateway';
import type { CheckHandoff } from '../checking-handoffs/check-handoff';
import { pendingWork, type CollectionCase } from '../domain';
import type { CaseStore } from '../persistence/case-store';
import { inAgencySpan, recordCheck, recordDelivery } from '../telemetry';

export interface WorkerLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface DeliveryWorkerOptions {
  readonly pool: SqlPool;
  readonly schema: string;
  readonly cases: CaseStore;
  readonly check: CheckHandoff;
  readonly gateways: ReadonlyMap<string, AgencyGateway>;
  readonly clock: () => Date;
  /** Items per kind of work per pass. */
  readonly batchSize?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly pollIntervalMs?: number;
  /** When each file agency's cut-off falls; absent: only explicit runCutoff calls. */
  readonly cutoffs?: ReadonlyMap<string, CutoffSchedule>;
  readonly logger?: WorkerLogger;
}

export type CutoffSchedule = { readonly dailyAtUtc: string } | { readonly everyMinutes: number };

export interface PassSummary {
  checked: number;
  delivered: number;
  recalled: number;
  postponed: number;
  batches: number;
}

const silent: WorkerLogger = { info: () => undefined, warn: () => undefined };

/** The latest scheduled cut-off at or before `now`, and its batch id (e.g. 20260510T1600Z). */
export function latestCutoff(now: Date, schedule: CutoffSchedule): { cutoffAt: Date; batchId: string } {
  let at: number;
  if ('everyMinutes' in schedule) {
    const step = Math.max(1, schedule.everyMinutes) * 60_000;
    at = Math.floor(now.getTime() / step) * step;
  } else {
    const [h, m] = schedule.dailyAtUtc.split(':').map(Number);
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), h ?? 0, m ?? 0);
    at = today <= now.getTime() ? today : today - 86_400_000;
  }
  const cutoffAt = new Date(at);
  return { cutoffAt, batchId: cutoffAt.toISOString().slice(0, 16).replace(/[-:]/g, '') + 'Z' };
}

/**
 * Carries collection cases through their work: the pre-hand-off check, delivery to an API agency
 * (one claim at a time, `start-delivery` committed before the request goes out so a payment in the
 * meantime turns into a recall, not a silent cancel), recalls, and the cut-off files of batch
 * agencies. Every external call sits between two transactions; a crash in between repeats the call
 * with the same idempotency key or the same file, never a second case.
 */
export class DeliveryWorker {
  private readonly batchSize: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly logger: WorkerLogger;
  private readonly batches: string;
  private readonly cases: string;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  /** A wake-up that came while a pass ran: that pass may have read before the new rows were there. */
  private wokenDuringPass = false;
  /** Per file agency, the latest cut-off known to be sent: until the next one is due, no query. */
  private readonly cutoffsSent = new Map<string, string>();
  private readonly apiAgencies: readonly string[];
  private readonly workedListeners: (() => void)[] = [];
  private running: Promise<PassSummary> | undefined;
  /** Items handled by every pass so far (checks, deliveries, recalls, batches), whoever ran it. */
  private handled = 0;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.batchSize = options.batchSize ?? 50;
    this.retryBaseMs = options.retryBaseMs ?? 5_000;
    this.retryMaxMs = options.retryMaxMs ?? 3_600_000;
    this.logger = options.logger ?? silent;
    this.batches = `${quoteIdentifier(options.schema)}.agency_batches`;
    this.cases = `${quoteIdentifier(options.schema)}.cases`;
    this.apiAgencies = [...options.gateways.values()].filter((g) => g.channel === 'api').map((g) => g.agencyId);
  }

  /** One pass over all due work; passes never overlap. */
  runOnce(): Promise<PassSummary> {
    this.running ??= this.pass()
      .then((summary) => {
        // Checks, hand-offs and recalls write collection.cases.v1 messages to the outbox: the relay
        // need not wait for its poll. (A cut-off file without claims writes none; a woken relay
        // runs a whole pass.)
        if (summary.checked + summary.delivered + summary.recalled > 0) for (const listener of this.workedListeners) listener();
        return summary;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /**
   * One instance works at a time (a session advisory lock per schema). Several would still be safe —
   * repeats carry the same idempotency keys and write the same files — but would repeat requests.
   */
  private async pass(): Promise<PassSummary> {
    // Most passes find nothing (a poll, the pass after the last busy one): one read settles that,
    // without the lock's two round trips and the per-kind queries.
    if (!this.cutoffMayBeDue() && !(await this.options.cases.anyDue(this.options.pool, this.apiAgencies))) {
      return { checked: 0, delivered: 0, recalled: 0, postponed: 0, batches: 0 };
    }
    const leader = await this.options.pool.connect();
    try {
      const { rows } = await leader.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [`collection-handoff.worker:${this.options.schema}`]);
      if (!rows[0]?.locked) return { checked: 0, delivered: 0, recalled: 0, postponed: 0, batches: 0 };
      try {
        return await this.work();
      } finally {
        await leader.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`collection-handoff.worker:${this.options.schema}`]);
      }
    } finally {
      leader.release();
    }
  }

  private async work(): Promise<PassSummary> {
    const summary: PassSummary = { checked: 0, delivered: 0, recalled: 0, postponed: 0, batches: 0 };
    const { cases, pool } = this.options;
    for (const item of await cases.due(pool, 'check', { limit: this.batchSize })) {
      const result = await inCaseTrace(item.trace, () => this.options.check.run(item.collectionCaseId, item.invoiceId));
      recordCheck(result.outcome, result.outcome === 'refused' ? result.reason : undefined);
      if (result.outcome === 'approved' || result.outcome === 'refused') this.count(summary, 'checked', 1);
    }
    for (const gateway of this.options.gateways.values()) {
      if (gateway.channel !== 'api') continue;
      for (const item of await cases.due(pool, 'recall', { agencyId: gateway.agencyId, limit: this.batchSize })) {
        const outcome = await inCaseTrace(item.trace, () => this.recallOne(gateway, item.collectionCaseId, item.invoiceId));
        if (outcome === 'recalled') this.count(summary, 'recalled', 1);
        if (outcome === 'postponed') summary.postponed++;
      }
      for (const item of await cases.due(pool, 'deliver', { agencyId: gateway.agencyId, limit: this.batchSize })) {
        const outcome = await inCaseTrace(item.trace, () => this.deliverOne(gateway, item.collectionCaseId, item.invoiceId));
        if (outcome === 'delivered') this.count(summary, 'delivered', 1);
        if (outcome === 'postponed') summary.postponed++;
      }
    }
    for (const [agencyId, schedule] of this.options.cutoffs ?? []) {
      const { cutoffAt, batchId } = latestCutoff(this.options.clock(), schedule);
      if (this.cutoffsSent.get(agencyId) === batchId) continue;
      if (await this.batchExists(agencyId, batchId)) {
        this.cutoffsSent.set(agencyId, batchId);
        continue;
      }
      const result = await this.runCutoff(agencyId, cutoffAt, batchId);
      // Not written: the batch was there already (sent by an earlier run); either way it is done.
      this.cutoffsSent.set(agencyId, batchId);
      this.count(summary, 'batches', result.written ? 1 : 0);
      this.count(summary, 'delivered', result.claims);
      this.count(summary, 'recalled', result.recalls);
    }
    return summary;
  }

  /**
   * Counted the moment the item's transaction committed, not when the pass ends: a clock move's
   * `runUntilIdle` that starts after the quiescence probe saw the item done must not count it again
   * because the pass that did it was still finishing (its unlock, say).
   */
  private count(summary: PassSummary, kind: 'checked' | 'delivered' | 'recalled' | 'batches', n: number): void {
    summary[kind] += n;
    this.handled += n;
  }

  /** Whether some file agency's latest scheduled cut-off is not known to be sent yet. */
  private cutoffMayBeDue(): boolean {
    const now = this.options.clock();
    for (const [agencyId, schedule] of this.options.cutoffs ?? []) {
      if (this.cutoffsSent.get(agencyId) !== latestCutoff(now, schedule).batchId) return true;
    }
    return false;
  }

  /**
   * Passes until one finds nothing to do at the clock's now (right after the clock moved). Returns
   * the items handled meanwhile, including by a pass of the loop already running: it may have read
   * the new time too (and before the move there was nothing due: the simulator moves a quiet service).
   */
  async runUntilIdle(maxPasses = 20): Promise<number> {
    const before = this.handled;
    await this.running?.catch(() => undefined);
    for (let pass = 0; pass < maxPasses; pass++) {
      const summary = await this.runOnce();
      if (summary.checked + summary.delivered + summary.recalled + summary.postponed + summary.batches === 0) break;
    }
    return this.handled - before;
  }

  /**
   * Work due at the clock's now (quiescence): checks, API deliveries and recalls, and cut-offs of
   * file agencies whose latest scheduled batch is not written yet (or was interrupted).
   */
  async pendingWork(): Promise<{ readonly checks: number; readonly deliveries: number; readonly cutoffs: number }> {
    const { pool, clock } = this.options;
    const schedules = [...(this.options.cutoffs ?? [])].filter(([agencyId]) => this.options.gateways.get(agencyId)?.channel === 'batch');
    const latest = schedules.map(([agencyId, schedule]) => ({ agencyId, batchId: latestCutoff(clock(), schedule).batchId }));
    // One statement (the simulator asks this every probe round): work postponed to a later instant
    // is not counted until the clock reaches it; a file agency's cases wait for its cut-off.
    const { rows } = await pool.query<{ checks: number; deliveries: number; cutoffs: number }>(
      `SELECT count(*) FILTER (WHERE pending_work = 'check')::int AS checks,
              count(*) FILTER (WHERE pending_work IN ('deliver', 'recall') AND agency_id = ANY($2::text[]))::int AS deliveries,
              (SELECT count(*)::int FROM unnest($3::text[], $4::text[]) AS c(agency_id, batch_id)
                WHERE NOT EXISTS (SELECT 1 FROM ${this.batches} b WHERE b.agency_id = c.agency_id AND b.batch_id = c.batch_id AND b.status = 'sent')
                   OR EXISTS (SELECT 1 FROM ${this.batches} b WHERE b.agency_id = c.agency_id AND b.status = 'pending')) AS cutoffs
         FROM ${this.cases} WHERE pending_work <> 'none' AND next_attempt_at <= $1`,
      [clock(), this.apiAgencies, latest.map((l) => l.agencyId), latest.map((l) => l.batchId)],
    );
    return { checks: rows[0]?.checks ?? 0, deliveries: rows[0]?.deliveries ?? 0, cutoffs: rows[0]?.cutoffs ?? 0 };
  }

  /** Sends one checked claim to an API agency. */
  async deliverOne(gateway: AgencyGateway, collectionCaseId: string, invoiceId: string): Promise<'delivered' | 'postponed' | 'skipped'> {
    const outcome = await inAgencySpan('collection deliver claim', { agencyId: gateway.agencyId }, () => this.deliver(gateway, collectionCaseId, invoiceId));
    recordDelivery(gateway.agencyId, `claim-${outcome}`);
    return outcome;
  }

  private async deliver(gateway: AgencyGateway, collectionCaseId: string, invoiceId: string): Promise<'delivered' | 'postponed' | 'skipped'> {
    const { cases, pool, clock } = this.options;
    const started = await inTransaction(pool, (tx) => cases.execute(tx, invoiceId, collectionCaseId, { type: 'start-delivery', channel: 'api', at: clock().toISOString() }));
    const state = started.after;
    // Withdrawn in the meantime, or a recall is now due instead: the claim must not go out.
    if (!state || pendingWork(state) !== 'deliver' || !state.delivery || !state.approval) return 'skipped';
    const receipt = (await gateway.send({ batchId: state.handoffId, cutoffAt: clock(), claims: [state.approval.claim], recalls: [] })).claims[0];
    if (receipt?.outcome === 'accepted') {
      await inTransaction(pool, (tx) => cases.execute(tx, invoiceId, collectionCaseId, { type: 'confirm-handoff', agencyReference: receipt.agencyReference, at: clock().toISOString() }));
      return 'delivered';
    }
    await this.postpone(collectionCaseId, receipt?.outcome === 'retry-later' ? receipt.reason : 'no receipt');
    return 'postponed';
  }

  /** Sends one due recall to an API agency. */
  async recallOne(gateway: AgencyGateway, collectionCaseId: string, invoiceId: string): Promise<'recalled' | 'postponed' | 'skipped'> {
    const outcome = await inAgencySpan('collection send recall', { agencyId: gateway.agencyId }, () => this.sendRecall(gateway, collectionCaseId, invoiceId));
    recordDelivery(gateway.agencyId, `recall-${outcome}`);
    return outcome;
  }

  private async sendRecall(gateway: AgencyGateway, collectionCaseId: string, invoiceId: string): Promise<'recalled' | 'postponed' | 'skipped'> {
    const { cases, pool, clock } = this.options;
    const state = (await cases.ofInvoice(pool, invoiceId)).find((c) => c.collectionCaseId === collectionCaseId);
    const instruction = state && recallInstructionOf(state);
    if (!instruction) return 'skipped';
    const receipt = (await gateway.send({ batchId: `recall-${state.handoffId}`, cutoffAt: clock(), claims: [], recalls: [instruction] })).recalls[0];
    if (receipt?.outcome === 'recalled') {
      await inTransaction(pool, (tx) => cases.execute(tx, invoiceId, collectionCaseId, { type: 'confirm-recall', agencyKnewCase: receipt.agencyKnewCase, at: clock().toISOString() }));
      return 'recalled';
    }
    await this.postpone(collectionCaseId, receipt?.outcome === 'retry-later' ? receipt.reason : 'no receipt');
    return 'postponed';
  }

  /**
   * One cut-off of a file agency. What goes into the file is fixed in `agency_batches` first; then
   * each case's delivery starts (a case withdrawn before that stays out); then the file is written
   * and the cases confirmed. Running it again for the same batch id writes the same file.
   */
  async runCutoff(agencyId: string, cutoffAt: Date, batchId: string): Promise<{ written: boolean; claims: number; recalls: number }> {
    const gateway = this.options.gateways.get(agencyId);
    if (!gateway || gateway.channel !== 'batch') throw new Error(`${agencyId} is not a file agency`);
    const { cases, pool, clock } = this.options;
    // An earlier cut-off interrupted by a crash goes out first, unchanged.
    for (const pending of await this.pendingBatches(agencyId)) await this.finishBatch(gateway, pending);
    const deliver = await cases.due(pool, 'deliver', { agencyId, limit: 10_000 });
    const recall = await cases.due(pool, 'recall', { agencyId, limit: 10_000 });
    await pool.query(
      `INSERT INTO ${this.batches} (agency_id, batch_id, cutoff_at, case_ids, recall_case_ids, status, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6)
       ON CONFLICT (agency_id, batch_id) DO NOTHING`,
      [agencyId, batchId, cutoffAt, deliver.map((d) => d.collectionCaseId), recall.map((r) => r.collectionCaseId), clock()],
    );
    const [row] = await this.pendingBatches(agencyId, batchId);
    if (!row) return { written: false, claims: 0, recalls: 0 };
    return this.finishBatch(gateway, row);
  }

  private async finishBatch(gateway: AgencyGateway, row: BatchRow): Promise<{ written: boolean; claims: number; recalls: number }> {
    const { cases, pool, clock } = this.options;
    const claimStates: CollectionCase[] = [];
    for (const caseId of row.case_ids) {
      const located = await cases.locate(pool, { collectionCaseId: caseId });
      if (!located) continue;
      const { after } = await inTransaction(pool, (tx) => cases.execute(tx, located.invoiceId, caseId, { type: 'start-delivery', channel: 'batch', batchId: row.batch_id, at: clock().toISOString() }));
      if (after?.delivery?.batchId === row.batch_id && after.approval) claimStates.push(after);
    }
    const recallStates: { state: CollectionCase; instruction: RecallInstruction }[] = [];
    for (const caseId of row.recall_case_ids) {
      const located = await cases.locate(pool, { collectionCaseId: caseId });
      const state = located && (await cases.ofInvoice(pool, located.invoiceId)).find((c) => c.collectionCaseId === caseId);
      // A recall already confirmed by this very batch (a re-run) keeps its line, so the file is the same.
      if (state?.recall) recallStates.push({ state, instruction: { handoffId: state.handoffId, collectionCaseId: caseId, reason: state.recall.reason, requestedAt: state.recall.requestedAt } });
    }
    const batch: AgencyBatch = {
      batchId: row.batch_id,
      cutoffAt: row.cutoff_at,
      claims: claimStates.flatMap((s) => (s.approval ? [s.approval.claim] : [])),
      recalls: recallStates.map((r) => r.instruction),
    };
    const receipt = await inAgencySpan('collection write cut-off', { agencyId: row.agency_id }, async () => {
      const written = await gateway.send(batch);
      recordDelivery(row.agency_id, 'batch-written');
      return written;
    }, () => 'batch-written').catch((error: unknown) => {
      recordDelivery(row.agency_id, 'batch-failed');
      throw error;
    });
    await inTransaction(pool, async (tx) => {
      for (const claim of receipt.claims) {
        const state = claimStates.find((s) => s.handoffId === claim.handoffId);
        if (state && claim.outcome === 'accepted') await cases.execute(tx, state.invoiceId, state.collectionCaseId, { type: 'confirm-handoff', at: clock().toISOString() });
      }
      for (const recalled of receipt.recalls) {
        const entry = recallStates.find((r) => r.state.handoffId === recalled.handoffId);
        if (entry && recalled.outcome === 'recalled') {
          await cases.execute(tx, entry.state.invoiceId, entry.state.collectionCaseId, { type: 'confirm-recall', agencyKnewCase: recalled.agencyKnewCase, at: clock().toISOString() });
        }
      }
      await tx.query(`UPDATE ${this.batches} SET status = 'sent', sent_at = $3, claim_count = $4, recall_count = $5 WHERE agency_id = $1 AND batch_id = $2`, [
        row.agency_id,
        row.batch_id,
        clock(),
        batch.claims.length,
        batch.recalls.length,
      ]);
    });
    this.logger.info('agency batch written', { agencyId: row.agency_id, batchId: row.batch_id, claims: batch.claims.length, recalls: batch.recalls.length });
    return { written: true, claims: batch.claims.length, recalls: batch.recalls.length };
  }

  private async pendingBatches(agencyId: string, batchId?: string): Promise<BatchRow[]> {
    const { rows } = await this.options.pool.query<BatchRow>(
      `SELECT agency_id, batch_id, cutoff_at, case_ids, recall_case_ids FROM ${this.batches}
        WHERE agency_id = $1 AND status = 'pending' AND ($2::text IS NULL OR batch_id = $2) ORDER BY cutoff_at`,
      [agencyId, batchId ?? null],
    );
    return rows;
  }

  private async batchExists(agencyId: string, batchId: string): Promise<boolean> {
    const { rows } = await this.options.pool.query(`SELECT 1 FROM ${this.batches} WHERE agency_id = $1 AND batch_id = $2 AND status = 'sent'`, [agencyId, batchId]);
    return rows.length > 0;
  }

  private async postpone(collectionCaseId: string, reason: string): Promise<void> {
    const { cases, pool } = this.options;
    await inTransaction(pool, async (tx) => {
      const stored = await cases.lock(tx, collectionCaseId);
      const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(stored?.attempts ?? 0, 20));
      await cases.postpone(tx, collectionCaseId, delay, reason);
    });
    this.logger.warn('agency delivery postponed', { collectionCaseId, reason });
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Called after every pass that checked, delivered or recalled something (its transactions committed). */
  afterWork(listener: () => void): void {
    this.workedListeners.push(listener);
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wokenDuringPass = true;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let worked = false;
      try {
        const summary = await this.runOnce();
        worked = summary.checked + summary.delivered + summary.recalled + summary.postponed + summary.batches > 0;
      } catch (error) {
        this.logger.warn('delivery pass failed; retrying', { error: error instanceof Error ? error.name : 'unknown', message: error instanceof Error ? error.message : String(error) });
      }
      if (this.stopping) break;
      // A busy pass may have left work (a full batch, a delivery its checks made due): look again
      // at once rather than a poll interval later; the pass that finds nothing costs one read.
      if (this.wokenDuringPass || worked) {
        this.wokenDuringPass = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs ?? 1_000);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }
}

interface BatchRow {
  agency_id: string;
  batch_id: string;
  cutoff_at: Date;
  case_ids: string[];
  recall_case_ids: string[];
}

function recallInstructionOf(state: CollectionCase): RecallInstruction | undefined {
  if (pendingWork(state) !== 'recall' || !state.recall) return undefined;
  return { handoffId: state.handoffId, collectionCaseId: state.collectionCaseId, reason: state.recall.reason, requestedAt: state.recall.requestedAt };
}

/**
 * Runs a case's work under the trace context stored with the case (its hand-off request's), so the
 * spans and the outbox rows (`collection.cases.v1`) continue the invoice's trace; the worker's loop
 * has no context of its own worth keeping.
 */
function inCaseTrace<T>(trace: KafkaHeaders, work: () => Promise<T>): Promise<T> {
  return context.with(extractTraceContext(trace, ROOT_CONTEXT), work);
}
