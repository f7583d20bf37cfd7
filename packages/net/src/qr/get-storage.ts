/**
 * The requestor side of a C-GET association (PS3.4 C.4.3, C.5.3): the storage contexts we
 * propose with the SCP role asked for each (PS3.7 D.3.3.4), and the request handler that writes
 * the sub-operation C-STOREs arriving on the association with the same streaming storage
 * handler as our storage SCP (storage/scp.ts). Anything else the SCP sends is refused.
 */
import { TS } from '@hnvue/dicom';
import type { ProposedContext } from '../acse/negotiate.js';
import type { AssociationOptions, RequestHandler } from '../association.js';
import { COMMAND_FIELD, STATUS } from '../dimse/index.js';
import { DEFAULT_STORE_SOP_CLASSES } from '../storage/negotiation.js';
import { type StorageScpOptions, storageScpHandler } from '../storage/scp.js';
import { type InformationModel, type QrOperation, qrContexts } from './models.js';
import { getRoles } from './negotiation.js';

export interface GetAssociationSetup {
  /** Q/R models whose GET (and FIND) contexts are proposed; Study Root by default. */
  readonly models?: readonly InformationModel[];
  /** Q/R operations whose contexts are proposed; FIND and GET by default (MOVE can share it). */
  readonly operations?: readonly QrOperation[];
  /** Storage SOP classes expected (from a C-FIND result, or configured). Default: the X-ray set. */
  readonly sopClasses?: readonly string[];
  /** Transfer syntaxes proposed for each storage class. Default Explicit, then Implicit VR LE. */
  readonly transferSyntaxes?: readonly string[];
  /** Where and how the received objects are written. */
  readonly storage: StorageScpOptions;
}

/** C-STORE sub-operations to the storage handler; other requests: unrecognized (PS3.7 C.5). */
export function getStorageHandler(storage: StorageScpOptions): RequestHandler {
  const store = storageScpHandler(storage);
  return (request) => {
    if (request.command.commandField === COMMAND_FIELD['C-STORE-RQ']) return store(request);
    if (request.command.commandField === COMMAND_FIELD['C-ECHO-RQ']) return { status: STATUS.success };
    return { status: STATUS.unrecognizedOperation };
  };
}

/**
 * The presentation contexts, role selection items and request handler of a C-GET association:
 * spread into `Association.open({ host, port, …, ...getAssociationOptions(setup) })`.
 */
export function getAssociationOptions(
  setup: GetAssociationSetup,
): Pick<AssociationOptions, 'presentationContexts' | 'roles' | 'requestHandler'> {
  const sopClasses = setup.sopClasses ?? DEFAULT_STORE_SOP_CLASSES;
  const transferSyntaxes = setup.transferSyntaxes ?? [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian];
  const storage: ProposedContext[] = sopClasses.map((abstractSyntax) => ({
    abstractSyntax,
    transferSyntaxes,
  }));
  return {
    presentationContexts: [
      ...qrContexts(setup.models ?? ['study'], setup.operations ?? ['find', 'get']),
      ...storage,
    ],
    roles: getRoles(sopClasses),
    requestHandler: getStorageHandler(setup.storage),
  };
}
