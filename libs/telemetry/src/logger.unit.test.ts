import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { startTelemetry } from './bootstrap';
import { createLogger, NestRedactingLogger, redactLogLine, type Logger } from './logger';
import { withSpan } from './trace-context';

const CANARY = {
  name: 'Astrid Canarysson',
  email: 'astrid.canary@example.se',
  phone: '+46701234567',
  street: 'Kanarievägen 7',
  city: 'Kanarieby',
};

function capturingLogger(level: 'info' | 'trace' = 'info'): { logger: Logger; lines: () => Array<Record<string, unknown>>; raw: () => string } {
  const written: string[] = [];
  const logger = createLogger({ service: 'logger-test', level, destination: { write: (line: string) => void written.push(line) } });
  return { logger, raw: () => written.join(''), lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function expectNoCanary(output: string): void {
  for (const canary of Object.values(CANARY)) expect(output).not.toContain(canary);
}

const customer = {
  name: CANARY.name,
  email: CANARY.email,
  phone: CANARY.phone,
  postalAddress: { street: CANARY.street, postalCode: '12345', city: CANARY.city },
  locale: 'sv-SE',
};

describe('createLogger redaction canaries', () => {
  it('never writes a customer name, e-mail, phone or address, from any path into a line', () => {
    const { logger, raw, lines } = capturingLogger();

    logger.info({ invoiceId: 'inv-1', customer }, `reminder queued for ${CANARY.email} / ${CANARY.phone}`);
    logger.child({ email: CANARY.email, customerId: 'cus-42' }).warn({ address: CANARY.street }, 'child bindings');
    logger.error(new Error(`SMTP 550 for ${CANARY.email}`));
    logger.error({ err: new Error(`gateway refused ${CANARY.phone}`, { cause: { recipient: { name: CANARY.name } } }) }, 'send failed');
    logger.info({ value: JSON.stringify({ data: { customer } }) }, 'raw payload as text');
    logger.info({ value: Buffer.from(JSON.stringify({ customer })) }, 'raw payload as bytes');

    expectNoCanary(raw());
    const [first, child, error] = lines();
    expect(first).toMatchObject({
      level: 'info',
      service: 'logger-test',
      invoiceId: 'inv-1',
      msg: 'reminder queued for [email] / [phone]',
      customer: { name: '[redacted]', email: '[redacted]', phone: '[redacted]', postalAddress: '[redacted]', locale: 'sv-SE' },
    });
    expect(child).toMatchObject({ email: '[redacted]', customerId: 'cus-42', address: '[redacted]' });
    expect(error).toMatchObject({ level: 'error', msg: 'SMTP 550 for [email]', err: { message: 'SMTP 550 for [email]' } });
    expect(lines()).toHaveLength(6);
  });

  it('adds the active trace and span ids to lines written inside a span', async () => {
    const telemetry = startTelemetry({ serviceName: 'logger-test', env: {}, spanExporters: [new InMemorySpanExporter()] });
    try {
      const { logger, lines } = capturingLogger();
      const ids = await withSpan('work', {}, (span) => {
        logger.info('inside');
        return span.spanContext();
      });
      logger.info('outside');

      expect(lines()[0]).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
      expect(lines()[1]).not.toHaveProperty('trace_id');
    } finally {
      await telemetry.shutdown();
    }
  });

  it('scrubs a line that is not JSON', () => {
    expect(redactLogLine(`plain text for ${CANARY.email}\n`)).toBe('plain text for [email]\n');
  });
});

describe('NestRedactingLogger', () => {
  it('follows Nest conventions (context last, stack before it) and redacts', () => {
    const { logger, raw, lines } = capturingLogger('trace');
    const nest = new NestRedactingLogger(logger);
    const failure = new Error(`no route to ${CANARY.phone}`);

    nest.log('Nest application successfully started', 'NestApplication');
    nest.error(`delivery to ${CANARY.email} failed`, failure.stack, 'NotifierService');
    nest.warn({ customer }, 'Ingest');
    nest.error(failure);
    nest.verbose('fine detail');

    expectNoCanary(raw());
    const [started, failed, warned, error, verbose] = lines();
    expect(started).toMatchObject({ level: 'info', msg: 'Nest application successfully started', context: 'NestApplication' });
    expect(failed).toMatchObject({ level: 'error', msg: 'delivery to [email] failed', context: 'NotifierService' });
    expect(String(failed?.['stack'])).toContain('no route to [phone]');
    expect(warned).toMatchObject({ level: 'warn', context: 'Ingest', data: { customer: { name: '[redacted]', locale: 'sv-SE' } } });
    expect(error).toMatchObject({ level: 'error', msg: 'no route to [phone]' });
    expect(verbose).toMatchObject({ level: 'trace', msg: 'fine detail' });
  });

  it('maps Nest log levels to the lowest pino threshold', () => {
    const { logger, lines } = capturingLogger();
    const nest = new NestRedactingLogger(logger);

    nest.setLogLevels(['error', 'warn']);
    nest.log('dropped');
    nest.warn('kept');

    expect(lines().map((line) => line['msg'])).toEqual(['kept']);
  });
});
