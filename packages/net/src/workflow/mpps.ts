/**
 * Modality Performed Procedure Step (FR-DICOM-05; PS3.4 Annex F.7, IHE RAD SWF RAD-6/RAD-7):
 * typed N-CREATE / N-SET data set builders from a worklist item and an SCP handler pair for our
 * own MPPS receiver. The SCU (stateless N-CREATE / N-SET and the stateful step guard) is
 * mpps-scu.ts.
 */
import { HnvError, type HnvErrorOptions } from '@hnvue/core';
import { decodeDatasetStream, type NaturalDataset, SOP_CLASS, TS } from '@hnvue/dicom';
import type { IncomingRequest, RequestHandler } from '../association.js';
import { STATUS } from '../dimse/index.js';
import {
  type CodedEntry,
  codeItem,
  formatDate,
  formatPersonName,
  formatTime,
  type PersonName,
  str,
  withCharacterSet,
} from './values.js';
import type { ReferencedSop, WorklistItem } from './worklist.js';

/** PS3.4 F.7.3: Modality Performed Procedure Step SOP Class. */
export const MPPS_SOP_CLASS: typeof SOP_CLASS.modalityPerformedProcedureStep =
  SOP_CLASS.modalityPerformedProcedureStep;

/** Performed Procedure Step Status (0040,0252), PS3.3 C.4.14. */
export type MppsStatus = 'IN PROGRESS' | 'COMPLETED' | 'DISCONTINUED';

export const MPPS_ERROR_CODE = 'HNV_ERR_MPPS_STATE' as const;

/** An MPPS operation the state rules forbid (PS3.4 F.7.2.1/F.7.2.2). */
export class MppsStateError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(MPPS_ERROR_CODE, message, options);
  }
}

export interface MppsStartInput {
  /** The worklist item being performed; its steps become the Scheduled Step Attributes Sequence. */
  readonly worklistItem?: WorklistItem;
  /** Unscheduled case (IHE SWF 4.6.4.1.2.4): patient attributes when there is no worklist item. */
  readonly patient?: {
    readonly name?: PersonName | string;
    readonly id?: string;
    readonly issuerOfPatientId?: string;
    readonly birthDate?: string;
    readonly sex?: string;
  };
  readonly performedProcedureStepId: string;
  readonly startedAt: Date;
  readonly description?: string;
  readonly performedStationAeTitle: string;
  readonly performedStationName?: string;
  readonly performedLocation?: string;
  readonly modality: string;
  readonly studyId?: string;
  readonly procedureCodes?: readonly CodedEntry[];
  /** Study Instance UID for the unscheduled case (the worklist item's otherwise). */
  readonly studyInstanceUid?: string;
  readonly specificCharacterSet?: string | readonly string[];
}

export interface PerformedSeries {
  readonly seriesInstanceUid: string;
  readonly seriesDescription?: string;
  readonly protocolName: string;
  readonly operatorsName?: PersonName | string;
  readonly performingPhysicianName?: PersonName | string;
  readonly retrieveAeTitle?: string;
  readonly referencedImages: readonly ReferencedSop[];
  /** Non-image instances of the series (e.g. RDSR, GSPS). */
  readonly referencedNonImages?: readonly ReferencedSop[];
}

/** PS3.3 C.4.16 Radiation Dose module summary fields (IHE SWF for projection X-ray). */
export interface DoseSummary {
  /** (0018,115E) Image and Fluoroscopy Area Dose Product, dGy·cm². */
  readonly areaDoseProduct?: number;
  /** (0040,8302) Entrance Dose in mGy. */
  readonly entranceDoseInmGy?: number;
  /** (0040,0300) Total Time of Fluoroscopy, s. */
  readonly totalTimeOfFluoroscopy?: number;
  /** (0040,0301) Total Number of Exposures. */
  readonly totalNumberOfExposures?: number;
  /** (0018,1110) Distance Source to Detector, mm. */
  readonly distanceSourceToDetector?: number;
  /** (0040,0310) Comments on Radiation Dose. */
  readonly comments?: string;
}

