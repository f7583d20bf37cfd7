/**
 * Typed C-FIND keys (PS3.4 C.2.2.2) into a Query/Retrieve identifier: single values and
 * wildcards (`*`, `?`, C.2.2.2.4), lists of UIDs (C.2.2.2.2, backslash-separated), DA/TM/DT
 * ranges (C.2.2.2.5), universal matching / return keys (null), sequence matching (C.2.2.2.6: an
 * array of one item). The default return keys per level are those PS3.4 Tables C.6-1…C.6-4
 * mark Required or Unique; more can be asked for by keyword.
 */
import type { NaturalDataset } from '@hnvue/dicom';
import { InvalidArgumentError } from '../errors.js';
import { formatPersonName, type PersonName, withCharacterSet } from '../workflow/values.js';
import { type DateTimeRange, rangeValue } from '../workflow/worklist.js';
import { type InformationModel, levelsAbove, type QueryLevel, UNIQUE_KEY } from './models.js';

/** A matching value: one value (wildcards allowed where the VR allows them) or a UID list. */
export type UidMatch = string | readonly string[];
export type DateMatch = string | Date | DateTimeRange;

export interface QrQuery {
  readonly level: QueryLevel;
  /** Study Root (default) or Patient Root. */
  readonly model?: InformationModel;
  // Patient (PS3.4 Table C.6-1)
  readonly patientId?: string;
  /** Wildcards `*` and `?` allowed. */
  readonly patientName?: string | PersonName;
  readonly patientBirthDate?: DateMatch;
  readonly patientSex?: string;
  // Study (Table C.6-2)
  readonly studyInstanceUid?: UidMatch;
  readonly studyDate?: DateMatch;
  readonly studyTime?: DateMatch;
  readonly accessionNumber?: string;
  readonly studyId?: string;
  readonly studyDescription?: string;
  /** Modalities in Study: one value, or several (any of them, backslash list). */
  readonly modalitiesInStudy?: string | readonly string[];
  readonly referringPhysicianName?: string | PersonName;
  // Series (Table C.6-3)
  readonly seriesInstanceUid?: UidMatch;
  readonly modality?: string;
  readonly seriesNumber?: string | number;
  readonly seriesDescription?: string;
  readonly bodyPartExamined?: string;
  // Composite object instance (Table C.6-4)
  readonly sopInstanceUid?: UidMatch;
  readonly sopClassUid?: UidMatch;
  readonly instanceNumber?: string | number;
  /** More return keys, by keyword (asked with a zero-length value). */
  readonly returnKeys?: readonly string[];
  /**
   * More keys by keyword, as sent: a value matches, null returns, an array of one item matches
   * a sequence (PS3.4 C.2.2.2.6), e.g. `{ RequestAttributesSequence: [{ ScheduledProcedureStepID: 'SPS1' }] }`.
   */
  readonly keys?: NaturalDataset;
  /** Specific Character Set of the query; ISO_IR 192 when a key is not ASCII and none is given. */
  readonly specificCharacterSet?: string | readonly string[];
}

/** The return keys asked for at each level (Required and Unique keys of PS3.4 C.6.1.1/C.6.2.1). */
export const DEFAULT_RETURN_KEYS: Readonly<
  Record<InformationModel, Readonly<Record<QueryLevel, readonly string[]>>>
> = {
  study: {
    PATIENT: [],
    STUDY: [
      'StudyDate',
      'StudyTime',
      'AccessionNumber',
      'StudyID',
      'StudyInstanceUID',
      'StudyDescription',
      'ModalitiesInStudy',
      'ReferringPhysicianName',
      'PatientName',
      'PatientID',
      'PatientBirthDate',
      'PatientSex',
      'NumberOfStudyRelatedSeries',
      'NumberOfStudyRelatedInstances',
    ],
    SERIES: [
      'Modality',
      'SeriesNumber',
      'SeriesInstanceUID',
      'SeriesDescription',
      'NumberOfSeriesRelatedInstances',
    ],
    IMAGE: ['InstanceNumber', 'SOPInstanceUID', 'SOPClassUID'],
  },
  patient: {
    PATIENT: ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'NumberOfPatientRelatedStudies'],
    STUDY: [
      'StudyDate',
      'StudyTime',
      'AccessionNumber',
      'StudyID',
      'StudyInstanceUID',
      'StudyDescription',
      'ModalitiesInStudy',
      'ReferringPhysicianName',
      'NumberOfStudyRelatedSeries',
      'NumberOfStudyRelatedInstances',
    ],
    SERIES: [
      'Modality',
      'SeriesNumber',
      'SeriesInstanceUID',
      'SeriesDescription',
      'NumberOfSeriesRelatedInstances',
    ],
    IMAGE: ['InstanceNumber', 'SOPInstanceUID', 'SOPClassUID'],
  },
};

