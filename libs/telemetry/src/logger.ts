import type { LoggerService, LogLevel } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { redactPersonalData, scrubText } from './personal-data';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Written as `service` on every line. (Not pino's `name`: `name` is a personal-data key.) */
  service: string;
  level?: Level;
  /** Where lines go; stdout by default. Tests pass a capturing stream. */
  destination?: DestinationStream;
}

/**
 * A pino logger whose every line is redacted as the last step before it is written: the whole
 * serialized line (message, merged object, child bindings, serialized errors) is parsed, cleared
 * of personal-data fields and scrubbed of e-mail addresses and phone numbers. Redacting the final
 * line rather than the inputs leaves no path around it. Lines carry the active trace and span id.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceCorrelation,
      hooks: { streamWrite: redactLogLine },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

function traceCorrelation(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext === undefined || !trace.isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** Redacts one serialized log line (newline-terminated JSON). */
export function redactLogLine(line: string): string {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `${scrubText(body)}\n`;
  }
  return `${JSON.stringify(redactPersonalData(parsed))}\n`;
}

const NEST_TO_PINO: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};
const PINO_SEVERITY: Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * NestJS `LoggerService` over the redacting pino logger: `app.useLogger(new NestRedactingLogger(logger))`.
 * Follows Nest's calling convention: the last string argument is the context, and `error` may
 * receive a stack trace before it.
 */
export class NestRedactingLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('info', message, optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', message, optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('trace', message, optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', message, optionalParams);
  }

  /** Nest passes the levels to keep; pino keeps everything from one threshold up, so use the lowest. */
  setLogLevels(levels: LogLevel[]): void {
    const lowest = levels.map((level) => NEST_TO_PINO[level]).sort((a, b) => PINO_SEVERITY.indexOf(a) - PINO_SEVERITY.indexOf(b))[0];
    this.logger.level = lowest ?? 'silent';
  }

  private write(level: Level, message: unknown, optionalParams: unknown[]): void {
    const params = [...optionalParams];
    const fields: Record<string, unknown> = {};
    if (params.length > 0 && typeof params[params.length - 1] === 'string' && !looksLikeStack(params[params.length - 1] as string)) {
      fields['context'] = params.pop();
    }
    const stack = params.find((param): param is string => typeof param === 'string' && looksLikeStack(param));
    if (stack !== undefined) fields['stack'] = stack;
    const extra = params.filter((param) => param !== stack && param !== undefined);
    if (extra.length > 0) fields['details'] = extra;

    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'string') {
      this.logger[level](fields, message);
    } else {
      this.logger[level]({ ...fields, data: message });
    }
  }
}

function looksLikeStack(text: string): boolean {
  return /\n\s+at /.test(text);
}
