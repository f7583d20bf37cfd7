/**
 * C-MOVE and C-GET as SCU (FR-DICOM-06; PS3.4 C.4.2, C.4.3). Both send an identifier naming
 * what to retrieve (a level and its unique keys) and stream progress out of the Pending
 * responses; they differ in where the C-STOREs go:
 * - C-MOVE: to a destination AE (our own storage SCP, a listener the caller runs, e.g.
 *   `createStorageScp`), on associations the SCP opens; each sub-operation carries the Move
 *   Originator AE title and Message ID (the `messageId` of the progress events);
 * - C-GET: back on this association, where we act as storage SCP (role selection, PS3.4
 *   C.5.3.1); the association's request handler writes them (see `getStorageHandler`).
 * An aborted signal sends C-CANCEL; the SCP answers Cancel (FE00) and the association stays
 * usable. A Failure final status throws RetrieveFailedError (the SCP's status, counts, Failed
 * SOP Instance UID List); Success, Warning and Cancel end the iteration with a final progress.
 */
import { encodeDataset, type NaturalDataset } from '@hnvue/dicom';
import type { Association, DimseResponse } from '../association.js';
import { COMMAND_FIELD, describeStatus, PRIORITY } from '../dimse/index.js';
import type { CGetRequestCommand, CMoveRequestCommand } from '../dimse/requests.js';
import { CancelledError, InvalidArgumentError, ProtocolError } from '../errors.js';
import { RetrieveFailedError } from './errors.js';
import { type InformationModel, type QueryLevel, qrSopClass, UNIQUE_KEY } from './models.js';
import { checkGetRoles } from './negotiation.js';
import { countsOf, failedSopInstanceUids, progressOf, type RetrieveProgress } from './progress.js';

/** What to retrieve: a level and the unique keys down to it (PS3.4 C.4.2.2.1). */
export interface RetrieveTarget {
  readonly model?: InformationModel;
  readonly level: QueryLevel;
  readonly patientId?: string;
  /** One UID, or a list (PS3.4 C.4.2.2.1: a list of unique keys at the retrieve level). */
  readonly studyInstanceUid?: string | readonly string[];
  readonly seriesInstanceUid?: string | readonly string[];
  readonly sopInstanceUid?: string | readonly string[];
  /** A raw identifier instead (its QueryRetrieveLevel wins). */
  readonly identifier?: NaturalDataset;
}

export interface RetrieveOptions {
  /** C-CANCEL (PS3.7 9.3.3.3 / 9.3.4.3); the iteration ends with the final (Cancel) progress. */
  readonly signal?: AbortSignal;
  /** DIMSE timeout per response; retrieves are long, so pending responses restart it. */
  readonly timeoutMs?: number;
  readonly priority?: number;
}

export interface RetrieveResult extends RetrieveProgress {
  readonly final: true;
  readonly failedSopInstanceUids: readonly string[];
  /** True when the SCP answered Cancel (FE00). */
  readonly cancelled: boolean;
}

/** One UID, or a list as a multi-valued element (each value within the UI length limit). */
function joinUids(v: string | readonly string[] | undefined): string | string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  return v.length === 1 ? (v[0] as string) : [...v];
}

/** The C-MOVE / C-GET identifier of a target (unique keys only, PS3.4 C.4.2.2.1). */
export function retrieveIdentifier(target: RetrieveTarget): NaturalDataset {
  if (target.identifier) return target.identifier;
  const ds: Record<string, unknown> = { QueryRetrieveLevel: target.level };
  const keys: Record<string, string | string[] | undefined> = {
    PatientID: target.patientId,
    StudyInstanceUID: joinUids(target.studyInstanceUid),
    SeriesInstanceUID: joinUids(target.seriesInstanceUid),
    SOPInstanceUID: joinUids(target.sopInstanceUid),
  };
  for (const [k, v] of Object.entries(keys)) if (v !== undefined && v !== '' && v.length !== 0) ds[k] = v;
  if (ds[UNIQUE_KEY[target.level]] === undefined) {
    throw new InvalidArgumentError(`a ${target.level} retrieve needs ${UNIQUE_KEY[target.level]}`, {
      details: { level: target.level },
    });
  }
  return ds as NaturalDataset;
}