export type MppsEndInput =
  | {
      readonly status: 'COMPLETED';
      readonly endedAt: Date;
      readonly performedSeries: readonly PerformedSeries[];
      readonly dose?: DoseSummary;
      readonly specificCharacterSet?: string | readonly string[];
    }
  | {
      readonly status: 'DISCONTINUED';
      readonly endedAt: Date;
      /** (0040,0281) e.g. { codeValue: '110514', codingSchemeDesignator: 'DCM', codeMeaning: 'Incorrect worklist entry selected' } */
      readonly reason?: CodedEntry;
      readonly performedSeries: readonly PerformedSeries[];
      readonly dose?: DoseSummary;
      readonly specificCharacterSet?: string | readonly string[];
    };

function pn(value: PersonName | string | undefined): string | null {
  return value === undefined ? null : formatPersonName(value);
}

/**
 * N-CREATE data set (PS3.4 Table F.7.2-1, IHE RAD TF-2 Table 4.6-1): status IN PROGRESS, the
 * Scheduled Step Attributes Sequence copied from each scheduled step of the worklist item, the
 * patient attributes, and the type 2 attributes the N-SET fills later, present and empty.
 */
export function buildMppsCreate(input: MppsStartInput): NaturalDataset {
  const item = input.worklistItem;
  const steps = item?.scheduledProcedureSteps.length ? item.scheduledProcedureSteps : [undefined];
  const studyInstanceUid = item?.studyInstanceUid ?? input.studyInstanceUid ?? null;
  const scheduledStepAttributes = steps.map((step) => ({
    StudyInstanceUID: studyInstanceUid,
    ReferencedStudySequence: (item?.referencedStudies ?? []).map((r) => ({
      ReferencedSOPClassUID: r.sopClassUid,
      ReferencedSOPInstanceUID: r.sopInstanceUid,
    })),
    AccessionNumber: item?.accessionNumber ?? null,
    RequestedProcedureID: item?.requestedProcedureId ?? null,
    RequestedProcedureDescription: item?.requestedProcedureDescription ?? null,
    ScheduledProcedureStepID: step?.stepId ?? null,
    ScheduledProcedureStepDescription: step?.description ?? null,
    ScheduledProtocolCodeSequence: (step?.protocolCodes ?? []).map(codeItem),
  }));
  const patient = input.patient;
  return withCharacterSet(
    {
      ScheduledStepAttributesSequence: scheduledStepAttributes,
      PatientName: pn(item?.patientName ?? patient?.name),
      PatientID: item?.patientId ?? patient?.id ?? null,
      IssuerOfPatientID: item?.issuerOfPatientId ?? patient?.issuerOfPatientId ?? null,
      PatientBirthDate: item?.patientBirthDate ?? patient?.birthDate ?? null,
      PatientSex: item?.patientSex ?? patient?.sex ?? null,
      ReferencedPatientSequence: [],
      PerformedProcedureStepID: input.performedProcedureStepId,
      PerformedStationAETitle: input.performedStationAeTitle,
      PerformedStationName: input.performedStationName ?? null,
      PerformedLocation: input.performedLocation ?? null,
      PerformedProcedureStepStartDate: formatDate(input.startedAt),
      PerformedProcedureStepStartTime: formatTime(input.startedAt),
      PerformedProcedureStepStatus: 'IN PROGRESS',
      PerformedProcedureStepDescription: input.description ?? null,
      PerformedProcedureTypeDescription: null,
      ProcedureCodeSequence: (input.procedureCodes ?? item?.requestedProcedureCodes ?? []).map(codeItem),
      PerformedProcedureStepEndDate: null,
      PerformedProcedureStepEndTime: null,
      Modality: input.modality,
      StudyID: input.studyId ?? null,
      PerformedProtocolCodeSequence: [],
      PerformedSeriesSequence: [],
    },
    input.specificCharacterSet,
  );
}

