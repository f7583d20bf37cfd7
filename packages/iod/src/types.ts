import type {
  PersonName,
  CharacterSet as ReceivedCharacterSet,
  WorklistItem as SharedWorklistItem,
  SopRef,
} from '@hnvue/dicom';

/**
 * Specific Character Sets the builders write: the default repertoire, `ISO_IR 192` (UTF-8) or
 * `ISO 2022 IR 149` (Korean KS X 1001 in G1, PS3.5 Annex I). @hnvue/dicom encodes the text.
 */
export type CharacterSet = 'ISO_IR 6' | 'ISO_IR 192' | 'ISO 2022 IR 149';

/**
 * A person name: a plain string is the alphabetic group; the object form is @hnvue/dicom's
 * PersonName (PS3.5 6.2.1 alphabetic=ideographic=phonetic, each `Family^Given^Middle^Prefix^Suffix`),
 * its alphabetic group optional here.
 */
export type PersonNameInput = string | PersonName | Partial<PersonName>;

/** A coded concept (PS3.3 Table 8.8-1, Code Sequence Macro). */
export interface CodedConcept {
  readonly value: string;
  readonly scheme: string;
  readonly meaning: string;
  readonly schemeVersion?: string;
}

/** A SOP Class + SOP Instance UID pair: @hnvue/dicom's SopRef. */
export type SopReference = SopRef;

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
 * A Modality Worklist item (PS3.4 K.6) as @hnvue/net's worklist SCU reads it: @hnvue/dicom's
 * WorklistItem, the one shape of net, iod and facade. The builders copy what IHE SWF asks
 * (RAD TF-2 Table 4.8-4): patient, Study Instance UID, accession, requested procedure (its first
 * code), the first scheduled step and the referenced studies.
 */
export type WorklistItem = SharedWorklistItem;

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
   * ASCII, UTF-8 otherwise. Korean sites choose 'ISO 2022 IR 149'. Or the character set of the
   * worklist answer the text came from (`WorklistResult.characterSet`): ISO 2022 IR 149 is kept
   * end to end (FR-DICOM-03), anything else is `auto`.
   */
  readonly characterSet?: CharacterSet | 'auto' | ReceivedCharacterSet;
  /** Emit the object even when validation finds errors (findings are still returned). */
  readonly allowInvalid?: boolean;
}
