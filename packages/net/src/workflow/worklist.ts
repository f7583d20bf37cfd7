/**
 * Modality Worklist Information Model – FIND as SCU (FR-DICOM-03; PS3.4 Annex K, IHE RAD SWF
 * RAD-5). A typed query becomes the C-FIND identifier with the return keys of PS3.4 Table K.6-1
 * (patient, visit, imaging service request, requested procedure, scheduled procedure step);
 * matches stream out as typed items plus the raw data set.
 */

import {
  type NaturalDataset,
  type ScheduledProcedureStep,
  SOP_CLASS,
  type SopRef,
  TS,
  type WorklistItem,
} from '@hnvue/dicom';
import { Association, type AssociationOptions } from '../association.js';
import { type CFindMatch, type CFindOptions, cFind } from '../services/find.js';
import {
  codes,
  formatDate,
  formatPersonName,
  formatTime,
  items,
  num,
  type PersonName,
  personName,
  str,
  strings,
  withCharacterSet,
} from './values.js';

/** PS3.4 Annex K: Modality Worklist Information Model – FIND. */
export const MODALITY_WORKLIST_FIND_SOP_CLASS: typeof SOP_CLASS.modalityWorklistFind =
  SOP_CLASS.modalityWorklistFind;

/** A DA or TM range: either end may be open (PS3.4 C.2.2.2.5 range matching). */
export interface DateTimeRange {
  readonly from?: string | Date;
  readonly to?: string | Date;
}

export interface WorklistQuery {
  /** Scheduled Procedure Step Start Date: a day, or a range. */
  readonly scheduledDate?: string | Date | DateTimeRange;
  /** Scheduled Procedure Step Start Time: a time, or a range (combined with the date, PS3.4 C.2.2.2.5). */
  readonly scheduledTime?: string | Date | DateTimeRange;
  readonly modality?: string;
  readonly scheduledStationAeTitle?: string;
  readonly scheduledStationName?: string;
  readonly patientId?: string;
  /** Wildcards `*` and `?` allowed (PS3.4 C.2.2.2.4). */
  readonly patientName?: string | PersonName;
  readonly accessionNumber?: string;
  readonly requestedProcedureId?: string;
  /**
   * Specific Character Set of the query, needed when a key holds non-ASCII characters
   * (e.g. 'ISO_IR 192' or ['', 'ISO 2022 IR 149']).
   */
  readonly specificCharacterSet?: string | readonly string[];
  /** More top-level keys (matching or return), by dcmjs keyword; null asks for a value. */
  readonly extraKeys?: NaturalDataset;
  /** More keys inside the Scheduled Procedure Step Sequence item. */
  readonly extraStepKeys?: NaturalDataset;
}

function dateOf(v: string | Date, kind: 'date' | 'time'): string {
  if (typeof v === 'string') return v;
  return kind === 'date' ? formatDate(v) : formatTime(v);
}

/** DA/TM matching value: single, or `from-to` / `from-` / `-to` (PS3.4 C.2.2.2.5). */
export function rangeValue(
  value: string | Date | DateTimeRange | undefined,
  kind: 'date' | 'time',
): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string' || value instanceof Date) return dateOf(value, kind);
  const from = value.from === undefined ? '' : dateOf(value.from, kind);
  const to = value.to === undefined ? '' : dateOf(value.to, kind);
  if (from === '' && to === '') return null;
  return `${from}-${to}`;
}

/**
 * The C-FIND identifier for a worklist query: the matching keys with their values, and every
 * return key of PS3.4 Table K.6-1 that IHE SWF (RAD TF-2 Table 4.5-3) asks the modality to request
 * as a zero-length element. Return keys in sequences are one item with zero-length elements.
 */
