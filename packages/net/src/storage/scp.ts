/**
 * C-STORE SCP (PS3.4 Annex B, FR-DICOM-04/06): each received data set is streamed to disk as a
 * Part 10 file (meta header added, transfer syntax = the accepted one) under a temporary name and
 * renamed once complete, so a half-received object is never visible (storage/receive-file.ts, which
 * also states the fsync policy). Memory stays bounded whatever the size: the association pauses the
 * socket above its high-water mark and the sink writes in 1 MiB batches, so objects below 1 MiB
 * reach the disk in one write (fo-dicom #1412: no per-chunk temp-file churn for small objects).
 *
 * One hook decides (an intervention): store (where, with which status) or refuse (with which
 * status), before the data set arrives. Notifications tell what happened. File names come from
 * `fileNameForInstance`, which refuses any received UID that is not a plain UID (DCMTK's 2026
 * path traversal advisory).
 */
import { join } from 'node:path';
import { guardLogger, type Logger, silentLogger } from '@hnvue/core';
import { fileNameForInstance, SOP_CLASS, TS } from '@hnvue/dicom';
import { HNVUE_IMPLEMENTATION_CLASS_UID, HNVUE_IMPLEMENTATION_VERSION_NAME } from '../acse/negotiate.js';
import type { DimseReply, IncomingRequest, RequestHandler } from '../association.js';
import { STATUS } from '../dimse/index.js';
import { createServer, type DicomServer, type ServerOptions } from '../server.js';
import {
  DEFAULT_SCP_SOP_CLASSES,
  DEFAULT_SCP_TRANSFER_SYNTAXES,
  storageSupportedContexts,
} from './negotiation.js';
import { Part10Sink } from './receive-file.js';

/** What is known about an incoming C-STORE before its data set arrives (PHI-free). */
export interface StoreRequestInfo {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntax: string;
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly peer: string;
  readonly messageId: number;
  readonly priority: number | undefined;
  /** Set when the store is a C-MOVE sub-operation (PS3.7 9.3.1.1). */
  readonly moveOriginatorAeTitle: string | undefined;
  readonly moveOriginatorMessageId: number | undefined;
}

/** The hook's answer: store (where, with which final status) or refuse with a failure status. */
export type StoreDecision =
  | {
      readonly action: 'store';
      /** Full path of the file; default `<directory>/<SOP Instance UID>.dcm`. */
      readonly path?: string;
      /** Status to answer once stored: 0000 by default, or a Warning (B000, B006, B007). */
      readonly status?: number;
    }
  | { readonly action: 'refuse'; readonly status: number; readonly errorComment?: string };

/** A stored object, for the `onStored` notification. */
export interface StoredInstance extends StoreRequestInfo {
  readonly path: string;
  readonly datasetBytes: number;
  readonly status: number;
}

export interface StorageScpOptions {
  /** Where files go unless the hook says otherwise. */
  readonly directory: string;
  /** Decides per object (intervention). Default: store in `directory` with Success. */
  readonly decide?: (info: StoreRequestInfo) => StoreDecision | Promise<StoreDecision>;
  /** Notified after each stored object (file renamed into place). */
  readonly onStored?: (instance: StoredInstance) => void;
  /** Notified when a receive failed (association aborted mid data set, disk error…). */
  readonly onFailed?: (info: StoreRequestInfo, error: Error) => void;
  /** fsync the file and its folder before answering (durability). Default true. */
  readonly fsync?: boolean;
  readonly logger?: Logger;
}

