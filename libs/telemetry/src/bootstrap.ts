import { context, diag, metrics, propagation, trace, type Meter } from '@opentelemetry/api';
import { OTLPMetricExporter as OtlpGrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as OtlpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter as OtlpGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { ConsoleMetricExporter, PeriodicExportingMetricReader, type IMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { AttributeGuardSpanProcessor, createMetricLabelGuard } from './attribute-guard';
import { TRACER_NAME } from './trace-context';

export type TraceExporterName = 'otlp' | 'zipkin' | 'console';
export type MetricExporterName = 'otlp' | 'prometheus' | 'console';

export interface ExporterSelection {
  traces: TraceExporterName[];
  metrics: MetricExporterName[];
  /** Names in OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER that this bootstrap does not know. */
  unknown: string[];
}

export interface TelemetryOptions {
  /** Used when OTEL_SERVICE_NAME is not set. */
  serviceName: string;
  serviceVersion?: string;
  /** The environment to read OTEL_* variables from; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** Extra exporters behind the attribute guard, exported synchronously (tests: in-memory). */
  spanExporters?: SpanExporter[];
  /** Extra metric readers (tests: a reader over an in-memory exporter). */
  metricReaders?: IMetricReader[];
}

export interface TelemetryHandle {
  readonly serviceName: string;
  readonly exporters: ExporterSelection;
  forceFlush(): Promise<void>;
  /** Flushes and stops exporters. Safe to call any number of times; later calls share the first. */
  shutdown(): Promise<void>;
}

const TRACE_EXPORTERS: ReadonlySet<string> = new Set<TraceExporterName>(['otlp', 'zipkin', 'console']);
const METRIC_EXPORTERS: ReadonlySet<string> = new Set<MetricExporterName>(['otlp', 'prometheus', 'console']);
const LOCAL_OTLP_HTTP = 'http://127.0.0.1:4318';
const LOCAL_OTLP_GRPC = 'http://127.0.0.1:4317';
const LOCAL_ZIPKIN = 'http://127.0.0.1:9411/api/v2/spans';

/**
 * Which exporters the environment asks for. Unlike the SDK's own default (OTLP to localhost
 * whenever nothing is set), an unset exporter variable means no exporter unless an OTLP endpoint
 * is configured: a service started without any OTEL_* variable stays silent and never tries to
 * reach a collector that is not there.
 */
export function selectExporters(env: NodeJS.ProcessEnv): ExporterSelection {
  if (isTrue(env['OTEL_SDK_DISABLED'])) return { traces: [], metrics: [], unknown: [] };
  const unknown: string[] = [];
  const pick = <T extends string>(variable: string, known: ReadonlySet<string>, otlpEndpointVariables: string[]): T[] => {
    const names = listOf(env[variable]);
    if (names.length === 0) return otlpEndpointVariables.some((name) => nonEmpty(env[name])) ? (['otlp'] as T[]) : [];
    if (names.includes('none')) return [];
    unknown.push(...names.filter((name) => !known.has(name)));
    return names.filter((name) => known.has(name)) as T[];
  };
  const traces = pick<TraceExporterName>('OTEL_TRACES_EXPORTER', TRACE_EXPORTERS, ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
  const metricNames = pick<MetricExporterName>('OTEL_METRICS_EXPORTER', METRIC_EXPORTERS, ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT']);
  return { traces, metrics: metricNames, unknown };
}

let running: TelemetryHandle | undefined;

/**
 * Starts tracing and metrics for this process. Call it before anything else in a service's
 * `main.ts` (ideally from a first import), so that every later tracer and meter is the real one.
 * A second call returns the handle of the first.
 */
export function startTelemetry(options: TelemetryOptions): TelemetryHandle {
  if (running !== undefined) return running;
  const env = options.env ?? process.env;
  const serviceName = nonEmpty(env['OTEL_SERVICE_NAME']) ? env['OTEL_SERVICE_NAME'].trim() : options.serviceName;
  const exporters = selectExporters(env);
  if (exporters.unknown.length > 0) diag.warn(`@dunning/telemetry: unknown exporters ignored: ${exporters.unknown.join(', ')}`);

  const exportProcessors: SpanProcessor[] = [
    ...exporters.traces.map((name) => spanProcessorFor(name, env)),
    ...(options.spanExporters ?? []).map((exporter) => new SimpleSpanProcessor({ exporter })),
  ];
  const guard = new AttributeGuardSpanProcessor(exportProcessors);
  const metricReaders: IMetricReader[] = [...exporters.metrics.map((name) => metricReaderFor(name, env)), ...(options.metricReaders ?? [])];

  const sdk = new NodeSDK({
    serviceName,
    ...(options.serviceVersion === undefined ? {} : { resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_VERSION]: options.serviceVersion })) }),
    // The guard is always registered, even without exporters, so that spans carry real trace ids
    // (logs are correlated with them) and trace context keeps flowing through Kafka.
    spanProcessors: [guard],
    metricReaders,
    views: [{ instrumentName: '*', attributesProcessors: [createMetricLabelGuard()] }],
    // Logs go to stdout through the redacting logger, not through the OpenTelemetry log pipeline.
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener('beforeExit', onBeforeExit);
      try {
        await sdk.shutdown();
      } catch (error) {
        // A collector that is down must not fail the service's own shutdown.
        diag.error('@dunning/telemetry: shutdown failed', error);
      } finally {
        // Unregister the globals so that a later start (tests, a restarted module) registers anew.
        trace.disable();
        metrics.disable();
        propagation.disable();
        context.disable();
        if (running === handle) running = undefined;
      }
    })();
    return stopping;
  };
  const onBeforeExit = (): void => {
    void shutdown();
  };
  process.once('beforeExit', onBeforeExit);

  const handle: TelemetryHandle = {
    serviceName,
    exporters,
    async forceFlush() {
      await Promise.all([guard.forceFlush(), ...metricReaders.map((reader) => reader.forceFlush())]);
    },
    shutdown,
  };
  running = handle;
  return handle;
}