export function buildWorklistIdentifier(query: WorklistQuery = {}): NaturalDataset {
  const step: NaturalDataset = {
    ScheduledStationAETitle: query.scheduledStationAeTitle ?? null,
    ScheduledProcedureStepStartDate: rangeValue(query.scheduledDate, 'date'),
    ScheduledProcedureStepStartTime: rangeValue(query.scheduledTime, 'time'),
    Modality: query.modality ?? null,
    ScheduledPerformingPhysicianName: null,
    ScheduledProcedureStepDescription: null,
    ScheduledStationName: query.scheduledStationName ?? null,
    ScheduledProcedureStepLocation: null,
    ScheduledProtocolCodeSequence: [],
    ScheduledProcedureStepID: null,
    ScheduledProcedureStepStatus: null,
    PreMedication: null,
    RequestedContrastAgent: null,
    ...query.extraStepKeys,
  };
  const identifier: NaturalDataset = {
    // Patient identification / demographics / medical (PS3.4 Table K.6-1)
    PatientName: query.patientName === undefined ? null : formatPersonName(query.patientName),
    PatientID: query.patientId ?? null,
    IssuerOfPatientID: null,
    OtherPatientIDsSequence: [],
    PatientBirthDate: null,
    PatientSex: null,
    PatientWeight: null,
    PatientSize: null,
    MedicalAlerts: null,
    Allergies: null,
    PregnancyStatus: null,
    AdditionalPatientHistory: null,
    // Visit identification / status
    AdmissionID: null,
    CurrentPatientLocation: null,
    // Imaging service request
    AccessionNumber: query.accessionNumber ?? null,
    RequestingPhysician: null,
    ReferringPhysicianName: null,
    // Requested procedure
    RequestedProcedureID: query.requestedProcedureId ?? null,
    RequestedProcedureDescription: null,
    RequestedProcedureCodeSequence: [],
    RequestedProcedurePriority: null,
    StudyInstanceUID: null,
    ReferencedStudySequence: [],
    // Scheduled procedure step
    ScheduledProcedureStepSequence: [step],
    ...query.extraKeys,
  };
  // A non-ASCII key needs a Specific Character Set (PS3.4 C.2.2.2.1.1): ISO_IR 192 unless told.
  return withCharacterSet(identifier, query.specificCharacterSet);
}

/** A referenced SOP instance: @hnvue/dicom's SopRef. */
export type ReferencedSop = SopRef;
// The one WorklistItem shape of net, iod and facade lives in @hnvue/dicom.
export type { ScheduledProcedureStep, WorklistItem };

/** `o` without its undefined properties, as a fresh object (`delete` would leave a slow one). */
function defined<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (o[k] !== undefined) out[k] = o[k];
  return out as T;
}

export function referencedSops(ds: NaturalDataset | undefined, key: string): ReferencedSop[] {
  return items(ds, key).map((i) => ({
    sopClassUid: str(i, 'ReferencedSOPClassUID') ?? '',
    sopInstanceUid: str(i, 'ReferencedSOPInstanceUID') ?? '',
  }));
}

