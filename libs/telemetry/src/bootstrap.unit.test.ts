import * as net from 'node:net';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { selectExporters, shutdownTelemetry, startTelemetry } from './bootstrap';
import { getTracer } from './trace-context';

describe('selectExporters', () => {
  it.each([
    ['nothing set', {}, { traces: [], metrics: [], unknown: [] }],
    ['explicit none', { OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' }, { traces: [], metrics: [], unknown: [] }],
    ['zipkin and prometheus', { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_METRICS_EXPORTER: 'prometheus' }, { traces: ['zipkin'], metrics: ['prometheus'], unknown: [] }],
    ['an OTLP endpoint alone means OTLP', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, { traces: ['otlp'], metrics: ['otlp'], unknown: [] }],
    ['a traces endpoint alone', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, { traces: ['otlp'], metrics: [], unknown: [] }],
    ['lists, case and blanks', { OTEL_TRACES_EXPORTER: ' OTLP , console ', OTEL_METRICS_EXPORTER: 'otlp,prometheus' }, { traces: ['otlp', 'console'], metrics: ['otlp', 'prometheus'], unknown: [] }],
    ['unknown names are reported', { OTEL_TRACES_EXPORTER: 'jaeger', OTEL_METRICS_EXPORTER: 'statsd' }, { traces: [], metrics: [], unknown: ['jaeger', 'statsd'] }],
    ['the SDK switched off', { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }, { traces: [], metrics: [], unknown: [] }],
  ])('%s', (_case, env, expected) => {
    expect(selectExporters(env)).toEqual(expected);
  });
});

describe('startTelemetry', () => {
  afterEach(() => shutdownTelemetry());

  it('is silent without OTEL variables: no exporter, no output, no connection', async () => {
    const writes = [jest.spyOn(process.stdout, 'write'), jest.spyOn(process.stderr, 'write')];
    const consoleCalls = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => jest.spyOn(console, method));
    const connects = jest.spyOn(net.Socket.prototype, 'connect');
    try {
      const telemetry = startTelemetry({ serviceName: 'silent-test', env: {} });
      const span = getTracer().startSpan('work');
      span.end();
      await telemetry.forceFlush();
      await telemetry.shutdown();

      expect(telemetry.exporters).toEqual({ traces: [], metrics: [], unknown: [] });
      // Spans still get real ids, so logs can be correlated and context flows through Kafka.
      expect(trace.isSpanContextValid(span.spanContext())).toBe(true);
      for (const spy of [...writes, ...consoleCalls, connects]) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of [...writes, ...consoleCalls, connects]) spy.mockRestore();
    }
  });

  it('prefers OTEL_SERVICE_NAME to the name given in code', async () => {
    const exporter = new InMemorySpanExporter();
    const telemetry = startTelemetry({ serviceName: 'from-code', env: { OTEL_SERVICE_NAME: 'from-env' }, spanExporters: [exporter] });
    getTracer().startSpan('work').end();
    await telemetry.forceFlush();

    expect(telemetry.serviceName).toBe('from-env');
    expect(exporter.getFinishedSpans()[0]?.resource.attributes['service.name']).toBe('from-env');
  });

  it('returns the running handle to a second start', () => {
    const first = startTelemetry({ serviceName: 'first', env: {} });
    const second = startTelemetry({ serviceName: 'second', env: {} });
    expect(second).toBe(first);
    expect(second.serviceName).toBe('first');
  });

  it('shuts down once, however often it is asked, and can start again afterwards', async () => {
    const exporter = new InMemorySpanExporter();
    const shutdownSpy = jest.spyOn(exporter, 'shutdown');
    const first = startTelemetry({ serviceName: 'idempotent-test', env: {}, spanExporters: [exporter] });

    const once = first.shutdown();
    const twice = first.shutdown();
    await Promise.all([once, twice, shutdownTelemetry(), first.shutdown()]);

    expect(twice).toBe(once);
    expect(shutdownSpy).toHaveBeenCalledTimes(1);

    const again = startTelemetry({ serviceName: 'restarted', env: {} });
    expect(again).not.toBe(first);
    const span = getTracer().startSpan('after restart');
    expect(trace.isSpanContextValid(span.spanContext())).toBe(true);
    span.end();
  });
});