/** A progress event; the last one has `final: true` and is a RetrieveResult. */
export type RetrieveEvent = RetrieveProgress | RetrieveResult;

async function* run(
  association: Association,
  operation: 'move' | 'get',
  target: RetrieveTarget,
  options: RetrieveOptions & { readonly destination?: string },
): AsyncGenerator<RetrieveEvent, void, undefined> {
  const model = target.model ?? 'study';
  const sopClass = qrSopClass(model, operation);
  const { transferSyntax } = association.contextFor(sopClass);
  const bytes = encodeDataset(retrieveIdentifier(target), { transferSyntax });
  const priority = options.priority ?? PRIORITY.medium;
  let command: CMoveRequestCommand | CGetRequestCommand;
  if (operation === 'get') {
    command = { commandField: COMMAND_FIELD['C-GET-RQ'], affectedSopClassUid: sopClass, priority };
  } else if (options.destination === undefined || options.destination.trim() === '') {
    // PS3.7 Table 9.3-7: Move Destination is mandatory.
    throw new InvalidArgumentError('a C-MOVE needs its move destination AE title');
  } else {
    command = {
      commandField: COMMAND_FIELD['C-MOVE-RQ'],
      affectedSopClassUid: sopClass,
      priority,
      moveDestination: options.destination,
    };
  }
  let last: DimseResponse | undefined;
  try {
    for await (const response of association.request({
      abstractSyntax: sopClass,
      command,
      dataset: bytes,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    })) {
      if (response.statusClass === 'pending') {
        yield progressOf(response, false);
        continue;
      }
      last = response;
    }
  } catch (err) {
    // Our signal: the provider cancelled on the wire and gave up waiting (no final response).
    if (err instanceof CancelledError && options.signal?.aborted && last === undefined) {
      yield {
        remaining: undefined,
        completed: 0,
        failed: 0,
        warning: 0,
        final: true,
        status: 0xfe00,
        messageId: undefined,
        failedSopInstanceUids: [],
        cancelled: true,
      };
      return;
    }
    throw err;
  }
  if (last === undefined) return;
  const failed = failedSopInstanceUids(last);
  if (last.statusClass === 'failure') {
    throw new RetrieveFailedError(
      last.status,
      `C-${operation.toUpperCase()} failed with status ${describeStatus(last.status, last.command.commandField)}`,
      countsOf(last),
      failed,
    );
  }
  yield {
    ...progressOf(last, true),
    final: true,
    failedSopInstanceUids: failed,
    cancelled: last.statusClass === 'cancel',
  };
}

/**
 * C-MOVE to `destination` (an AE title the SCP knows): yields the progress of each Pending
 * response, then the final result. The instances arrive at the destination's storage SCP.
 */
export function qrMove(
  association: Association,
  target: RetrieveTarget,
  options: RetrieveOptions & { readonly destination: string },
): AsyncGenerator<RetrieveEvent, void, undefined> {
  return run(association, 'move', target, options);
}

export interface GetOptions extends RetrieveOptions {
  /**
   * Storage SOP classes that must have the SCP role granted before the C-GET is sent
   * (RoleNotAcceptedError names the first one refused). Default: none checked.
   */
  readonly sopClasses?: readonly string[];
}

/**
 * C-GET: the sub-operation C-STOREs come back on this association, handled by its request
 * handler (open it with `getAssociationOptions`). Yields progress, then the final result.
 */
export function qrGet(
  association: Association,
  target: RetrieveTarget,
  options: GetOptions = {},
): AsyncGenerator<RetrieveEvent, void, undefined> {
  if (options.sopClasses) checkGetRoles(association, options.sopClasses);
  return run(association, 'get', target, options);
}

/** Runs a retrieve to its end; resolves with the final result (onProgress for the pending ones). */
export async function retrieveAll(
  events: AsyncIterable<RetrieveEvent>,
  onProgress?: (progress: RetrieveProgress) => void,
): Promise<RetrieveResult> {
  let result: RetrieveResult | undefined;
  for await (const e of events) {
    if (e.final) result = e as RetrieveResult;
    else onProgress?.(e);
  }
  if (result === undefined) throw new ProtocolError('the retrieve ended without a final response');
  return result;
}