/**
 * N-SET data set that ends the step (PS3.4 Table F.7.2-1, IHE RAD TF-2 4.7): final status, end
 * date/time, the Performed Series Sequence with each series' referenced images, operator and
 * protocol, the dose summary, and for DISCONTINUED the reason code.
 */
export function buildMppsEnd(input: MppsEndInput): NaturalDataset {
  if (input.status === 'COMPLETED' && input.performedSeries.length === 0) {
    // IHE RAD TF-2 4.7.4.1.2.2: a completed step references what it produced.
    throw new MppsStateError('a COMPLETED step needs at least one performed series');
  }
  const dose = input.dose ?? {};
  const set: NaturalDataset = {
    PerformedProcedureStepStatus: input.status,
    PerformedProcedureStepEndDate: formatDate(input.endedAt),
    PerformedProcedureStepEndTime: formatTime(input.endedAt),
    PerformedSeriesSequence: input.performedSeries.map((s) => ({
      PerformingPhysicianName: pn(s.performingPhysicianName),
      ProtocolName: s.protocolName,
      OperatorsName: pn(s.operatorsName),
      SeriesInstanceUID: s.seriesInstanceUid,
      SeriesDescription: s.seriesDescription ?? null,
      RetrieveAETitle: s.retrieveAeTitle ?? null,
      ReferencedImageSequence: s.referencedImages.map((r) => ({
        ReferencedSOPClassUID: r.sopClassUid,
        ReferencedSOPInstanceUID: r.sopInstanceUid,
      })),
      ReferencedNonImageCompositeSOPInstanceSequence: (s.referencedNonImages ?? []).map((r) => ({
        ReferencedSOPClassUID: r.sopClassUid,
        ReferencedSOPInstanceUID: r.sopInstanceUid,
      })),
    })),
    ...(dose.areaDoseProduct === undefined
      ? {}
      : { ImageAndFluoroscopyAreaDoseProduct: dose.areaDoseProduct }),
    ...(dose.entranceDoseInmGy === undefined ? {} : { EntranceDoseInmGy: dose.entranceDoseInmGy }),
    ...(dose.totalTimeOfFluoroscopy === undefined
      ? {}
      : { TotalTimeOfFluoroscopy: dose.totalTimeOfFluoroscopy }),
    ...(dose.totalNumberOfExposures === undefined
      ? {}
      : { TotalNumberOfExposures: dose.totalNumberOfExposures }),
    ...(dose.distanceSourceToDetector === undefined
      ? {}
      : { DistanceSourceToDetector: dose.distanceSourceToDetector }),
    ...(dose.comments === undefined ? {} : { CommentsOnRadiationDose: dose.comments }),
  };
  if (input.status === 'DISCONTINUED') {
    set.PerformedProcedureStepDiscontinuationReasonCodeSequence = input.reason
      ? [codeItem(input.reason)]
      : [];
  }
  return withCharacterSet(set, input.specificCharacterSet);
}

/** Anything with `next()` giving a fresh UID: `createUidGenerator(...)` from @hnvue/uid. */
export interface UidSource {
  next(): string;
}

export type MppsLocalState = 'new' | MppsStatus;

/** The presentation context to propose for MPPS. */
export const MPPS_CONTEXT: { readonly abstractSyntax: string; readonly transferSyntaxes: readonly string[] } =
  {
    abstractSyntax: MPPS_SOP_CLASS,
    transferSyntaxes: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
  };

// ---------------------------------------------------------------------------------------------
// SCP

/** One step held by our MPPS SCP. */
export interface MppsRecord {
  readonly sopInstanceUid: string;
  status: MppsStatus;
  /** The N-CREATE data set merged with every accepted N-SET. */
  dataset: NaturalDataset;
  readonly callingAeTitle: string;
}

