/**
 * DIMSE messaging (PS3.7 Sections 6–10, Annex C and E; PS3.8 Annex E): command sets, status
 * codes, assembly of received PDVs into messages and fragmentation of messages into PDUs.
 * Pure: no socket, no timer. The driver (dul/services) does the I/O.
 */
export {
  DEFAULT_MAX_COMMAND_LENGTH,
  DimseAssembler,
  type DimseAssemblerOptions,
  type DimseCommandEvent,
  type DimseDatasetChunkEvent,
  type DimseEvent,
} from './assembler.js';
export {
  cCancelRq,
  cEchoRq,
  cFindRq,
  cGetRq,
  cMoveRq,
  cStoreRq,
  nActionRq,
  nCreateRq,
  nDeleteRq,
  nEventReportRq,
  nGetRq,
  nSetRq,
  responseTo,
} from './builders.js';
export {
  COMMAND_TAG,
  DATASET_PRESENT,
  type DimseCommand,
  decodeCommand,
  encodeCommand,
  NO_DATASET,
  PRIORITY,
  type Priority,
  type UnknownCommandElement,
} from './command.js';
export {
  COMMAND_FIELD,
  type CommandFieldName,
  type CommandFieldValue,
  commandFieldLabel,
  commandFieldName,
  isResponseField,
  responseFieldFor,
} from './command-fields.js';
export {
  DimseDecodeError,
  DimseEncodeError,
  DimseProtocolError,
  type DimseProtocolViolation,
} from './errors.js';
export {
  DEFAULT_COALESCE_BELOW,
  DEFAULT_PDU_LENGTH_CEILING,
  type FragmentOptions,
  fragmentCommand,
  fragmentMessage,
  MIN_PEER_MAX_PDU_LENGTH,
  pduByteLength,
} from './fragment.js';
export type {
  CEchoRequestCommand,
  CFindRequestCommand,
  CGetRequestCommand,
  CMoveRequestCommand,
  CStoreRequestCommand,
  NActionRequestCommand,
  NCreateRequestCommand,
  NDeleteRequestCommand,
  NEventReportRequestCommand,
  NGetRequestCommand,
  NSetRequestCommand,
  RequestCommand,
} from './requests.js';
export { classifyStatus, describeStatus, dimseFailureError, STATUS, type StatusClass } from './status.js';
