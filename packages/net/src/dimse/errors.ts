import type { HnvErrorOptions } from '@hnvue/core';
import { HnvError } from '@hnvue/core';
import { NET_ERROR_CODES } from '../errors.js';

/**
 * A command set that cannot be decoded (PS3.7 Section 6.3.1, Annex E). The association cannot go
 * on safely after this: the driver answers with A-ABORT (source: service provider). Messages name
 * offsets, tags and lengths only, never values.
 */
export class DimseDecodeError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.dimseDecode, message, options);
  }
}

/** A command we were asked to encode breaks PS3.5/PS3.7 (bad UID, AE title, value range…). */
export class DimseEncodeError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.invalidArgument, message, options);
  }
}

/** Why a PDV sequence does not form DIMSE messages (PS3.7 Annex E, PS3.8 Annex E). */
export type DimseProtocolViolation =
  | 'dataset-before-command'
  | 'command-during-dataset'
  | 'context-changed'
  | 'command-too-large'
  | 'unexpected-dataset'
  | 'stream-ended-mid-message';

/** PDVs that break DIMSE message structure; the driver aborts the association (PS3.8 9.2). */
export class DimseProtocolError extends HnvError {
  readonly violation: DimseProtocolViolation;
  constructor(violation: DimseProtocolViolation, message: string, options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.protocol, message, { ...options, details: { violation, ...options.details } });
    this.violation = violation;
  }
}