/**
 * PS3.4 C.2.2.2.2: list of UID matching, one value per UID (multi-valued on the wire). Kept as
 * an array: each value is then checked against the VR's 64-character limit on its own.
 */
function uidValue(v: UidMatch | undefined): string | string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (v.length === 0) return undefined;
  return v.length === 1 ? (v[0] as string) : [...v];
}

function listValue(v: string | readonly string[] | undefined): string | string[] | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : [...v];
}

function textValue(v: string | number | undefined): string | undefined {
  return v === undefined ? undefined : String(v);
}

function pnValue(v: string | PersonName | undefined): string | undefined {
  return v === undefined ? undefined : formatPersonName(v);
}

/** The matching keys of a typed query, by keyword (undefined ones left out). */
function matchingKeys(q: QrQuery): Record<string, string | string[] | null | undefined> {
  return {
    PatientID: q.patientId,
    PatientName: pnValue(q.patientName),
    PatientBirthDate: rangeValue(q.patientBirthDate, 'date') ?? undefined,
    PatientSex: q.patientSex,
    StudyInstanceUID: uidValue(q.studyInstanceUid),
    StudyDate: rangeValue(q.studyDate, 'date') ?? undefined,
    StudyTime: rangeValue(q.studyTime, 'time') ?? undefined,
    AccessionNumber: q.accessionNumber,
    StudyID: q.studyId,
    StudyDescription: q.studyDescription,
    ModalitiesInStudy: listValue(q.modalitiesInStudy),
    ReferringPhysicianName: pnValue(q.referringPhysicianName),
    SeriesInstanceUID: uidValue(q.seriesInstanceUid),
    Modality: q.modality,
    SeriesNumber: textValue(q.seriesNumber),
    SeriesDescription: q.seriesDescription,
    BodyPartExamined: q.bodyPartExamined,
    SOPInstanceUID: uidValue(q.sopInstanceUid),
    SOPClassUID: uidValue(q.sopClassUid),
    InstanceNumber: textValue(q.instanceNumber),
  };
}

export interface IdentifierOptions {
  /**
   * Relational queries were negotiated (PS3.4 C.4.1.2.2.1): keys of any level may be given, and
   * the unique keys of the levels above are not required.
   */
  readonly relational?: boolean;
}

/**
 * The C-FIND identifier of a typed query: Query/Retrieve Level, the default return keys of the
 * level, the matching keys given. A hierarchical query (the default) must name the unique key of
 * every level above its own with a single value (PS3.4 C.4.1.2.1): InvalidArgumentError otherwise.
 */
export function buildQrIdentifier(query: QrQuery, options: IdentifierOptions = {}): NaturalDataset {
  const model = query.model ?? 'study';
  const identifier: Record<string, unknown> = { QueryRetrieveLevel: query.level };
  for (const key of DEFAULT_RETURN_KEYS[model][query.level]) identifier[key] = null;
  for (const key of query.returnKeys ?? []) identifier[key] = null;
  for (const [key, value] of Object.entries(matchingKeys(query))) {
    if (value !== undefined) identifier[key] = value;
  }
  Object.assign(identifier, query.keys);
  if (!options.relational) checkHierarchy(model, query.level, identifier);
  return withCharacterSet(identifier, query.specificCharacterSet) as NaturalDataset;
}

function checkHierarchy(
  model: InformationModel,
  level: QueryLevel,
  identifier: Record<string, unknown>,
): void {
  for (const above of levelsAbove(model, level)) {
    const key = UNIQUE_KEY[above];
    const value = identifier[key];
    if (typeof value !== 'string' || value === '' || /[*?\\]/.test(value)) {
      throw new InvalidArgumentError(
        `a hierarchical ${level} query needs a single ${key} (the unique key of the ${above} level); relational queries were not negotiated`,
        { details: { level, key, model } },
      );
    }
  }
}
