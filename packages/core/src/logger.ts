/**
 * The logging contract (NFR-OBS-01): a pino-compatible subset. Any pino logger can be passed
 * as-is; the default is silent. Every package logs through `Logger` and never formats dataset
 * values into messages (NFR-SEC-01): see `phi.ts`.
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => {};

/** The default logger: drops everything. */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  fatal: noop,
  child: () => silentLogger,
};

const LEVELS: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

export interface JsonLoggerOptions {
  readonly level?: LogLevel;
  /** Where each JSON line goes; defaults to process.stderr. */
  readonly write?: (line: string) => void;
  readonly bindings?: Record<string, unknown>;
}

/**
 * A tiny JSON-lines logger for the CLI and tests when pino is not wanted. Every object is passed
 * through `redactPhi`-free serialisation: callers must still log only allow-listed fields; the
 * PHI guard lives in `phi.ts` and is applied by `guardLogger`.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const make = (bindings: Record<string, unknown>): Logger => {
    const at =
      (level: Exclude<LogLevel, 'silent'>): LogFn =>
      (a: object | string, msg?: string) => {
        if (LEVELS[level] < threshold) return;
        const fields = typeof a === 'string' ? {} : a;
        const text = typeof a === 'string' ? a : msg;
        const line = {
          level,
          time: Date.now(),
          ...bindings,
          ...fields,
          ...(text === undefined ? {} : { msg: text }),
        };
        write(`${JSON.stringify(line, jsonReplacer)}\n`);
      };
    return {
      trace: at('trace'),
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      fatal: at('fatal'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return make(options.bindings ?? {});
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  return value;
}
