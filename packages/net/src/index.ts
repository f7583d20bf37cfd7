/**
 * @hnvue/net: the DICOM upper layer, associations and DIMSE services (FR-DICOM-02), over TCP or
 * TLS (NFR-SEC-02). Internals (codec, state machine, driver) are not exported.
 */

export {
  type FileMetaInformation,
  fileNameForInstance,
  openPart10File,
  PART10_ERROR_CODE,
  Part10Error,
  type Part10Header,
  type Part10Source,
  parsePart10Header,
  readPart10Header,
  type WritePart10Options,
  type WrittenPart10,
  writePart10File,
} from '@hnvue/dicom';
export {
  type AcceptorPolicy,
  type AsyncOpsWindow,
  DEFAULT_MAX_PDU_LENGTH,
  DEFAULT_TRANSFER_SYNTAXES,
  HNVUE_IMPLEMENTATION_CLASS_UID,
  HNVUE_IMPLEMENTATION_VERSION_NAME,
  type IdentityDecision,
  type Negotiated,
  type NegotiatedContext,
  type ProposedContext,
  type ReceivedIdentity,
  type SupportedContext,
  TRANSFER_SYNTAX,
  type UserIdentity,
  VERIFICATION_SOP_CLASS,
} from './acse/negotiate.js';
export {
  Association,
  type AssociationEvents,
  type AssociationOptions,
  type AssociationRole,
  type AssociationTimeouts,
  type DatasetSource,
  DEFAULT_TIMEOUTS,
  DIAGNOSTICS_CHANNELS,
  type DimseReply,
  type DimseRequest,
  type DimseResponse,
  type FramingOptions,
  type IncomingRequest,
  type RequestHandler,
  withAssociation,
} from './association.js';
export { type ConnectOptions, type Connector, type DicomSocket, tcpConnector } from './connector.js';
export {
  COMMAND_FIELD,
  type CommandFieldName,
  classifyStatus,
  type DimseCommand,
  describeStatus,
  PRIORITY,
  STATUS,
  type StatusClass,
} from './dimse/index.js';
export * from './errors.js';
export {
  ABORT_REASON,
  type AssociateRj,
  PRESENTATION_CONTEXT_RESULT,
  type PresentationContextResult,
  REJECT_REASON,
  type RoleSelection,
  type SopClassCommonExtendedNegotiation,
  type SopClassExtendedNegotiation,
} from './pdu/types.js';
export {
  AssociationPool,
  AssociationPools,
  type Lease,
  POOL_DEFAULTS,
  PoolClosedError,
  PoolExhaustedError,
  type PoolKey,
  type PoolOptions,
  type PoolResource,
  type PoolSettings,
  type PoolStats,
  poolKeyString,
} from './pool/index.js';
export * from './print/index.js';
export * from './qr/index.js';
export {
  type AssociationRequestInfo,
  createServer,
  DEFAULT_NEGOTIATION_LIMITS,
  DEFAULT_SERVER_LIMITS,
  DicomServer,
  type DicomServerEvents,
  type DropInfo,
  type DropReason,
  type NegotiationLimits,
  type RejectionInfo,
  type ServerLimits,
  type ServerOptions,
  type ServiceName,
} from './server.js';
export { echo, echoHandler } from './services/echo.js';
export * from './storage/index.js';
export {
  classifyTlsError,
  loadTlsCredentials,
  type TlsClientOptions,
  type TlsCredentials,
  type TlsServerOptions,
  tlsConnector,
} from './tls/index.js';
export * from './workflow/index.js';
