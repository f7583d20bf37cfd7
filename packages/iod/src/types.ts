import type { CharacterSet } from './charset.js';

/**
 * A person name: a plain string is the alphabetic group; the object form carries the three
 * PS3.5 6.2.1 component groups (alphabetic=ideographic=phonetic), each `Family^Given^Middle^Prefix^Suffix`.
 */
export type PersonNameInput =
  | string
  | { readonly alphabetic?: string; readonly ideographic?: string; readonly phonetic?: string };

/** A coded concept (PS3.3 Table 8.8-1, Code Sequence Macro). */
export interface CodedConcept {
  readonly value: string;
  readonly scheme: string;
  readonly meaning: string;
  readonly schemeVersion?: string;
}

export interface SopReference {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

/** DICOM dates are `YYYYMMDD`, times `HHMMSS[.FFFFFF]`; a Date is formatted in local time. */
export type DateInput = string | Date;

export interface PatientInput {
  readonly name?: PersonNameInput;
  readonly id?: string;
  readonly issuerOfPatientId?: string;
  readonly birthDate?: DateInput;
  readonly sex?: 'M' | 'F' | 'O' | '';
}

/**
 * The slice of a Modality Worklist item (PS3.4 K.6) that goes into the image under IHE SWF
 * (RAD TF-2 4.8, Table 4.8-4 style mapping). The workflow package maps C-FIND results to this.
 */
export interface WorklistItem {
  readonly patient: PatientInput;
  readonly studyInstanceUid: string;
  readonly accessionNumber?: string;
  readonly referringPhysicianName?: PersonNameInput;
  readonly requestedProcedureId?: string;
  readonly requestedProcedureDescription?: string;
  readonly requestedProcedureCode?: CodedConcept;
  readonly scheduledProcedureStepId?: string;
  readonly scheduledProcedureStepDescription?: string;
  readonly scheduledProtocolCodes?: readonly CodedConcept[];
  readonly referencedStudies?: readonly SopReference[];
}

/** Study data for an unscheduled acquisition, or additions to a worklist item. */
export interface StudyInput {
  readonly studyInstanceUid?: string;
  readonly studyDate?: DateInput;
  readonly studyTime?: DateInput;
  readonly studyId?: string;
  readonly accessionNumber?: string;
  readonly referringPhysicianName?: PersonNameInput;
  readonly description?: string;
}

export interface EquipmentInput {
  readonly manufacturer: string;
  readonly institutionName?: string;
  readonly stationName?: string;
  readonly manufacturerModelName?: string;
  readonly deviceSerialNumber?: string;
  readonly softwareVersions?: string;
}

export interface SeriesInput {
  readonly seriesInstanceUid?: string;
  readonly seriesNumber?: number;
  readonly seriesDescription?: string;
  readonly operatorsName?: PersonNameInput;
  /** Performed Procedure Step this image belongs to (MPPS N-CREATE's SOP Instance UID). */
  readonly performedProcedureStep?: {
    readonly sopInstanceUid: string;
    readonly id?: string;
    readonly start?: Date;
  };
}

/** Options shared by every builder. */
export interface BuildOptions {
  /** UID source; defaults to @hnvue/uid's generator when that package provides one. */
  readonly uid?: () => string;
  /** Clock for content/series dates; defaults to `new Date()`. */
  readonly now?: () => Date;
  /**
   * Character set for text values. `auto` (default): no Specific Character Set when all text is
   * ASCII, UTF-8 otherwise. Korean sites choose 'ISO 2022 IR 149'.
   */
  readonly characterSet?: CharacterSet | 'auto';
  /** Emit the object even when validation finds errors (findings are still returned). */
  readonly allowInvalid?: boolean;
}
