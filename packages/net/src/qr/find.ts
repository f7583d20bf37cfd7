/**
 * Query/Retrieve Information Model – FIND as SCU (FR-DICOM-06; PS3.4 C.4.1): Study Root or
 * Patient Root, at PATIENT/STUDY/SERIES/IMAGE level, hierarchical by default and relational when
 * the SCP accepted the extended negotiation (PS3.4 C.5.1.1). Matches stream out as they arrive;
 * an aborted signal, a `limit` reached or a `break` sends C-CANCEL and leaves the association
 * usable. Text is decoded with the character set of each response (@hnvue/dicom).
 */
import {
  type CharacterSet,
  type DatasetProblem,
  DEFAULT_CHARACTER_SET,
  decodeDataset,
  encodeDataset,
  type NaturalDataset,
  parseCharacterSet,
} from '@hnvue/dicom';
import type { Association } from '../association.js';
import { COMMAND_FIELD, dimseFailureError, PRIORITY } from '../dimse/index.js';
import { CancelledError, InvalidArgumentError } from '../errors.js';
import { str } from '../workflow/values.js';
import { buildQrIdentifier, type QrQuery } from './keys.js';
import { type InformationModel, isLevelOf, type QueryLevel, qrSopClass } from './models.js';
import { relationalAccepted } from './negotiation.js';

export interface QrMatch {
  readonly level: QueryLevel;
  /** The identifier as decoded (naturalized, dcmjs keywords). */
  readonly dataset: NaturalDataset;
  /** The identifier as received, in `transferSyntax` (a copy). */
  readonly bytes: Uint8Array;
  readonly transferSyntax: string;
  /** FF00, or FF01 when the SCP did not support some optional keys (PS3.4 C.4.1.1.4). */
  readonly status: number;
  readonly characterSet: CharacterSet;
  /** Text values the character set could not decode (kept, flagged). */
  readonly problems: readonly DatasetProblem[];
  readonly patientId: string | undefined;
  readonly studyInstanceUid: string | undefined;
  readonly seriesInstanceUid: string | undefined;
  readonly sopInstanceUid: string | undefined;
  readonly sopClassUid: string | undefined;
}

export interface FindOptions {
  /** C-CANCEL (PS3.7 9.3.2.3); the iteration ends without an error. */
  readonly signal?: AbortSignal;
  /** At most this many matches; then C-CANCEL, and the association stays usable. */
  readonly limit?: number;
  readonly timeoutMs?: number;
  /** For responses without Specific Character Set. Default: the query's, else ISO_IR 6. */
  readonly fallbackCharacterSet?: string | readonly string[];
  readonly charsetErrors?: 'flag' | 'throw';
  readonly priority?: number;
  /**
   * Ask for a relational query: the keys need not follow the hierarchy. Requires the SCP to have
   * accepted relational queries in extended negotiation (InvalidArgumentError otherwise).
   */
  readonly relational?: boolean;
}

/** A typed query, or a raw identifier with its QueryRetrieveLevel and the model to use. */
export type FindQuery = QrQuery | { readonly model?: InformationModel; readonly identifier: NaturalDataset };

function identifierOf(
  query: FindQuery,
  relational: boolean,
): { model: InformationModel; identifier: NaturalDataset } {
  if ('identifier' in query) return { model: query.model ?? 'study', identifier: query.identifier };
  return { model: query.model ?? 'study', identifier: buildQrIdentifier(query, { relational }) };
}

/**
 * Sends a Q/R C-FIND on an established association (with the model's FIND context accepted) and
 * yields the matches. A Failure final status throws DimseFailureError with the SCP's status.
 */
export async function* qrFind(
  association: Association,
  query: FindQuery,
  options: FindOptions = {},
): AsyncGenerator<QrMatch, void, undefined> {
  const relational = options.relational === true;
  const { model, identifier } = identifierOf(query, relational);
  const sopClass = qrSopClass(model, 'find');
  const { transferSyntax } = association.contextFor(sopClass);
  if (relational && !relationalAccepted(association, sopClass)) {
    throw new InvalidArgumentError('relational queries were not accepted by the SCP', {
      details: { sopClass },
    });
  }
  const level = identifier.QueryRetrieveLevel;
  if (typeof level !== 'string' || !isLevelOf(model, level)) {
    throw new InvalidArgumentError('QueryRetrieveLevel is not a level of the information model', {
      details: { model, level: String(level) },
    });
  }
  const queryCharset =
    identifier.SpecificCharacterSet === undefined
      ? DEFAULT_CHARACTER_SET
      : parseCharacterSet(identifier.SpecificCharacterSet as string | string[]);
  const fallback =
    options.fallbackCharacterSet === undefined
      ? queryCharset
      : parseCharacterSet(options.fallbackCharacterSet);
  const bytes = encodeDataset(identifier, { transferSyntax });
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return;
  let count = 0;
  try {
    for await (const response of association.request({
      abstractSyntax: sopClass,
      command: {
        commandField: COMMAND_FIELD['C-FIND-RQ'],
        affectedSopClassUid: sopClass,
        priority: options.priority ?? PRIORITY.medium,
      },
      dataset: bytes,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    })) {
      if (response.statusClass === 'pending') {
        if (options.signal?.aborted || response.dataset === undefined) continue;
        const decoded = decodeDataset(response.dataset, {
          transferSyntax: response.transferSyntax,
          fallbackCharacterSet: fallback,
          charsetErrors: options.charsetErrors ?? 'flag',
          copyBulk: true,
        });
        const ds = decoded.dataset;
        yield {
          level: (str(ds, 'QueryRetrieveLevel') as QueryLevel | undefined) ?? level,
          dataset: ds,
          bytes: new Uint8Array(response.dataset),
          transferSyntax: response.transferSyntax,
          status: response.status,
          characterSet: decoded.characterSet,
          problems: decoded.problems,
          patientId: str(ds, 'PatientID'),
          studyInstanceUid: str(ds, 'StudyInstanceUID'),
          seriesInstanceUid: str(ds, 'SeriesInstanceUID'),
          sopInstanceUid: str(ds, 'SOPInstanceUID'),
          sopClassUid: str(ds, 'SOPClassUID'),
        };
        count++;
        // Returning runs the request's cleanup: C-CANCEL, then the rest is drained.
        if (count >= limit) return;
        continue;
      }
      if (response.statusClass === 'failure') throw dimseFailureError(response.command);
    }
  } catch (err) {
    if (err instanceof CancelledError && options.signal?.aborted) return;
    throw err;
  }
}

/** All matches of a query as an array (a convenience over `qrFind`). */
export async function qrFindAll(
  association: Association,
  query: FindQuery,
  options: FindOptions = {},
): Promise<QrMatch[]> {
  const out: QrMatch[] = [];
  for await (const m of qrFind(association, query, options)) out.push(m);
  return out;
}
