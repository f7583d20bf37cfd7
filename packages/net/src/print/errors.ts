/** Errors of the print SCU (FR-DICOM-11). Printer WARNING/FAILURE states are data, not errors. */
import { HnvError, type HnvErrorOptions } from '@hnvue/core';
import type { PrinterState } from './types.js';

export const PRINT_ERROR_CODES = {
  state: 'HNV_ERR_PRINT_STATE',
  rejected: 'HNV_ERR_PRINT_REJECTED',
  printerFailure: 'HNV_ERR_PRINTER_FAILURE',
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
 * Failure statuses after which the same print request may succeed later: 0x0110 Processing
 * failure and 0x0213 Resource limitation (PS3.7 C.4; PS3.4 H.4.1.2.1.2: not enough memory for the
 * session), 0xC601 / 0xC602 "Unable to create Print Job SOP Instance; print queue is full"
 * (PS3.4 H.4.1.2.4.2, H.4.2.2.4.2). Every other failure (an attribute, a film size, a depth the
 * printer does not support…) fails again unchanged.
 */
export const PRINTER_BUSY_STATUSES: readonly number[] = [0x0110, 0x0213, 0xc601, 0xc602];

/**
 * The printer answered a failure status to a print request: e.g. a 12-bit image box on an
 * 8-bit printer, an unsupported display format or film size. `status` is the DIMSE status and
 * `errorComment` the printer's text (kept out of the message: it is free text from the peer).
 * `retryable` is true for the busy statuses of {@link PRINTER_BUSY_STATUSES} only.
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
      {
        retryable: PRINTER_BUSY_STATUSES.includes(status),
        ...options,
        details: { operation, status, ...options.details },
      },
    );
    this.operation = operation;
    this.status = status;
    this.errorComment = errorComment;
  }
}

/**
 * The printer reports Printer Status FAILURE (PS3.3 C.13.9.1), e.g. `FILM JAM`, `SUPPLY EMPTY`:
 * nothing was sent. Retryable: the state is the printer's, and an operator can clear it.
 * `printer` holds what N-GET Printer answered (status info is a defined term, not patient data).
 */
export class PrinterFailureError extends HnvError {
  readonly printer: PrinterState;
  constructor(printer: PrinterState, options: HnvErrorOptions = {}) {
    super(
      PRINT_ERROR_CODES.printerFailure,
      `printer status FAILURE${printer.statusInfo ? ` (${printer.statusInfo})` : ''}`,
      { ...options, details: { statusInfo: printer.statusInfo, ...options.details } },
    );
    this.printer = printer;
  }
}
