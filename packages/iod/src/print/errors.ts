import { HnvError, type HnvErrorOptions } from '@hnvue/core';

/** An image that cannot be prepared for print: the message names the attribute or rule. */
export class PrintPrepareError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super('HNV_ERR_PRINT_PREPARE', message, options);
  }
}
