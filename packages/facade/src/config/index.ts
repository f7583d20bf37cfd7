export {
  DEFAULT_IMPLEMENTATION_CLASS_UID,
  DEFAULT_IMPLEMENTATION_VERSION_NAME,
  DEFAULT_STORAGE_TRANSFER_SYNTAXES,
  DEFAULT_TRANSFER_SYNTAXES,
  LOSSY_TRANSFER_SYNTAXES,
  TRANSFER_SYNTAX,
} from './defaults.js';
export { ENV_PREFIX } from './env.js';
export { configJsonSchema } from './json-schema.js';
export { type LoadConfigOptions, loadConfig, parseConfig } from './load.js';
export {
  type AssociationPoolOptions,
  type AsyncOpsWindow,
  type CertificateSource,
  type CommitmentDestinationOptions,
  type CommitmentReportAssociation,
  type CommitmentReRequestOptions,
  type ConfigInput,
  DESTINATION_NAMES,
  type DestinationConfig,
  type DestinationName,
  type DestinationOptions,
  type DestinationTimeouts,
  type DestinationTlsOptions,
  type DicomServiceConfig,
  type DicomServiceOptions,
  type ImplementationOptions,
  type ListenerTimeouts,
  type LocalAeOptions,
  type LocalTlsOptions,
  type LoggingOptions,
  type PdvOptions,
  type QueueOptions,
  type TlsCertificateOptions,
  type TlsOptions,
  type TlsVersion,
  type UidOptions,
} from './types.js';
