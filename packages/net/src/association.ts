/**
 * One DICOM association (FR-DICOM-02): see association/association.ts. This module keeps the
 * import path of the modules that predate the association/ folder.
 */
export { Association } from './association/association.js';
export { DIAGNOSTICS_CHANNELS, levelEnabled } from './association/diagnostics.js';
/** @internal For server.ts, which constructs acceptor associations. */
export type { AssociationInit } from './association/types.js';
export {
  type AssociationEvents,
  type AssociationOptions,
  type AssociationRole,
  type AssociationTimeouts,
  type DatasetSource,
  DEFAULT_TIMEOUTS,
  type DimseReply,
  type DimseRequest,
  type DimseResponse,
  type FramingOptions,
  type IncomingRequest,
  type RequestHandler,
} from './association/types.js';
export { withAssociation } from './association/with.js';
