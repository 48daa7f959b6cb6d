import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeRecord, dunningEventRegistry, encodeBinary, type DunningEvent, type InvoicingEvent, type ScoringEvent } from '@dunning/contracts';
import { uniqueName, waitFor } from '@dunning/testing';
import type { Producer } from 'kafkajs';
// The orchestrator's own code (pure decisions, its input mapping and its gateway), to show what a
// published score changes for a case in the ml-policy arm. A test may cross the service boundary
// that production code may not: it checks that the two services agree on the contract.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { assignArm, parsePolicy, type CaseDecision, type Policy } from '../../dunning-orchestrator/src/domain';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CaseWorld } from '../../dunning-orchestrator/src/domain/testing/case-harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { mapInputEvent } from '../../dunning-orchestrator/src/cases/input-mapping';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { DunningGateway } from '../../dunning-orchestrator/src/cases/dunning-gateway';
import { addDays, localDateOf, startOfLocalDay, toMillis } from '../src/domain';
import type { RetrainReport } from '../src/model-registry/model-training.service';
import type { ModelVersionDetail } from '../src/persistence/model-registry';
import { armAssigned, CustomerScript } from '../test-support/invoice-events';
import { startScoring, TestClock, type RunningScoring } from '../test-support/scoring-app';
import { connectScoreTraffic, type ScoreTraffic } from '../test-support/score-traffic';
import { syntheticWorld } from '../test-support/synthetic-world';

// The main job's ML-driven policy phase end to end, on a real broker and a real PostgreSQL:
//   outcomes of the seeds' experiment (arms collection-as-before / friendly-sms / no-action, named
//   by what they do) and invoice events → an on-demand retrain at the switch instant, on outcomes
//   whose 60-day window has closed → the new version is champion with an uplift per treatment →
//   the overdue score of a new invoice names it and carries uplift.collection-handoff → the
//   orchestrator (main-job.yaml) puts the case in the segment the score implies, and its ml-policy
//   arm (flow by-segment) follows that segment's flow; scoring learns nothing from that arm.

const SWITCH = '2026-05-01T00:00:00.000Z';
const TZ = 'Europe/Stockholm';
const at = (date: string, hour = 10) => `${date}T${String(hour).padStart(2, '0')}:00:00.000Z`;
const mainJob: Policy = parsePolicy(readFileSync(path.resolve(__dirname, '../../dunning-orchestrator/policies/main-job.yaml'), 'utf8'), 'main-job.yaml');
const mlVsCollection = mainJob.experiments.find((experiment) => experiment.id === 'ml-vs-collection')!;

/** A customer id that the ml-vs-collection experiment puts in `armId` (assignment is a hash of the id). */
function customerInArm(prefix: string, armId: string): string {
  for (let i = 0; ; i++) {
    const id = `${prefix}-${i}`;
    if (assignArm(mlVsCollection, id, { segmentId: 'any', flowId: 'any' }).armId === armId) return id;
  }
}

/** Late every month for a year: handed off to collection 45 days after the due date, then paid. */
function lateAfterCollection(customerId: string): CustomerScript {
  const script = new CustomerScript({ customerId, customerSince: '2023-01-01' });
  for (let m = 0; m < 13; m++) {
    const month = `${2025 + Math.floor((m + 2) / 12)}-${String(((m + 2) % 12) + 1).padStart(2, '0')}`; // 2025-03 … 2026-03
    const due = `${month}-05`;
    script.open(`${customerId}-${m}`, at(`${month}-01`, 6), due, 50_000).handOff(`${customerId}-${m}`, at(addDays(due, 45))).pay(`${customerId}-${m}`, at(addDays(due, 55)));
  }
  return script.open(`${customerId}-now`, at('2026-04-20', 6), '2026-05-04', 50_000);
}

