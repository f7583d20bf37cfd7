import type { LogFn, Logger } from './logger.js';
import { redactPhi } from './phi.js';

/**
 * Wraps any pino-compatible logger so that every logged object passes through `redactPhi`
 * first (NFR-SEC-01). Every package wraps the logger it is given with this, so a caller's
 * pino instance at debug level still never sees a patient's name.
 */
export function guardLogger(logger: Logger): Logger {
  if ((logger as { [GUARDED]?: true })[GUARDED]) return logger;
  const wrap =
    (fn: LogFn): LogFn =>
    (a: object | string, msg?: string) => {
      if (typeof a === 'string') fn(a);
      else if (msg === undefined) fn(redactPhi(a) as object);
      else fn(redactPhi(a) as object, msg);
    };
  const guarded: Logger & { [GUARDED]?: true } = {
    trace: wrap(logger.trace.bind(logger)),
    debug: wrap(logger.debug.bind(logger)),
    info: wrap(logger.info.bind(logger)),
    warn: wrap(logger.warn.bind(logger)),
    error: wrap(logger.error.bind(logger)),
    fatal: wrap(logger.fatal.bind(logger)),
    child: (bindings) => guardLogger(logger.child(redactPhi(bindings) as Record<string, unknown>)),
  };
  Object.defineProperty(guarded, GUARDED, { value: true });
  return guarded;
}

const GUARDED: unique symbol = Symbol('hnvue.guardedLogger');
