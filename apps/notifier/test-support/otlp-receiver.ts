import { createServer, type Server } from 'node:http';

// An OTLP/HTTP trace receiver on 127.0.0.1 for tests that run the notifier as its own process: the
// process exports exactly as a deployment configures it (OTEL_* variables, JSON encoding), and the
// test reads what left it — after the attribute guard, as a collector would see it.

export interface OtlpKeyValue {
  readonly key: string;
  readonly value: { readonly stringValue?: string; readonly intValue?: number | string; readonly boolValue?: boolean; readonly doubleValue?: number };
}

export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes?: readonly OtlpKeyValue[];
  readonly droppedAttributesCount?: number;
  readonly events?: readonly { readonly name: string; readonly attributes?: readonly OtlpKeyValue[] }[];
  readonly status?: { readonly code?: number; readonly message?: string };
}

interface OtlpExport {
  readonly resourceSpans?: readonly { readonly scopeSpans?: readonly { readonly spans?: readonly OtlpSpan[] }[] }[];
}

export class OtlpTraceReceiver {
  /** The raw JSON bodies posted to /v1/traces, in arrival order. */
  readonly bodies: string[] = [];
  private server: Server | undefined;
  private port = 0;

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/v1/traces') this.bodies.push(Buffer.concat(chunks).toString('utf8'));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.port = (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /** The variables that make a service export its spans here (OTLP/HTTP, JSON, short batch delay). */
  env(): NodeJS.ProcessEnv {
    return {
      OTEL_SDK_DISABLED: 'false',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${this.port}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
  }

  spans(): OtlpSpan[] {
    return this.bodies.flatMap((body) => {
      const parsed = JSON.parse(body) as OtlpExport;
      return (parsed.resourceSpans ?? []).flatMap((resource) => (resource.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []));
    });
  }

  /** Every string anywhere in the exports (keys and values, resources included), parsed, so escaping cannot hide one. */
  strings(): string[] {
    const strings: string[] = [];
    const walk = (node: unknown): void => {
      if (typeof node === 'string') strings.push(node);
      else if (Array.isArray(node)) node.forEach(walk);
      else if (node !== null && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          strings.push(key);
          walk(value);
        }
      }
    };
    for (const body of this.bodies) walk(JSON.parse(body));
    return strings;
  }
}

export function spanAttribute(span: OtlpSpan, key: string): string | number | boolean | undefined {
  const value = span.attributes?.find((kv) => kv.key === key)?.value;
  if (value === undefined) return undefined;
  return value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue));
}