export interface MppsScpOptions {
  /** Notification after each accepted N-CREATE / N-SET (no return value). */
  readonly onChange?: (record: MppsRecord, operation: 'N-CREATE' | 'N-SET') => void;
  /** Generates the SOP Instance UID when the SCU leaves it to us (PS3.4 F.7.2.1.1). */
  readonly uids?: UidSource;
}

/** Error ID (0000,0903) PS3.4 F.7.2.2.4: "Performed Procedure Step Object may no longer be updated". */
export const MPPS_NO_LONGER_UPDATABLE = 0xa710;

export interface MppsScp {
  readonly handlers: { readonly 'N-CREATE': RequestHandler; readonly 'N-SET': RequestHandler };
  readonly records: ReadonlyMap<string, MppsRecord>;
}

/**
 * An MPPS SCP: N-CREATE must be IN PROGRESS for an unknown instance; N-SET only on a known
 * instance that is still IN PROGRESS (else 0110 with Error ID A710), with no status other than the
 * three defined ones. Register with `server.handle('N-CREATE', scp.handlers['N-CREATE'])`.
 */
export function createMppsScp(options: MppsScpOptions = {}): MppsScp {
  const records = new Map<string, MppsRecord>();
  const decode = (request: IncomingRequest) =>
    request.dataset
      ? decodeDatasetStream(request.dataset, { transferSyntax: request.transferSyntax })
      : Promise.resolve({ dataset: {} as NaturalDataset });
  const nCreate: RequestHandler = async (request) => {
    const { dataset } = await decode(request);
    const uid = request.command.affectedSopInstanceUid ?? options.uids?.next();
    if (uid === undefined) return { status: STATUS.invalidArgumentValue };
    if (records.has(uid))
      return { status: STATUS.duplicateSopInstance, command: { affectedSopInstanceUid: uid } };
    if (str(dataset, 'PerformedProcedureStepStatus') !== 'IN PROGRESS') {
      return {
        status: STATUS.invalidAttributeValue,
        command: { affectedSopInstanceUid: uid, offendingElement: [0x00400252] },
      };
    }
    const record: MppsRecord = {
      sopInstanceUid: uid,
      status: 'IN PROGRESS',
      dataset,
      callingAeTitle: request.association.callingAeTitle,
    };
    records.set(uid, record);
    options.onChange?.(record, 'N-CREATE');
    return { status: STATUS.success, command: { affectedSopInstanceUid: uid } };
  };
  const nSet: RequestHandler = async (request) => {
    const { dataset } = await decode(request);
    const uid = request.command.requestedSopInstanceUid ?? '';
    const reply = { affectedSopInstanceUid: uid, affectedSopClassUid: MPPS_SOP_CLASS };
    const record = records.get(uid);
    if (record === undefined) return { status: STATUS.noSuchSopInstance, command: reply };
    if (record.status !== 'IN PROGRESS') {
      return {
        status: STATUS.processingFailure,
        command: {
          ...reply,
          errorId: MPPS_NO_LONGER_UPDATABLE,
          errorComment: 'Performed Procedure Step may no longer be updated',
        },
      };
    }
    const status = str(dataset, 'PerformedProcedureStepStatus');
    if (
      status !== undefined &&
      status !== 'IN PROGRESS' &&
      status !== 'COMPLETED' &&
      status !== 'DISCONTINUED'
    ) {
      return { status: STATUS.invalidAttributeValue, command: { ...reply, offendingElement: [0x00400252] } };
    }
    record.dataset = { ...record.dataset, ...withoutVrMap(dataset) };
    if (status !== undefined) record.status = status;
    options.onChange?.(record, 'N-SET');
    return { status: STATUS.success, command: reply };
  };
  return { handlers: { 'N-CREATE': nCreate, 'N-SET': nSet }, records };
}

function withoutVrMap(ds: NaturalDataset): NaturalDataset {
  const { _vrMap: _ignored, ...rest } = ds;
  return rest;
}