/** Shuts down the running telemetry, if any; idempotent (for NestJS `onApplicationShutdown`). */
export async function shutdownTelemetry(): Promise<void> {
  await running?.shutdown();
}

/** The platform's meter; instrument names come from `DunningMetrics`. */
export function getMeter(): Meter {
  return metrics.getMeter(TRACER_NAME);
}

function spanProcessorFor(name: TraceExporterName, env: NodeJS.ProcessEnv): SpanProcessor {
  switch (name) {
    case 'console':
      return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
    case 'zipkin':
      return batchProcessor(new ZipkinExporter({ url: env['OTEL_EXPORTER_ZIPKIN_ENDPOINT'] ?? LOCAL_ZIPKIN }), env);
    case 'otlp':
      return batchProcessor(otlpTraceExporter(env), env);
  }
}

function otlpTraceExporter(env: NodeJS.ProcessEnv): SpanExporter {
  const protocol = otlpProtocol(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL');
  const url = otlpUrl(env, protocol, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'v1/traces');
  switch (protocol) {
    case 'grpc':
      return new OtlpGrpcTraceExporter({ url });
    case 'http/json':
      return new OtlpJsonTraceExporter({ url });
    default:
      return new OtlpProtoTraceExporter({ url });
  }
}

function batchProcessor(exporter: SpanExporter, env: NodeJS.ProcessEnv): SpanProcessor {
  return new BatchSpanProcessor({
    exporter,
    maxQueueSize: positiveNumber(env['OTEL_BSP_MAX_QUEUE_SIZE']),
    scheduledDelayMillis: positiveNumber(env['OTEL_BSP_SCHEDULE_DELAY']),
    exportTimeoutMillis: positiveNumber(env['OTEL_BSP_EXPORT_TIMEOUT']),
    maxExportBatchSize: positiveNumber(env['OTEL_BSP_MAX_EXPORT_BATCH_SIZE']),
  });
}

function metricReaderFor(name: MetricExporterName, env: NodeJS.ProcessEnv): IMetricReader {
  switch (name) {
    case 'prometheus':
      // A pull endpoint (default :9464/metrics); OTEL_EXPORTER_PROMETHEUS_HOST/PORT move it.
      return new PrometheusExporter({ host: env['OTEL_EXPORTER_PROMETHEUS_HOST'], port: positiveNumber(env['OTEL_EXPORTER_PROMETHEUS_PORT']) });
    case 'console':
      return periodicReader(new ConsoleMetricExporter(), env);
    case 'otlp':
      return periodicReader(otlpMetricExporter(env), env);
  }
}

function otlpMetricExporter(env: NodeJS.ProcessEnv): PushMetricExporter {
  const protocol = otlpProtocol(env, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL');
  const url = otlpUrl(env, protocol, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'v1/metrics');
  switch (protocol) {
    case 'grpc':
      return new OtlpGrpcMetricExporter({ url });
    case 'http/json':
      return new OtlpJsonMetricExporter({ url });
    default:
      return new OtlpProtoMetricExporter({ url });
  }
}

function periodicReader(exporter: PushMetricExporter, env: NodeJS.ProcessEnv): IMetricReader {
  const exportIntervalMillis = positiveNumber(env['OTEL_METRIC_EXPORT_INTERVAL']) ?? 60_000;
  const exportTimeoutMillis = Math.min(positiveNumber(env['OTEL_METRIC_EXPORT_TIMEOUT']) ?? 30_000, exportIntervalMillis);
  return new PeriodicExportingMetricReader({ exporter, exportIntervalMillis, exportTimeoutMillis });
}

function otlpProtocol(env: NodeJS.ProcessEnv, signalVariable: string): string {
  return (env[signalVariable] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'] ?? 'http/protobuf').trim();
}

/**
 * The OTLP endpoint as the specification builds it: a signal-specific variable is used as is, the
 * generic one gets `/v1/<signal>` appended for HTTP. The default is 127.0.0.1 rather than the
 * exporters' `localhost`, which Node resolves to ::1 first.
 */
function otlpUrl(env: NodeJS.ProcessEnv, protocol: string, signalVariable: string, signalPath: string): string {
  const signalEndpoint = env[signalVariable];
  if (nonEmpty(signalEndpoint)) return signalEndpoint.trim();
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (protocol === 'grpc') return nonEmpty(base) ? base.trim() : LOCAL_OTLP_GRPC;
  const root = nonEmpty(base) ? base.trim() : LOCAL_OTLP_HTTP;
  return `${root.replace(/\/+$/, '')}/${signalPath}`;
}

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item.length > 0);
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim().length > 0;
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

function positiveNumber(value: string | undefined): number | undefined {
  if (!nonEmpty(value)) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}