describe('the ML-driven policy phase: experiment outcomes → retrain at the switch → uplift scores → the ml-policy arm follows the segment', () => {
  // Before every invoice of the world: nothing is overdue while the history is consumed.
  const clock = new TestClock(new Date('2024-06-01T00:00:00.000Z'));
  const world = syntheticWorld({
    customers: 500,
    months: 15, // invoices due 28 Jan 2025 … 28 Mar 2026
    startMonth: '2025-01',
    seed: 11,
    customerPrefix: uniqueName('w'),
    experiment: { id: 'collection-vs-friendly', share: 0.8, armNames: { 'collection-handoff': 'collection-as-before', 'sms-reminder': 'friendly-sms', 'no-action': 'no-action' } },
  });
  let scoring: RunningScoring;
  let producer: Producer;
  let traffic: ScoreTraffic;
  const published: ScoringEvent[] = [];

  const http = async <T>(method: string, route: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${scoring.baseUrl}${route}`, { method });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    scoring = await startScoring(clock, { overdueScanIntervalMs: 300 });
    traffic = await connectScoreTraffic(scoring, 'ml-policy-it', (event) => published.push(event));
    producer = traffic.producer;
  }, 60_000);

  afterAll(async () => {
    await traffic?.close();
    await scoring?.close();
  });

  const send = async (topic: string, events: readonly (InvoicingEvent | DunningEvent)[]) => {
    for (let start = 0; start < events.length; start += 2_000) {
      await producer.send({ topic, acks: -1, messages: events.slice(start, start + 2_000).map((event) => encodeBinary(event)) });
    }
  };

  it('retrains at the switch on closed outcome windows, the champion carries uplift, and the ml-policy arm follows the segment its score implies', async () => {
    const mlCustomer = customerInArm(uniqueName('cust-ml'), 'ml-policy');
    const controlCustomer = customerInArm(uniqueName('cust-control'), 'collection-as-before');
    const ml = lateAfterCollection(mlCustomer);
    const control = lateAfterCollection(controlCustomer);

    // 1. The seeds' experiment and the invoices' outcomes arrive on Kafka, as from the orchestrator and invoicing.
    await send(scoring.settings.topics.invoices, [...world.invoicingEvents, ...ml.events, ...control.events]);
    await send(scoring.settings.topics.actions, world.dunningEvents);
    const opened = [...world.invoicingEvents, ...ml.events, ...control.events].filter((e) => e.type === 'invoicing.invoice.opened.v1').length;
    const assigned = world.dunningEvents.filter((e) => e.type === 'dunning.experiment.arm-assigned.v1').length;
    await waitFor(async () => (await scoring.runtime.pool.query(`SELECT count(*)::int AS n FROM scoring.invoice_watch`)).rows[0].n === opened, { description: 'every invoice consumed', timeoutMs: 120_000 });
    await waitFor(async () => (await scoring.runtime.pool.query(`SELECT count(*)::int AS n FROM scoring.experiment_arms`)).rows[0].n === assigned, { description: 'every arm assignment consumed', timeoutMs: 60_000 });

    // 2. The switch: retrain on demand. Only invoices whose 60-day window closed before it are labelled.
    clock.set(SWITCH);
    const retrain = await http<RetrainReport & { version: string; role: string }>('POST', '/models/retrain');
    expect(retrain.status).toBe(200);
    expect(retrain.body).toMatchObject({ result: 'trained', role: 'champion', unnamedArms: [] });
    expect(retrain.body.version).toMatch(/^pay-without-collection@2026-05-01\.[0-9a-f]{12}$/);
    const models = await http<{ champion: string }>('GET', '/models');
    expect(models.body.champion).toBe(retrain.body.version);

    // What the test expects to be labelled, counted from the events themselves: late invoices (not
    // settled before the start of the day after the due date) whose window (60 days) closed before the switch.
    const opens = new Map<string, { dueDate: string }>();
    const settledAt = new Map<string, string>();
    for (const event of [...world.invoicingEvents, ...ml.events, ...control.events]) {
      if (event.type === 'invoicing.invoice.opened.v1') opens.set(event.data.invoiceId, { dueDate: event.data.dueDate });
      if (event.type === 'invoicing.invoice.settled.v1') settledAt.set(event.data.invoiceId, event.data.settledAt);
    }
    const labelled = [...opens].filter(([invoiceId, { dueDate }]) => {
      const overdue = startOfLocalDay(addDays(dueDate, 1), TZ);
      const settled = settledAt.get(invoiceId);
      return (!settled || toMillis(settled) >= toMillis(overdue)) && toMillis(startOfLocalDay(addDays(dueDate, 61), TZ)) <= toMillis(SWITCH);
    });
    const windowOpen = [...opens].filter(([invoiceId, { dueDate }]) => {
      const settled = settledAt.get(invoiceId);
      return (!settled || toMillis(settled) >= toMillis(startOfLocalDay(addDays(dueDate, 1), TZ))) && toMillis(startOfLocalDay(addDays(dueDate, 61), TZ)) > toMillis(SWITCH);
    });
    expect(windowOpen.length).toBeGreaterThan(0); // March's late invoices exist but must not be learned from yet
    const labelledIds = new Set(labelled.map(([invoiceId]) => invoiceId));
    const armsOfLabelled = world.dunningEvents.filter((e) => e.type === 'dunning.experiment.arm-assigned.v1' && labelledIds.has(e.data.invoiceId)).length;

    const detail = await http<ModelVersionDetail>('GET', `/models/${encodeURIComponent(retrain.body.version)}`);
    expect(detail.body.trainingWindow.to).toBe(SWITCH);
    expect(detail.body.metrics.training.rows).toBe(labelled.length);
    const uplift = detail.body.metrics.uplift!;
    expect(uplift.controlTreatment).toBe('no-action');
    expect(uplift.treatments.map((t) => t.treatment)).toEqual(['collection-handoff', 'sms-reminder']);
    expect(uplift.controlRows + uplift.treatments.reduce((sum, t) => sum + t.rows, 0)).toBe(armsOfLabelled);
    // The world's arms: a hand-off makes 30 % of non-payers pay, a friendly SMS 15 %; no action none.
    const effect = Object.fromEntries(uplift.treatments.map((t) => [t.treatment, t.observedEffect]));
    expect(effect['collection-handoff']).toBeGreaterThan(effect['sms-reminder']!);
    expect(effect['sms-reminder']).toBeGreaterThan(0);

    // 3. After the switch: the new invoice becomes overdue, and its score names the new version and carries the uplift.
    clock.set('2026-05-05T06:00:00.000Z'); // 08:00 in Stockholm on the day after the due date
    const score = await waitFor(() => published.find((e) => e.data.invoiceId === `${mlCustomer}-now`), { description: 'the overdue score of the new invoice', timeoutMs: 60_000 });
    const controlScore = await waitFor(() => published.find((e) => e.data.invoiceId === `${controlCustomer}-now`), { description: 'the control customer\'s score', timeoutMs: 60_000 });
    expect(score.data.modelVersion).toBe(retrain.body.version);
    expect(score.data.uplift.map((u) => u.treatment)).toEqual(['collection-handoff', 'sms-reminder']);
    const handoffUplift = score.data.uplift.find((u) => u.treatment === 'collection-handoff')!.effect;
    // A customer who paid every month only after a hand-off: unlikely to pay on their own, and collection helps.
    expect(score.data.probabilityPaysWithoutCollection).toBeLessThan(0.3);
    expect(handoffUplift).toBeGreaterThanOrEqual(0.05);

    // 4. The orchestrator, with main-job.yaml, takes the invoice and the score as it would from Kafka.
    const orchestrate = (script: CustomerScript, scored: ScoringEvent) => {
      const orchestrator = new CaseWorld(mainJob, '2026-04-20T06:00:00.000Z');
      const invoiceId = `${script.customerId}-now`;
      const issued = script.events.find((e) => e.type === 'invoicing.invoice.opened.v1' && e.data.invoiceId === invoiceId)!;
      for (const { caseId, input } of mapInputEvent(issued).caseInputs) orchestrator.receive(caseId, input);
      orchestrator.advanceTo(scored.data.computedAt);
      for (const { caseId, input } of mapInputEvent(scored).caseInputs) orchestrator.receive(caseId, input);
      orchestrator.advanceTo('2026-08-01T00:00:00.000Z');
      return { orchestrator, invoiceId };
    };
    const mlRun = orchestrate(ml, score);
    expect(mlRun.orchestrator.ofType('SegmentAssigned')).toEqual([expect.objectContaining({ segmentId: 'collection-helps', flowId: 'firm', modelVersion: retrain.body.version })]);
    const [mlArm] = mlRun.orchestrator.ofType('ExperimentArmAssigned');
    expect(mlArm).toMatchObject({ experimentId: 'ml-vs-collection', armId: 'ml-policy', flowId: 'firm', flowChosenBy: 'segment' });
    // The firm flow, hand-off included (the letter is skipped: the customer is reachable by SMS and e-mail only).
    expect(mlRun.orchestrator.actions().filter((a) => !a.stepKey.startsWith('before-due/')).map((a) => a.stepKey)).toEqual(['firm/sms-reminder', 'firm/final-sms', 'firm/collection']);
    expect(mlRun.orchestrator.ofType('StepSkipped').map((s) => [s.stepKey, s.reason])).toContainEqual(['firm/letter', 'no-consented-channel']);
    const controlRun = orchestrate(control, controlScore);
    expect(controlRun.orchestrator.ofType('ExperimentArmAssigned')).toEqual([expect.objectContaining({ experimentId: 'ml-vs-collection', armId: 'collection-as-before', flowId: 'classic-collection', flowChosenBy: 'arm' })]);

    // 5. Through the orchestrator's gateway onto dunning.actions.v1: the arm-assigned event says the
    // segment chose the flow, and why; scoring records the control arm and not the ml-policy arm.
    const gateway = new DunningGateway(scoring.settings.topics.actions);
    const outgoing = (run: typeof mlRun) => {
      const decisions: CaseDecision[] = run.orchestrator.decisions.filter((d) => d.caseId === run.invoiceId && d.decision.type === 'ExperimentArmAssigned').map((d) => d.decision);
      return gateway.toOutbox(run.orchestrator.caseOf(run.invoiceId), decisions);
    };
    const asRecord = (message: ReturnType<typeof outgoing>[number] | undefined) => {
      if (!message) throw new Error('expected one outgoing arm-assigned message');
      return { key: message.key, value: Buffer.from(message.value), headers: { ...message.headers } };
    };
    const mlRecord = asRecord(outgoing(mlRun)[0]);
    const controlRecord = asRecord(outgoing(controlRun)[0]);
    const mlEvent = decodeRecord(mlRecord, dunningEventRegistry);
    if (!mlEvent.ok || mlEvent.event.type !== 'dunning.experiment.arm-assigned.v1') throw new Error('expected an arm-assigned event');
    expect(mlEvent.event.data).toMatchObject({ experimentId: 'ml-vs-collection', arm: 'ml-policy', flowId: 'firm', flowChosenBy: 'segment' });
    expect(mlEvent.event.data.assignmentReasons).toContain('arm ml-policy keeps the flow of segment collection-helps: firm');
    // A sentinel after it on the same key (same partition, in order): once it is stored, the ml-policy record was consumed.
    const sentinel = uniqueName('sentinel-inv');
    await producer.send({
      topic: scoring.settings.topics.actions,
      acks: -1,
      messages: [
        mlRecord,
        controlRecord,
        encodeBinary(armAssigned(mlCustomer, sentinel, 'ml-vs-collection', 'collection-as-before', SWITCH)),
      ],
    });
    const arms = async (invoiceId: string) => (await scoring.runtime.pool.query(`SELECT experiment_id, arm FROM scoring.experiment_arms WHERE invoice_id = $1`, [invoiceId])).rows;
    await waitFor(async () => (await arms(sentinel)).length === 1, { description: 'the sentinel assignment stored' });
    await waitFor(async () => (await arms(controlRun.invoiceId)).length === 1, { description: 'the control assignment stored' });
    expect(await arms(controlRun.invoiceId)).toEqual([{ experiment_id: 'ml-vs-collection', arm: 'collection-as-before' }]);
    expect(await arms(mlRun.invoiceId)).toEqual([]);
    expect(localDateOf(score.data.computedAt, TZ)).toBe('2026-05-05');
  }, 240_000);
});
