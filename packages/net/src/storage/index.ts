/** C-STORE SCU and SCP, transfer syntax negotiation and transcoding (FR-DICOM-04, FR-DICOM-02 pool). */

export { STORAGE_ERROR_CODES, TransferSyntaxDatasetError } from '@hnvue/dicom';
export {
  createStoreScu,
  type StorageCallOptions,
  StorageClient,
  type StorageClientOptions,
  type StorageDestination,
} from './client.js';
export {
  DEFAULT_SCP_SOP_CLASSES,
  DEFAULT_SCP_TRANSFER_SYNTAXES,
  DEFAULT_STORE_SOP_CLASSES,
  DEFAULT_STORE_TRANSFER_SYNTAXES,
  planTransfer,
  proposedTransferSyntaxes,
  STORAGE_SOP_CLASS,
  STORE_TRANSFER_SYNTAX,
  type StorageKind,
  storageContexts,
  storageSupportedContexts,
  type TransferPlan,
  type TransferSyntaxPolicy,
} from './negotiation.js';
export {
  createStorageScp,
  STORAGE_SCP_MAX_PDU_LENGTH,
  type StorageScpOptions,
  type StorageScpServerOptions,
  type StoreDecision,
  type StoredInstance,
  type StoreRequestInfo,
  storageScpHandler,
} from './scp.js';
export {
  type DatasetInstance,
  describeInstance,
  type MoveOriginator,
  type ResolvedInstance,
  resolveInstance,
  type StoreInstance,
  type StoreOptions,
  type StoreOutcome,
  type StoreProgress,
  type StoreResult,
  storeInstance,
  storeInstances,
} from './scu.js';
export {
  canTranscode,
  TRANSCODABLE_TRANSFER_SYNTAXES,
  TranscodeError,
  type TranscodeOptions,
  transcodeDataset,
} from './transcode.js';
