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

/** See deferredChild: one object per request, its methods on the prototype. */
class DeferredLogger {
  #made: Logger | null = null;
  readonly #parent: Logger;
  readonly #bindings: Record<string, unknown>;
  readonly #options: { level?: string };

  constructor(parent: Logger, bindings: Record<string, unknown>, options: { level?: string }) {
    this.#parent = parent;
    this.#bindings = { ...bindings };
    this.#options = options;
  }

  #logger(): Logger {
    return (this.#made ??= this.#parent.child(this.#bindings, this.#options));
  }

  isLevelEnabled(level: string): boolean {
    if (this.#made) return this.#made.isLevelEnabled(level);
    const own = this.#options.level;
    return own ? (pino.levels.values[level] ?? Infinity) >= (pino.levels.values[own] ?? Infinity) : this.#parent.isLevelEnabled(level);
  }

  #line(level: Level, args: unknown[]): void {
    if (this.isLevelEnabled(level)) (this.#logger()[level] as (...a: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void { this.#line('fatal', args); }
  error(...args: unknown[]): void { this.#line('error', args); }
  warn(...args: unknown[]): void { this.#line('warn', args); }
  info(...args: unknown[]): void { this.#line('info', args); }
  debug(...args: unknown[]): void { this.#line('debug', args); }
  trace(...args: unknown[]): void { this.#line('trace', args); }
  silent(): void {}

  get level(): string { return this.#made?.level ?? this.#options.level ?? this.#parent.level; }
  set level(value: string) { this.#logger().level = value; }

  child(bindings: Record<string, unknown>, options?: object): Logger { return this.#logger().child(bindings, options); }
  bindings(): Record<string, unknown> { return this.#made ? this.#made.bindings() : { ...this.#parent.bindings(), ...this.#bindings }; }
  setBindings(more: Record<string, unknown>): void {
    if (this.#made) this.#made.setBindings(more);
    else Object.assign(this.#bindings, more);
  }
}

/**
 * A child logger made at its first written line. pino's child() serialises (and redacts) its
 * bindings when it is made; a child per HTTP request paid that on every request even when its
 * level wrote nothing (~5 % of the gateway's CPU at `warn`). Levels are the parent's unless
 * `options.level` sets the child's own.
 */
export function deferredChild(parent: Logger, bindings: Record<string, unknown>, options: { level?: string } = {}): Logger {
  return new DeferredLogger(parent, bindings, options) as unknown as Logger;
}
