import {
  type CodedEntry,
  formatDate,
  formatPersonName,
  formatTime,
  type NaturalDataset,
  SOP_CLASS,
} from '@hnvue/dicom';
import { createUidGenerator, type UidGenerator } from '@hnvue/uid';
import { IodInputError } from './errors.js';
import type {
  BuildOptions,
  CharacterSet,
  CodedConcept,
  DateInput,
  EquipmentInput,
  PatientInput,
  PersonNameInput,
  SeriesInput,
  StudyInput,
  WorklistItem,
} from './types.js';

export function da(d: DateInput): string {
  return typeof d === 'string' ? d : formatDate(d);
}

export function tm(d: DateInput): string {
  return typeof d === 'string' ? d : formatTime(d, { fractionDigits: 3 });
}

export function pn(name: PersonNameInput | undefined): string {
  if (name === undefined) return '';
  if (typeof name === 'string') return name;
  return formatPersonName({ ...name, alphabetic: name.alphabetic ?? '' });
}

/**
 * A Code Sequence Macro item from a worklist's coded entry; Code Meaning is Type 1 in what we
 * write, so a code received without one carries its value as meaning.
 */
export function codedEntryItem(c: CodedEntry): NaturalDataset {
  return codeItem({
    value: c.codeValue,
    scheme: c.codingSchemeDesignator,
    meaning: c.codeMeaning ?? c.codeValue,
    ...(c.codingSchemeVersion ? { schemeVersion: c.codingSchemeVersion } : {}),
  });
}

/** A Code Sequence Macro item (PS3.3 Table 8.8-1). */
export function codeItem(c: CodedConcept): NaturalDataset {
  const item: NaturalDataset = {
    CodeValue: c.value,
    CodingSchemeDesignator: c.scheme,
    CodeMeaning: c.meaning,
  };
  if (c.schemeVersion !== undefined) item.CodingSchemeVersion = c.schemeVersion;
  return item;
}

let defaultGenerator: UidGenerator | undefined;

/**
 * The default UID source: one shared @hnvue/uid generator in its `2.25.` UUID mode (PS3.5
 * B.2), unique without an organisation root. Consoles inject `uid` from a generator built with
 * their org root and device serial.
 */
export function defaultUidSource(): () => string {
  defaultGenerator ??= createUidGenerator();
  const gen = defaultGenerator;
  return () => gen.next();
}

/** Resolved per-build context: one UID source and one clock for the whole object. */
export interface BuildContext {
  readonly uid: () => string;
  readonly now: Date;
}

export function context(options: BuildOptions): BuildContext {
  return { uid: options.uid ?? defaultUidSource(), now: options.now?.() ?? new Date() };
}

/**
 * Values of (0008,0005) for each set we build in; undefined: the attribute is omitted (default
 * repertoire). ISO 2022 IR 149 is the pair `\ISO 2022 IR 149`: ASCII in G0, KS X 1001 in G1
 * (PS3.5 6.1.2.5, Annex I). The encoding itself is @hnvue/dicom's.
 */
export function specificCharacterSetValue(cs: CharacterSet): string[] | undefined {
  switch (cs) {
    case 'ISO_IR 6':
      return undefined;
    case 'ISO_IR 192':
      return ['ISO_IR 192'];
    case 'ISO 2022 IR 149':
      return ['', 'ISO 2022 IR 149'];
  }
}

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out);
  else if (
    value !== null &&
    typeof value === 'object' &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof ArrayBuffer)
  ) {
    for (const v of Object.values(value)) collectStrings(v, out);
  }
}

