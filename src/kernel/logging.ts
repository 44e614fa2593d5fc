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

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A child logger made at its first written line. pino's child() serialises (and redacts) its
 * bindings when it is made; a child per HTTP request paid that on every request even when its
 * level wrote nothing (~5 % of the gateway's CPU at `warn`). Levels are the parent's unless
 * `options.level` sets the child's own.
 */
export function deferredChild(parent: Logger, bindings: Record<string, unknown>, options: { level?: string } = {}): Logger {
  let made: Logger | null = null;
  const pending = { ...bindings };
  const logger = () => (made ??= parent.child(pending, options));
  const isEnabled = (level: Level) => (made ? made.isLevelEnabled(level) : options.level ? pino.levels.values[level] >= pino.levels.values[options.level] : parent.isLevelEnabled(level));
  const line = (level: Level) => (...args: unknown[]) => {
    if (isEnabled(level)) (logger()[level] as (...a: unknown[]) => void)(...args);
  };
  const deferred = {
    fatal: line('fatal'), error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug'), trace: line('trace'),
    silent: () => {},
    get level() { return made?.level ?? options.level ?? parent.level; },
    set level(value: string) { logger().level = value; },
    isLevelEnabled: (level: string) => isEnabled(level as Level),
    child: (childBindings: Record<string, unknown>, childOptions?: object) => logger().child(childBindings, childOptions),
    bindings: () => logger().bindings(),
    setBindings: (more: Record<string, unknown>) => (made ? made.setBindings(more) : Object.assign(pending, more)),
  };
  return deferred as unknown as Logger;
}
