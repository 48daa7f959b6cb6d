import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor, freePort } from '@dunning/testing';
import { DunningAttributes, DunningMetrics } from './attributes';
import { getMeter, startTelemetry, type TelemetryHandle } from './bootstrap';

// Real exporters configured only through OTEL_* variables, sending to receivers on 127.0.0.1: a
// Zipkin v2 endpoint and an OTLP/HTTP endpoint played by one small HTTP server, and the Prometheus
// exporter's own scrape endpoint. Spans are emitted by a child process run the way a service runs
// (the OTLP exporter loads its HTTP client with a dynamic import(), which jest's VM cannot do).

const execFileAsync = promisify(execFile);
const repoRoot = join(__dirname, '..', '..', '..');
const CANARY_EMAIL = 'astrid.canary@example.se';
const CANARY_NAME = 'Astrid Canarysson';

interface Received {
  path: string;
  body: string;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}


describe('span exporters chosen by OTEL_* variables, in a service-like process', () => {
  const received: Received[] = [];
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(request.url === '/api/v2/spans' ? 202 : 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  let port: number;

  beforeAll(async () => {
    port = await listen(receiver);
  });
  afterAll(() => new Promise((resolve) => receiver.close(resolve)));

  it('delivers guarded spans to Zipkin and to OTLP/HTTP, flushed by the exit hook', async () => {
    const { stdout: traceId } = await execFileAsync(process.execPath, ['-r', '@swc-node/register', 'libs/telemetry/src/fixtures/emit-span.ts'], {
      cwd: repoRoot,
      timeout: 60_000,
      env: {
        PATH: process.env['PATH'],
        OTEL_SERVICE_NAME: 'exporter-test',
        OTEL_TRACES_EXPORTER: 'zipkin,otlp',
        OTEL_EXPORTER_ZIPKIN_ENDPOINT: `http://127.0.0.1:${port}/api/v2/spans`,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        FIXTURE_REASON: `contact ${CANARY_EMAIL}`,
        FIXTURE_NAME: CANARY_NAME,
      },
    });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const zipkin = await waitFor(() => received.find((r) => r.path === '/api/v2/spans' && r.body.includes(traceId)), { timeoutMs: 10_000, description: 'a Zipkin export' });
    const otlp = await waitFor(() => received.find((r) => r.path === '/v1/traces' && r.body.includes(traceId)), { timeoutMs: 10_000, description: 'an OTLP export' });

    const zipkinSpan = (JSON.parse(zipkin.body) as Array<{ name: string; kind: string; localEndpoint: { serviceName: string }; tags: Record<string, string> }>)[0];
    expect(zipkinSpan).toMatchObject({
      name: 'send dunning.actions.v1',
      kind: 'PRODUCER',
      localEndpoint: { serviceName: 'exporter-test' },
      tags: { 'dunning.action_id': 'act-1', 'dunning.decision.reason': 'contact [email]', 'messaging.system': 'kafka' },
    });
    expect(otlp.body).toContain('"dunning.action_id"');
    for (const body of [zipkin.body, otlp.body]) {
      expect(body).not.toContain(CANARY_EMAIL);
      expect(body).not.toContain(CANARY_NAME);
    }
  });
});

describe('the Prometheus exporter chosen by OTEL_METRICS_EXPORTER', () => {
  let telemetry: TelemetryHandle;
  let prometheusPort: number;

  beforeAll(async () => {
    prometheusPort = await freePort();
    telemetry = startTelemetry({
      serviceName: 'exporter-test',
      env: { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(prometheusPort) },
    });
  });
  afterAll(() => telemetry.shutdown());

  it('serves guarded metrics to scrape', async () => {
    expect(telemetry.exporters).toEqual({ traces: [], metrics: ['prometheus'], unknown: [] });
    getMeter()
      .createCounter(DunningMetrics.deliveries)
      .add(2, { [DunningAttributes.action.channel]: 'sms', [DunningAttributes.invoice.id]: 'inv-1', 'customer.email': CANARY_EMAIL });

    const scrape = await waitFor(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${prometheusPort}/metrics`)).text();
        return text.includes('dunning_deliveries') ? text : undefined;
      },
      { timeoutMs: 10_000, description: 'the counter on the scrape endpoint' },
    );

    expect(scrape).toMatch(/dunning_deliveries_total\{dunning_action_channel="sms"(,otel_scope_name="[^"]*")?\} 2/);
    expect(scrape).not.toContain('inv-1');
    expect(scrape).not.toContain(CANARY_EMAIL);
  });
});
