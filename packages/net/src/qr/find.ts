/**
 * Query/Retrieve Information Model – FIND as SCU (FR-DICOM-06; PS3.4 C.4.1): Study Root or
 * Patient Root, at PATIENT/STUDY/SERIES/IMAGE level, hierarchical by default and relational when
 * the SCP accepted the extended negotiation (PS3.4 C.5.1.1). Matches stream out as they arrive;
 * an aborted signal, a `limit` reached or a `break` sends C-CANCEL and leaves the association
 * usable. Text is decoded with the character set of each response (@hnvue/dicom).
 */
import type { NaturalDataset } from '@hnvue/dicom';
import type { Association } from '../association.js';
import { InvalidArgumentError } from '../errors.js';
import { type CFindMatch, type CFindOptions, cFind } from '../services/find.js';
import { str } from '../workflow/values.js';
import { buildQrIdentifier, type QrQuery } from './keys.js';
import { type InformationModel, isLevelOf, type QueryLevel, qrSopClass } from './models.js';
import { relationalAccepted } from './negotiation.js';

/** A Q/R match: the decoded identifier (FF01: the SCP did not support some optional keys, PS3.4 C.4.1.1.4) and its keys. */
export interface QrMatch extends CFindMatch {
  readonly level: QueryLevel;
  readonly patientId: string | undefined;
  readonly studyInstanceUid: string | undefined;
  readonly seriesInstanceUid: string | undefined;
  readonly sopInstanceUid: string | undefined;
  readonly sopClassUid: string | undefined;
}

export interface FindOptions extends CFindOptions {
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
  // Before the checks below: no accepted FIND context is the first thing wrong.
  association.contextFor(sopClass);
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
  for await (const match of cFind(association, sopClass, identifier, options)) {
    const ds = match.dataset;
    yield {
      ...match,
      level: (str(ds, 'QueryRetrieveLevel') as QueryLevel | undefined) ?? level,
      patientId: str(ds, 'PatientID'),
      studyInstanceUid: str(ds, 'StudyInstanceUID'),
      seriesInstanceUid: str(ds, 'SeriesInstanceUID'),
      sopInstanceUid: str(ds, 'SOPInstanceUID'),
      sopClassUid: str(ds, 'SOPClassUID'),
    };
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