/** Sets (0008,0005) from the option and the text actually present (PS3.3 C.12.1.1.2). */
export function applyCharacterSet(ds: NaturalDataset, option: BuildOptions['characterSet']): CharacterSet {
  // A received worklist answer's set: Korean sites keep ISO 2022 IR 149 (FR-DICOM-03).
  const chosen =
    typeof option === 'object'
      ? option.terms.includes('ISO 2022 IR 149')
        ? 'ISO 2022 IR 149'
        : 'auto'
      : option;
  let cs: CharacterSet;
  if (chosen === undefined || chosen === 'auto') {
    const strings: string[] = [];
    collectStrings(ds, strings);
    cs = strings.every(isAscii) ? 'ISO_IR 6' : 'ISO_IR 192';
  } else {
    cs = chosen;
  }
  const value = specificCharacterSetValue(cs);
  if (value === undefined) delete ds.SpecificCharacterSet;
  else ds.SpecificCharacterSet = value;
  return cs;
}

export interface SubjectInput {
  readonly worklistItem?: WorklistItem;
  readonly patient?: PatientInput;
  readonly study?: StudyInput;
}

/**
 * Patient, General Study and Patient Study modules, with the IHE SWF mapping of a worklist
 * item (RAD TF-2 Table 4.8-4): patient identity, Study Instance UID, Accession Number,
 * Referenced Study Sequence, Referring Physician and Requested Procedure Description → Study
 * Description, all copied unchanged.
 */
export function subjectModules(input: SubjectInput, ctx: BuildContext): NaturalDataset {
  const wl = input.worklistItem;
  const patient = wl === undefined ? (input.patient ?? {}) : patientOf(wl);
  const study = input.study ?? {};
  const ds: NaturalDataset = {
    PatientName: pn(patient.name),
    PatientID: patient.id ?? '',
    PatientBirthDate: patient.birthDate === undefined ? '' : da(patient.birthDate),
    PatientSex: patient.sex ?? '',
    StudyInstanceUID: wl?.studyInstanceUid ?? study.studyInstanceUid ?? ctx.uid(),
    StudyDate: da(study.studyDate ?? ctx.now),
    StudyTime: tm(study.studyTime ?? ctx.now),
    ReferringPhysicianName: pn(wl?.referringPhysicianName ?? study.referringPhysicianName),
    StudyID: study.studyId ?? wl?.requestedProcedureId?.slice(0, 16) ?? '',
    AccessionNumber: wl?.accessionNumber ?? study.accessionNumber ?? '',
  };
  if (patient.issuerOfPatientId !== undefined) ds.IssuerOfPatientID = patient.issuerOfPatientId;
  const description = study.description ?? wl?.requestedProcedureDescription;
  if (description !== undefined) ds.StudyDescription = description;
  const procedureCode = wl?.requestedProcedureCodes[0];
  if (procedureCode !== undefined) ds.ProcedureCodeSequence = [codedEntryItem(procedureCode)];
  if (wl?.referencedStudies !== undefined && wl.referencedStudies.length > 0) {
    ds.ReferencedStudySequence = wl.referencedStudies.map((r) => ({
      ReferencedSOPClassUID: r.sopClassUid,
      ReferencedSOPInstanceUID: r.sopInstanceUid,
    }));
  }
  return ds;
}

/**
 * Request Attributes Sequence (PS3.3 C.7.3.1, IHE SWF): one item per fulfilled requested
 * procedure / scheduled step, so the PACS can reconcile the image with the order.
 */
export function requestAttributes(wl: WorklistItem | undefined): NaturalDataset {
  if (wl === undefined) return {};
  const item: NaturalDataset = {};
  const step = wl.scheduledProcedureSteps[0];
  const procedureCode = wl.requestedProcedureCodes[0];
  if (wl.accessionNumber !== undefined) item.AccessionNumber = wl.accessionNumber;
  // Type 3 here (PS3.3 C.4.10): a worklist answer without one leaves it to General Study.
  if (wl.studyInstanceUid !== undefined) item.StudyInstanceUID = wl.studyInstanceUid;
  if (wl.requestedProcedureId !== undefined) item.RequestedProcedureID = wl.requestedProcedureId;
  if (wl.requestedProcedureDescription !== undefined) {
    item.RequestedProcedureDescription = wl.requestedProcedureDescription;
  }
  if (procedureCode !== undefined) item.RequestedProcedureCodeSequence = [codedEntryItem(procedureCode)];
  if (step?.stepId !== undefined) item.ScheduledProcedureStepID = step.stepId;
  if (step?.description !== undefined) item.ScheduledProcedureStepDescription = step.description;
  if (step !== undefined && step.protocolCodes.length > 0) {
    item.ScheduledProtocolCodeSequence = step.protocolCodes.map(codedEntryItem);
  }
  return { RequestAttributesSequence: [item] };
}