/** Reads the typed view of a worklist data set (naturalized). */
export function parseWorklistItem(ds: NaturalDataset): WorklistItem {
  return defined({
    patientName: personName(ds, 'PatientName'),
    patientId: str(ds, 'PatientID'),
    issuerOfPatientId: str(ds, 'IssuerOfPatientID'),
    otherPatientIds: items(ds, 'OtherPatientIDsSequence').flatMap((i) => strings(i, 'PatientID')),
    patientBirthDate: str(ds, 'PatientBirthDate'),
    patientSex: str(ds, 'PatientSex'),
    patientWeight: num(ds, 'PatientWeight'),
    patientSize: num(ds, 'PatientSize'),
    medicalAlerts: strings(ds, 'MedicalAlerts').join('\\') || undefined,
    allergies: strings(ds, 'Allergies').join('\\') || undefined,
    pregnancyStatus: num(ds, 'PregnancyStatus'),
    admissionId: str(ds, 'AdmissionID'),
    currentPatientLocation: str(ds, 'CurrentPatientLocation'),
    accessionNumber: str(ds, 'AccessionNumber'),
    requestingPhysician: personName(ds, 'RequestingPhysician'),
    referringPhysicianName: personName(ds, 'ReferringPhysicianName'),
    requestedProcedureId: str(ds, 'RequestedProcedureID'),
    requestedProcedureDescription: str(ds, 'RequestedProcedureDescription'),
    requestedProcedureCodes: codes(ds, 'RequestedProcedureCodeSequence'),
    requestedProcedurePriority: str(ds, 'RequestedProcedurePriority'),
    studyInstanceUid: str(ds, 'StudyInstanceUID'),
    referencedStudies: referencedSops(ds, 'ReferencedStudySequence'),
    scheduledProcedureSteps: items(ds, 'ScheduledProcedureStepSequence').map((s) =>
      defined({
        scheduledStationAeTitle: str(s, 'ScheduledStationAETitle'),
        scheduledStationName: str(s, 'ScheduledStationName'),
        startDate: str(s, 'ScheduledProcedureStepStartDate'),
        startTime: str(s, 'ScheduledProcedureStepStartTime'),
        modality: str(s, 'Modality'),
        scheduledPerformingPhysicianName: personName(s, 'ScheduledPerformingPhysicianName'),
        description: str(s, 'ScheduledProcedureStepDescription'),
        location: str(s, 'ScheduledProcedureStepLocation'),
        stepId: str(s, 'ScheduledProcedureStepID'),
        status: str(s, 'ScheduledProcedureStepStatus'),
        protocolCodes: codes(s, 'ScheduledProtocolCodeSequence'),
      }),
    ),
  }) as WorklistItem;
}

/** One match as it arrived: the typed item, the naturalized data set and the bytes. */
/** A worklist match: the decoded identifier (FF01: the SCP did not support some optional keys, PS3.4 K.4.1.2.2) and its item. */
export interface WorklistResult extends CFindMatch {
  readonly item: WorklistItem;
}

/** Stop, limit, timeout, fallback character set, charset error policy and priority of the query. */
export type FindWorklistOptions = CFindOptions;

/**
 * Sends a worklist C-FIND on an established association (with an accepted Modality Worklist
 * context) and yields the matches as they arrive. Breaking out of the loop cancels on the wire;
 * the association remains usable. A Failure final status throws DimseFailureError.
 */
export async function* findWorklist(
  association: Association,
  query: WorklistQuery | NaturalDataset,
  options: FindWorklistOptions = {},
): AsyncGenerator<WorklistResult, void, undefined> {
  const identifier = isTypedQuery(query) ? buildWorklistIdentifier(query) : query;
  for await (const match of cFind(association, MODALITY_WORKLIST_FIND_SOP_CLASS, identifier, options)) {
    yield { ...match, item: parseWorklistItem(match.dataset) };
  }
}

function isTypedQuery(q: WorklistQuery | NaturalDataset): q is WorklistQuery {
  const keys = Object.keys(q);
  return !keys.some((k) => /^[A-Z]/.test(k));
}

/** The presentation context to propose for worklist queries. */
export const WORKLIST_CONTEXT: {
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
} = {
  abstractSyntax: MODALITY_WORKLIST_FIND_SOP_CLASS,
  transferSyntaxes: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
};

/**
 * Opens an association for the worklist, queries, and releases it when the iteration ends
 * (aborts it on an error). For repeated queries, keep an association and call findWorklist.
 */
export async function* queryWorklist(
  options: AssociationOptions & { readonly query: WorklistQuery | NaturalDataset } & FindWorklistOptions,
): AsyncGenerator<WorklistResult, void, undefined> {
  const association = await Association.open({
    ...options,
    presentationContexts: options.presentationContexts ?? [WORKLIST_CONTEXT],
  });
  try {
    yield* findWorklist(association, options.query, options);
    await association.release();
  } catch (err) {
    association.abort();
    throw err;
  } finally {
    if (association.usable) await association.release().catch(() => association.abort());
  }
}
