/**
 * Query/Retrieve information models (PS3.4 Annex C): Study Root and Patient Root, the SOP class
 * of each operation (FIND, MOVE, GET), the levels each model has (C.6.1, C.6.2) and the unique
 * key of each level (C.2.2.1.1 / Tables C.6-1…C.6-5). The UIDs come from the @hnvue/dicom
 * registry; nothing is re-listed here.
 */
import { SOP_CLASS, TS } from '@hnvue/dicom';
import type { ProposedContext } from '../acse/negotiate.js';

export type InformationModel = 'study' | 'patient';
export type QueryLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';
export type QrOperation = 'find' | 'move' | 'get';

export const QR_SOP_CLASS: {
  readonly study: { readonly find: string; readonly move: string; readonly get: string };
  readonly patient: { readonly find: string; readonly move: string; readonly get: string };
} = {
  study: {
    find: SOP_CLASS.studyRootQueryRetrieveFind,
    move: SOP_CLASS.studyRootQueryRetrieveMove,
    get: SOP_CLASS.studyRootQueryRetrieveGet,
  },
  patient: {
    find: SOP_CLASS.patientRootQueryRetrieveFind,
    move: SOP_CLASS.patientRootQueryRetrieveMove,
    get: SOP_CLASS.patientRootQueryRetrieveGet,
  },
};

/** The SOP class of an operation in a model. */
export function qrSopClass(model: InformationModel, operation: QrOperation): string {
  return QR_SOP_CLASS[model][operation];
}

/** The levels of each model, top-down (PS3.4 C.3.1 Patient Root, C.3.2 Study Root). */
export const LEVELS: Readonly<Record<InformationModel, readonly QueryLevel[]>> = {
  patient: ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'],
  study: ['STUDY', 'SERIES', 'IMAGE'],
};

/** The unique key of each level (PS3.4 C.6.1.1.1-C.6.1.1.5, C.6.2.1). */
export const UNIQUE_KEY: Readonly<Record<QueryLevel, string>> = {
  PATIENT: 'PatientID',
  STUDY: 'StudyInstanceUID',
  SERIES: 'SeriesInstanceUID',
  IMAGE: 'SOPInstanceUID',
};

/** The levels above `level` in `model` (whose unique keys a hierarchical query must carry). */
export function levelsAbove(model: InformationModel, level: QueryLevel): readonly QueryLevel[] {
  const levels = LEVELS[model];
  const index = levels.indexOf(level);
  if (index < 0) return [];
  return levels.slice(0, index);
}

export function isLevelOf(model: InformationModel, level: string): level is QueryLevel {
  return (LEVELS[model] as readonly string[]).includes(level);
}

const NATIVE: readonly string[] = [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian];

/** The presentation contexts to propose for the given operations of a model (both by default). */
export function qrContexts(
  models: readonly InformationModel[] = ['study', 'patient'],
  operations: readonly QrOperation[] = ['find', 'move', 'get'],
): ProposedContext[] {
  const out: ProposedContext[] = [];
  for (const model of models) {
    for (const op of operations)
      out.push({ abstractSyntax: qrSopClass(model, op), transferSyntaxes: NATIVE });
  }
  return out;
}
