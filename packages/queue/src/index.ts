export { type BackoffOptions, nextRetryAt } from './backoff.js';
export type { BreakerState, DestinationHealth } from './breaker.js';
export {
  classifyFailure,
  type FailureClass,
  type FailureClassifier,
  isPermanentDimseStatus,
} from './classify.js';
export { type Clock, systemClock } from './clock.js';
export { DeliveryError, QUEUE_ERROR_CODES, QueueError } from './errors.js';
export {
  type InspectedItem,
  type InspectOptions,
  inspectQueue,
  type QueueInspection,
  queueExists,
} from './inspect.js';
export {
  type DiscardOptions,
  type EnqueueInput,
  type EnqueueOptions,
  type EnqueueOutcome,
  type EnqueueResult,
  type InTransactionInput,
  type QueueEvents,
  type QueueInTransaction,
  type QueueOptions,
  type SendContext,
  type Sender,
  type StopOptions,
  TransmissionQueue,
} from './queue.js';
export type { Records } from './records.js';
export {
  type QueueRequest,
  type QueueRequestAnswer,
  type RetryRequest,
  type SendRequestOptions,
  sendQueueRequest,
} from './requests.js';
export type { EnqueueSource } from './spool.js';
export {
  ATTEMPT_OUTCOMES,
  type AttemptOutcome,
  type AttemptRecord,
  QUEUE_KINDS,
  QUEUE_STATES,
  type QueueCounts,
  type QueueItem,
  type QueueKind,
  type QueueState,
  type StateCounts,
} from './types.js';
