import { HnvError, type HnvErrorOptions } from '@hnvue/core';
import { NET_ERROR_CODES } from '../errors.js';

/** A PDU we were asked to encode is invalid (bad AE title, even context ID, item too long…). */
export class PduEncodeError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.invalidArgument, message, options);
  }
}

/** PS3.8 9.3.2.2: presentation context IDs are odd integers between 1 and 255. */
export function checkContextId(id: number, where: string): void {
  if (!Number.isInteger(id) || id < 1 || id > 255 || id % 2 === 0) {
    throw new PduEncodeError(`${where}: presentation context ID ${id} is not an odd integer 1-255`);
  }
}