/** The C-STORE handler, for `createServer({ handlers: { 'C-STORE': storageScpHandler(...) } })`. */
export function storageScpHandler(options: StorageScpOptions): RequestHandler {
  const log = guardLogger(options.logger ?? silentLogger).child({ component: 'store-scp' });
  const sink = new Part10Sink({ fsync: options.fsync ?? true });
  return async (request: IncomingRequest): Promise<DimseReply> => {
    const { command } = request;
    const association = request.association;
    const info: StoreRequestInfo = {
      sopClassUid: command.affectedSopClassUid ?? request.abstractSyntax,
      sopInstanceUid: command.affectedSopInstanceUid ?? '',
      transferSyntax: request.transferSyntax,
      callingAeTitle: association.callingAeTitle,
      calledAeTitle: association.calledAeTitle,
      peer: association.peer,
      messageId: command.messageId ?? 0,
      priority: command.priority,
      moveOriginatorAeTitle: command.moveOriginatorApplicationEntityTitle,
      moveOriginatorMessageId: command.moveOriginatorMessageId,
    };
    if (request.dataset === undefined) {
      // PS3.4 B.2.3: C000 cannot understand — a C-STORE-RQ without a data set.
      return { status: STATUS.cannotUnderstand, command: { errorComment: 'C-STORE-RQ without a data set' } };
    }
    let decision: StoreDecision;
    try {
      decision = options.decide ? await options.decide(info) : { action: 'store' };
    } catch (err) {
      log.error({ err: (err as Error)?.message, messageId: info.messageId }, 'C-STORE decide hook failed');
      return { status: STATUS.outOfResources, command: { errorComment: 'storage hook failed' } };
    }
    if (decision.action === 'refuse') {
      return {
        status: decision.status,
        command: decision.errorComment ? { errorComment: decision.errorComment } : {},
      };
    }
    let path: string;
    try {
      path = decision.path ?? join(options.directory, fileNameForInstance(info.sopInstanceUid));
    } catch {
      log.warn({ messageId: info.messageId }, 'C-STORE with an unusable SOP Instance UID refused');
      return {
        status: STATUS.cannotUnderstand,
        command: { errorComment: 'invalid Affected SOP Instance UID' },
      };
    }
    const meta = {
      mediaStorageSopClassUid: info.sopClassUid,
      mediaStorageSopInstanceUid: info.sopInstanceUid,
      transferSyntaxUid: info.transferSyntax,
      implementationClassUid: HNVUE_IMPLEMENTATION_CLASS_UID,
      implementationVersionName: HNVUE_IMPLEMENTATION_VERSION_NAME,
      sourceApplicationEntityTitle: info.callingAeTitle,
    };
    let datasetBytes: number;
    try {
      ({ datasetBytes } = await sink.write(path, meta, request.dataset));
    } catch (err) {
      const error = err as Error;
      options.onFailed?.(info, error);
      // The association went away mid data set: nobody to answer; the temp file is already gone.
      if (!association.usable) throw error;
      log.error(
        { err: error.message, code: (error as { code?: string }).code },
        'C-STORE could not be written',
      );
      // PS3.4 B.2.3: A7xx refused, out of resources (disk full, permissions…).
      return { status: STATUS.outOfResources, command: { errorComment: 'object could not be written' } };
    }
    const status = decision.status ?? STATUS.success;
    options.onStored?.({ ...info, path, datasetBytes, status });
    return { status };
  };
}

export interface StorageScpServerOptions extends StorageScpOptions {
  /** Accepted storage SOP classes; default DEFAULT_SCP_SOP_CLASSES (+ Verification). */
  readonly sopClasses?: readonly string[];
  /** Accepted transfer syntaxes in preference order; default DEFAULT_SCP_TRANSFER_SYNTAXES. */
  readonly transferSyntaxes?: readonly string[];
  /** Everything else of the listener (AE titles, TLS, maxAssociations, timeouts…). */
  readonly server?: Omit<ServerOptions, 'contexts' | 'handlers'>;
}

/**
 * Large P-DATA-TF PDUs cut per-PDU work on the sender (storescu sends up to what we accept, within
 * its own cap). 1 MiB bounds the framer's buffer per association.
 */
export const STORAGE_SCP_MAX_PDU_LENGTH: number = 1024 * 1024;

/** A DICOM server that accepts C-ECHO and C-STORE and writes what it receives as Part 10 files. */
export function createStorageScp(options: StorageScpServerOptions): DicomServer {
  const transferSyntaxes = options.transferSyntaxes ?? DEFAULT_SCP_TRANSFER_SYNTAXES;
  const contexts = [
    {
      abstractSyntax: SOP_CLASS.verification,
      transferSyntaxes: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
    },
    ...storageSupportedContexts(options.sopClasses ?? DEFAULT_SCP_SOP_CLASSES, transferSyntaxes),
  ];
  return createServer({
    maxPduLength: STORAGE_SCP_MAX_PDU_LENGTH,
    ...options.server,
    ...(options.logger && !options.server?.logger ? { logger: options.logger } : {}),
    contexts,
    handlers: { 'C-STORE': storageScpHandler(options) },
  });
}
