/**
 * What the library logs through. Fields are offsets, topics, partitions, error names and
 * codes: never record content. Adapt pino or the Nest logger to it in one line.
 */
export interface MessagingLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const write = (level: string, message: string, fields?: Record<string, unknown>): void => {
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), scope: 'messaging', message, ...fields })}\n`);
};

/** Warnings and errors as JSON lines on stderr; info is dropped. */
export const stderrLogger: MessagingLogger = {
  info: () => undefined,
  warn: (message, fields) => write('warn', message, fields),
  error: (message, fields) => write('error', message, fields),
};

/** Describes an error without its payload-bearing parts (pg `detail`, stack): name, code, first line. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { errorName: typeof error };
  const code = (error as { code?: unknown }).code;
  return {
    errorName: error.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { errorCode: code } : {}),
    errorMessage: (error.message.split('\n')[0] ?? '').slice(0, 300),
  };
}
