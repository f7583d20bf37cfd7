/**
 * The PHI guard (NFR-SEC-01). Log events may carry dataset-derived values only from an allow-list
 * (UIDs, SOP class, modality, status codes, sizes, image geometry); everything else that looks like
 * a dataset is redacted. The keyword list follows the identifying attributes of the PS3.15 Annex E
 * Basic Application Level Confidentiality Profile that a console handles.
 */

export const REDACTED = '[REDACTED]' as const;

/** Attributes that identify a patient or a visit (PS3.15 Table E.1-1, the ones a console sees). */
export const PHI_KEYWORDS: ReadonlySet<string> = new Set([
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'PatientBirthDate',
  'PatientBirthTime',
  'PatientBirthName',
  'PatientSex',
  'PatientAge',
  'PatientSize',
  'PatientWeight',
  'PatientAddress',
  'PatientTelephoneNumbers',
  'PatientMotherBirthName',
  'OtherPatientIDs',
  'OtherPatientIDsSequence',
  'OtherPatientNames',
  'PatientComments',
  'EthnicGroup',
  'MilitaryRank',
  'MedicalRecordLocator',
  'CountryOfResidence',
  'RegionOfResidence',
  'AccessionNumber',
  'AdmissionID',
  'ReferringPhysicianName',
  'ReferringPhysicianAddress',
  'ReferringPhysicianTelephoneNumbers',
  'RequestingPhysician',
  'PerformingPhysicianName',
  'OperatorsName',
  'PhysiciansOfRecord',
  'NameOfPhysiciansReadingStudy',
  'ScheduledPerformingPhysicianName',
  'InstitutionName',
  'InstitutionAddress',
  'StudyID',
  'RequestedProcedureID',
  'ScheduledProcedureStepID',
  'PerformedProcedureStepID',
  'StudyDescription',
  'SeriesDescription',
  'RequestedProcedureDescription',
  'ScheduledProcedureStepDescription',
  'PerformedProcedureStepDescription',
  'AdditionalPatientHistory',
  'Allergies',
  'PregnancyStatus',
  'MedicalAlerts',
  'Occupation',
  'StudyDate',
  'StudyTime',
  'ContentDate',
  'ContentTime',
  'AcquisitionDateTime',
  'ScheduledProcedureStepStartDate',
  'ScheduledProcedureStepStartTime',
  'CurrentPatientLocation',
  'PatientState',
  'ResponsiblePerson',
  'PersonName',
  'TextValue',
]);

/** Dataset keywords whose values may be logged: identifiers of objects, not of people. */
export const LOGGABLE_KEYWORDS: ReadonlySet<string> = new Set([
  'SOPClassUID',
  'SOPInstanceUID',
  'StudyInstanceUID',
  'SeriesInstanceUID',
  'TransferSyntaxUID',
  'MediaStorageSOPClassUID',
  'MediaStorageSOPInstanceUID',
  'AffectedSOPClassUID',
  'AffectedSOPInstanceUID',
  'RequestedSOPClassUID',
  'RequestedSOPInstanceUID',
  'TransactionUID',
  'ImplementationClassUID',
  'ImplementationVersionName',
  'Modality',
  'Rows',
  'Columns',
  'BitsAllocated',
  'BitsStored',
  'HighBit',
  'PixelRepresentation',
  'SamplesPerPixel',
  'PhotometricInterpretation',
  'NumberOfFrames',
  'InstanceNumber',
  'SeriesNumber',
  'Status',
  'SpecificCharacterSet',
  'QueryRetrieveLevel',
  'EventTypeID',
  'ActionTypeID',
  'PerformedProcedureStepStatus',
]);

const TAG_KEY = /^[0-9A-Fa-f]{8}$/;

/** True when an object looks like a DICOM dataset (dcmjs naturalized or denaturalized form). */
export function looksLikeDataset(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const key of Object.keys(value)) {
    if (key === '_meta' || key === '_vrMap' || TAG_KEY.test(key) || PHI_KEYWORDS.has(key)) return true;
  }
  return false;
}

/**
 * A copy of a dataset-like object in which only allow-listed keywords (and UI-valued tags of the
 * denaturalized form) keep their values; sequences are redacted recursively; every other value
 * becomes `[REDACTED]`. Binary values are reduced to their byte length.
 */
export function redactDataset(dataset: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(dataset)) {
    if (key === '_vrMap') continue;
    if (key === '_meta' && value && typeof value === 'object') {
      out[key] = redactDataset(value as Record<string, unknown>);
    } else if (TAG_KEY.test(key)) {
      out[key] = redactTagged(value);
    } else if (LOGGABLE_KEYWORDS.has(key)) {
      out[key] = value;
    } else if (Array.isArray(value) && value.length > 0 && value.every(looksLikeObject)) {
      out[key] = value.map((item) => redactDataset(item as Record<string, unknown>));
    } else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      out[key] = `[${value.byteLength} bytes]`;
    } else {
      out[key] = REDACTED;
    }
  }
  return out;
}

function looksLikeObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function redactTagged(element: unknown): unknown {
  if (!looksLikeObject(element)) return REDACTED;
  const { vr, Value } = element as { vr?: unknown; Value?: unknown };
  if (vr === 'UI' || vr === 'US' || vr === 'UL') return element;
  if (vr === 'SQ' && Array.isArray(Value)) {
    return { vr, Value: Value.map((item) => (looksLikeObject(item) ? redactDataset(item) : REDACTED)) };
  }
  return { vr, Value: REDACTED };
}

/**
 * Redacts any value before it reaches a log sink: known PHI keywords anywhere in the object tree
 * become `[REDACTED]` and dataset-like objects go through `redactDataset`. Cycles are cut.
 */
export function redactPhi(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((v) => redactPhi(v, seen));
  if (looksLikeDataset(value)) return redactDataset(value);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = PHI_KEYWORDS.has(key) ? REDACTED : redactPhi(v, seen);
  }
  return out;
}
