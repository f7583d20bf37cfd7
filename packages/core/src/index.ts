export {
  ERROR_CATALOGUE,
  type ErrorCategory,
  type ErrorSpec,
  errorCategory,
  errorSpec,
  type HnvErrorCode,
  isHnvErrorCode,
  isPermanentDimseStatus,
  isRetryable,
  type RetryFields,
} from './catalogue.js';
export { HNVUE_IMPLEMENTATION_CLASS_UID, HNVUE_IMPLEMENTATION_VERSION_NAME } from './constants.js';
export { ConfigError, HnvError, type HnvErrorOptions, isHnvError } from './errors.js';
export { guardLogger } from './guard.js';
export {
  createJsonLogger,
  type JsonLoggerOptions,
  type LogFn,
  type Logger,
  type LogLevel,
  silentLogger,
} from './logger.js';
export {
  LOGGABLE_KEYWORDS,
  looksLikeDataset,
  PHI_KEYWORDS,
  REDACTED,
  redactDataset,
  redactPhi,
} from './phi.js';
