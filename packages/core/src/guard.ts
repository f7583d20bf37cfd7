import { type LogFn, type Logger, silentLogger } from './logger.js';
import { redactPhi } from './phi.js';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Wraps any pino-compatible logger so that every logged object passes through `redactPhi`
 * first (NFR-SEC-01). Every package wraps the logger it is given with this, so a caller's
 * pino instance at debug level still never sees a patient's name.
 *
 * A call at a level the logger does not emit costs nothing: silentLogger is returned as is (it
 * drops everything, so there is nothing to redact), and a logger with pino's
 * `isLevelEnabled(level)` is asked on every call (pino's level may change at run time) before
 * any object is redacted.
 */
export function guardLogger(logger: Logger): Logger {
  if (logger === silentLogger) return silentLogger;
  if ((logger as { [GUARDED]?: true })[GUARDED]) return logger;
  const probe = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  const enabled: ((level: Level) => boolean) | undefined =
    typeof probe === 'function' ? (level) => probe.call(logger, level) : undefined;
  // Looked up on every call, not bound once: pino swaps its level methods when its level changes.
  const wrap =
    (level: Level): LogFn =>
    (a: object | string, msg?: string) => {
      if (enabled !== undefined && !enabled(level)) return;
      if (typeof a === 'string') logger[level](a);
      else if (msg === undefined) logger[level](redactPhi(a) as object);
      else logger[level](redactPhi(a) as object, msg);
    };
  const guarded: Logger & { [GUARDED]?: true } = {
    trace: wrap('trace'),
    debug: wrap('debug'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
    fatal: wrap('fatal'),
    child: (bindings) => guardLogger(logger.child(redactPhi(bindings) as Record<string, unknown>)),
  };
  Object.defineProperty(guarded, GUARDED, { value: true });
  // Callers that probe levels (levelEnabled in @hnvue/net) see through the guard.
  if (enabled !== undefined) {
    Object.defineProperty(guarded, 'isLevelEnabled', {
      value: (level: string) => probe!.call(logger, level),
    });
  }
  return guarded;
}

const GUARDED: unique symbol = Symbol('hnvue.guardedLogger');
