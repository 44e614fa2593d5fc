import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';
import { currentTraceIds } from './tracing.ts';

export type Logger = PinoLogger;

/** JSON logs to stdout. Secrets never reach a log line: these paths are redacted. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'atrium', ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Inside a span (tracing on), the line carries its trace and span ids.
    mixin: () => currentTraceIds() ?? {},
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.password',
        '*.refreshToken',
        '*.accessToken',
        '*.token',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  });
}
