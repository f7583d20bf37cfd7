/** Errors of the print SCU (FR-DICOM-11). Printer WARNING/FAILURE states are data, not errors. */
import { HnvError, type HnvErrorOptions } from '@hnvue/core';

export const PRINT_ERROR_CODES = {
  state: 'HNV_ERR_PRINT_STATE',
  rejected: 'HNV_ERR_PRINT_REJECTED',
} as const;

/** An operation out of order (a film box before its session, a print after the delete…). */
export class PrintStateError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(PRINT_ERROR_CODES.state, message, options);
  }
}

/** Which request the printer refused. */
export type PrintOperation =
  | 'create-film-session'
  | 'create-film-box'
  | 'create-presentation-lut'
  | 'set-image-box'
  | 'print'
  | 'delete'
  | 'get-printer';

/**
 * The printer answered a failure status to a print request: e.g. a 12-bit image box on an
 * 8-bit printer, an unsupported display format or film size. `status` is the DIMSE status and
 * `errorComment` the printer's text (kept out of the message: it is free text from the peer).
 */
export class PrintRejectedError extends HnvError {
  readonly operation: PrintOperation;
  readonly status: number;
  readonly errorComment: string | undefined;
  constructor(
    operation: PrintOperation,
    status: number,
    errorComment: string | undefined,
    options: HnvErrorOptions = {},
  ) {
    super(
      PRINT_ERROR_CODES.rejected,
      `printer refused ${operation} (status 0x${status.toString(16).padStart(4, '0')})`,
      { ...options, details: { operation, status, ...options.details } },
    );
    this.operation = operation;
    this.status = status;
    this.errorComment = errorComment;
  }
}
