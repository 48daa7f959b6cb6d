import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '../../..');

export const WIREMOCK_URL = `http://127.0.0.1:${process.env['WIREMOCK_PORT'] ?? '8089'}`;

let started: Promise<void> | undefined;

/** Starts the shared WireMock peer if it is not running (deploy/local/peers/wiremock.sh is idempotent and locked). */
export function ensureWireMock(): Promise<void> {
  started ??= run('bash', [path.join(repo, 'deploy/local/peers/wiremock.sh'), 'start'], { timeout: 120_000 }).then(() => undefined);
  return started;
}

export interface LoggedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * One test's corner of the shared WireMock: every stub lives under `/<prefix>/…` and is tagged
 * with the prefix, so tests running in parallel never see or remove each other's stubs.
 */
export class AgencyMock {
  readonly prefix = `agency-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  readonly baseUrl = `${WIREMOCK_URL}/${this.prefix}`;

  /** Registers a stub; `url` is relative to the prefix, e.g. `/claims`. */
  async stub(mapping: {
    method: string;
    url?: string;
    urlPattern?: string;
    headers?: Record<string, unknown>;
    scenario?: { name: string; requiredState: string; newState?: string };
    status: number;
    jsonBody?: unknown;
    fixedDelayMilliseconds?: number;
    priority?: number;
  }): Promise<void> {
    const request: Record<string, unknown> = { method: mapping.method };
    if (mapping.url) request['url'] = `/${this.prefix}${mapping.url}`;
    if (mapping.urlPattern) request['urlPattern'] = `/${this.prefix}${mapping.urlPattern}`;
    if (mapping.headers) request['headers'] = mapping.headers;
    const body: Record<string, unknown> = {
      request,
      response: {
        status: mapping.status,
        headers: { 'Content-Type': 'application/json' },
        ...(mapping.jsonBody === undefined ? {} : { jsonBody: mapping.jsonBody }),
        ...(mapping.fixedDelayMilliseconds ? { fixedDelayMilliseconds: mapping.fixedDelayMilliseconds } : {}),
      },
      metadata: { testPrefix: this.prefix },
      ...(mapping.priority === undefined ? {} : { priority: mapping.priority }),
    };
    if (mapping.scenario) {
      body['scenarioName'] = `${this.prefix}-${mapping.scenario.name}`;
      body['requiredScenarioState'] = mapping.scenario.requiredState;
      if (mapping.scenario.newState) body['newScenarioState'] = mapping.scenario.newState;
    }
    await admin('POST', '/__admin/mappings', body);
  }

  /** Requests WireMock received under this prefix (matched or not), oldest first. */
  async requests(method?: string, urlSuffix?: string): Promise<LoggedRequest[]> {
    const pattern = `/${this.prefix}${urlSuffix ? escapeRegExp(urlSuffix) : ''}.*`;
    const found = (await admin('POST', '/__admin/requests/find', { ...(method ? { method } : {}), urlPattern: pattern })) as { requests: LoggedRequest[] };
    return found.requests.map((r) => ({ url: r.url, method: r.method, headers: lowerCaseKeys(r.headers), body: r.body })).reverse();
  }

  async cleanUp(): Promise<void> {
    await admin('POST', '/__admin/mappings/remove-by-metadata', { matchesJsonPath: { expression: '$.testPrefix', equalTo: this.prefix } });
  }
}

async function admin(method: string, route: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${WIREMOCK_URL}${route}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`WireMock admin ${method} ${route} answered ${response.status}: ${text.slice(0, 300)}`);
  return text === '' ? null : (JSON.parse(text) as unknown);
}

function lowerCaseKeys(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? String(v[0]) : String(v)]));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
