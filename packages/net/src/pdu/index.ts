/**
 * PDU codec of the DICOM upper layer (PS3.8 Section 9.3, PS3.7 Annex D).
 *
 * Pure: bytes in, data out. This module imports no socket or TLS module, owns no timer and keeps
 * no session state; the framer only buffers bytes it was given. The association layer
 * (acse/, dul/, fsm/) decides what a decoded PDU means.
 */

export { decodePdu } from './decode.js';
export { type DescribeOptions, describePdu } from './describe.js';
export { encodePdu } from './encode.js';
export { PduEncodeError } from './encode-error.js';
export {
  createPduFramer,
  DEFAULT_HARD_MAX_PDU_LENGTH,
  DEFAULT_MAX_ASSOCIATE_PDU_LENGTH,
  DEFAULT_PDATA_LENIENCY_BYTES,
  type PduFramer,
  type PduFramerOptions,
  type RawPdu,
} from './framer.js';
export {
  decodePDataPdvs,
  encodePDataTf,
  maxPdvValueLength,
  messageControlHeader,
  PDATA_SINGLE_PDV_HEADER_LENGTH,
  PDU_HEADER_LENGTH,
  PDV_ITEM_OVERHEAD,
  singlePdvHeader,
} from './pdata.js';
export * from './types.js';
