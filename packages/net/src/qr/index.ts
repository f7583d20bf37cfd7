/** Query/Retrieve SCU: C-FIND, C-MOVE, C-GET (FR-DICOM-06; PS3.4 Annex C). */
export { RetrieveFailedError, RoleNotAcceptedError } from './errors.js';
export { type FindOptions, type FindQuery, type QrMatch, qrFind, qrFindAll } from './find.js';
export { type GetAssociationSetup, getAssociationOptions, getStorageHandler } from './get-storage.js';
export {
  buildQrIdentifier,
  type DateMatch,
  DEFAULT_RETURN_KEYS,
  type IdentifierOptions,
  type QrQuery,
  type UidMatch,
} from './keys.js';
export {
  type InformationModel,
  isLevelOf,
  LEVELS,
  levelsAbove,
  QR_SOP_CLASS,
  type QrOperation,
  type QueryLevel,
  qrContexts,
  qrSopClass,
  UNIQUE_KEY,
} from './models.js';
export { checkGetRoles, getRoles, relationalAccepted, relationalNegotiation } from './negotiation.js';
export { failedSopInstanceUids, type RetrieveProgress, type SubOperationCounts } from './progress.js';
export {
  type GetOptions,
  qrGet,
  qrMove,
  type RetrieveEvent,
  type RetrieveOptions,
  type RetrieveResult,
  type RetrieveTarget,
  retrieveAll,
  retrieveIdentifier,
} from './retrieve.js';