/** The patient of a worklist item, as the builders write it (PS3.3 C.7.1.1). */
function patientOf(wl: WorklistItem): PatientInput {
  const sex = wl.patientSex;
  return {
    ...(wl.patientName ? { name: wl.patientName } : {}),
    ...(wl.patientId ? { id: wl.patientId } : {}),
    ...(wl.issuerOfPatientId ? { issuerOfPatientId: wl.issuerOfPatientId } : {}),
    ...(wl.patientBirthDate ? { birthDate: wl.patientBirthDate } : {}),
    ...(sex === 'M' || sex === 'F' || sex === 'O' ? { sex } : {}),
  };
}

/** General Series (plus the modality-specific Modality value), Performed Procedure Step summary. */
export function seriesModule(
  modality: string,
  series: SeriesInput | undefined,
  ctx: BuildContext,
): NaturalDataset {
  const ds: NaturalDataset = {
    Modality: modality,
    SeriesInstanceUID: series?.seriesInstanceUid ?? ctx.uid(),
    SeriesNumber: series?.seriesNumber ?? 1,
    SeriesDate: da(ctx.now),
    SeriesTime: tm(ctx.now),
  };
  if (series?.seriesDescription !== undefined) ds.SeriesDescription = series.seriesDescription;
  if (series?.operatorsName !== undefined) ds.OperatorsName = pn(series.operatorsName);
  const pps = series?.performedProcedureStep;
  if (pps !== undefined) {
    // Modality Performed Procedure Step SOP Class (PS3.4 F.7).
    ds.ReferencedPerformedProcedureStepSequence = [
      {
        ReferencedSOPClassUID: SOP_CLASS.modalityPerformedProcedureStep,
        ReferencedSOPInstanceUID: pps.sopInstanceUid,
      },
    ];
    if (pps.id !== undefined) ds.PerformedProcedureStepID = pps.id;
    if (pps.start !== undefined) {
      ds.PerformedProcedureStepStartDate = da(pps.start);
      ds.PerformedProcedureStepStartTime = tm(pps.start);
    }
  }
  return ds;
}

export function equipmentModule(eq: EquipmentInput): NaturalDataset {
  const ds: NaturalDataset = { Manufacturer: eq.manufacturer };
  if (eq.institutionName !== undefined) ds.InstitutionName = eq.institutionName;
  if (eq.stationName !== undefined) ds.StationName = eq.stationName;
  if (eq.manufacturerModelName !== undefined) ds.ManufacturerModelName = eq.manufacturerModelName;
  if (eq.deviceSerialNumber !== undefined) ds.DeviceSerialNumber = eq.deviceSerialNumber;
  if (eq.softwareVersions !== undefined) ds.SoftwareVersions = eq.softwareVersions;
  return ds;
}

export function sopCommon(sopClassUid: string, ctx: BuildContext, sopInstanceUid?: string): NaturalDataset {
  return {
    SOPClassUID: sopClassUid,
    SOPInstanceUID: sopInstanceUid ?? ctx.uid(),
    InstanceCreationDate: da(ctx.now),
    InstanceCreationTime: tm(ctx.now),
  };
}

export function requirePositive(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new IodInputError(`${name} must be a positive integer`);
}

/** A DS value: at most 16 characters (PS3.5 6.2), shortest exact-enough decimal form. */
export function ds16(v: number): string {
  const plain = String(v);
  if (plain.length <= 16) return plain;
  for (let p = 15; p >= 1; p--) {
    let t = v.toPrecision(p);
    if (!t.includes('e') && t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '');
    if (t.length <= 16) return t;
  }
  return v.toExponential(6);
}
