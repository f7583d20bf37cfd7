import { type NaturalDataset, SOP_CLASS } from '@hnvue/dicom';
import {
  applyCharacterSet,
  codedEntryItem,
  codeItem,
  context,
  da,
  ds16,
  equipmentModule,
  type SubjectInput,
  seriesModule,
  sopCommon,
  subjectModules,
  tm,
} from './common.js';
import { IodInputError, IodInvalidError } from './errors.js';
import type { BuildOptions, CodedConcept, EquipmentInput, SeriesInput } from './types.js';
import { validateIod } from './validate/index.js';
import type { Finding } from './validate/types.js';
import { assertValidValues } from './values.js';

export const XRAY_RADIATION_DOSE_SR_SOP_CLASS: typeof SOP_CLASS.xRayRadiationDoseSrStorage =
  SOP_CLASS.xRayRadiationDoseSrStorage;

/** One exposure (TID 10003 Irradiation Event X-Ray Data). */
export interface IrradiationEvent {
  /** Irradiation Event UID; generated when absent. Put the same UID in the image's (0008,3010). */
  readonly uid?: string;
  readonly start: Date;
  readonly protocol?: string;
  /** Target region (CID 4031), e.g. { value: '51185008', scheme: 'SCT', meaning: 'Thorax' }. */
  readonly targetRegion?: CodedConcept;
  /** Dose-area product as the DAP meter reports it, dGy·cm² (written as Gy·m²). */
  readonly dapDgyCm2: number;
  /** Dose at the reference point, mGy (written as Gy). */
  readonly doseRpMgy?: number;
  readonly kvp?: number;
  readonly tubeCurrentMa?: number;
  readonly exposureTimeMs?: number;
  readonly exposureUas?: number;
  readonly focalSpotMm?: number;
  readonly sourceToDetectorMm?: number;
  readonly exposureIndex?: number;
  readonly targetExposureIndex?: number;
  readonly deviationIndex?: number;
}

/** TID 1004 Device Observer Identifying Attributes. */
export interface DeviceObserver {
  readonly uid: string;
  readonly name?: string;
  readonly manufacturer?: string;
  readonly modelName?: string;
  readonly serialNumber?: string;
  readonly location?: string;
}

export interface EvidenceImage {
  readonly seriesInstanceUid: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

export interface RdsrInput extends SubjectInput {
  /** Enhanced General Equipment (PS3.3 C.7.5.2) makes model, serial and software Type 1. */
  readonly equipment: EquipmentInput;
  readonly series?: SeriesInput;
  readonly observer: DeviceObserver;
  readonly events: readonly IrradiationEvent[];
  /** Images produced by these exposures (Current Requested Procedure Evidence). */
  readonly images?: readonly EvidenceImage[];
  readonly instanceNumber?: number;
}

export interface BuiltReport {
  readonly dataset: NaturalDataset;
  readonly findings: readonly Finding[];
}

const DCM = (value: string, meaning: string): CodedConcept => ({ value, scheme: 'DCM', meaning });
const UCUM = (unit: string, meaning = unit): NaturalDataset => ({
  CodeValue: unit,
  CodingSchemeDesignator: 'UCUM',
  CodeMeaning: meaning,
});

// Coded concepts of TID 10001–10003 (PS3.16), values checked against the DCM/SCT code tables.
export type RdsrCode =
  | 'report'
  | 'procedureReported'
  | 'projectionXRay'
  | 'hasIntent'
  | 'diagnosticIntent'
  | 'observerType'
  | 'device'
  | 'deviceObserverUid'
  | 'deviceObserverName'
  | 'deviceObserverManufacturer'
  | 'deviceObserverModelName'
  | 'deviceObserverSerialNumber'
  | 'deviceObserverLocation'
  | 'scopeOfAccumulation'
  | 'study'
  | 'studyInstanceUid'
  | 'accumulatedDoseData'
  | 'acquisitionPlane'
  | 'singlePlane'
  | 'dapTotal'
  | 'doseRpTotal'
  | 'radiographicFrames'
  | 'irradiationEvent'
  | 'irradiationEventUid'
  | 'dateTimeStarted'
  | 'irradiationEventType'
  | 'stationaryAcquisition'
  | 'acquisitionProtocol'
  | 'targetRegion'
  | 'dap'
  | 'doseRp'
  | 'kvp'
  | 'tubeCurrent'
  | 'exposureTime'
  | 'exposure'
  | 'focalSpotSize'
  | 'distanceSourceToDetector'
  | 'exposureIndex'
  | 'targetExposureIndex'
  | 'deviationIndex'
  | 'sourceOfDoseInformation'
  | 'automatedDataCollection';

export const RDSR_CODES: Readonly<Record<RdsrCode, CodedConcept>> = {
  report: DCM('113701', 'X-Ray Radiation Dose Report'),
  procedureReported: DCM('121058', 'Procedure reported'),
  projectionXRay: DCM('113704', 'Projection X-Ray'),
  hasIntent: { value: '363703001', scheme: 'SCT', meaning: 'Has Intent' },
  diagnosticIntent: { value: '261004008', scheme: 'SCT', meaning: 'Diagnostic Intent' },
  observerType: DCM('121005', 'Observer Type'),
  device: DCM('121007', 'Device'),
  deviceObserverUid: DCM('121012', 'Device Observer UID'),
  deviceObserverName: DCM('121013', 'Device Observer Name'),
  deviceObserverManufacturer: DCM('121014', 'Device Observer Manufacturer'),
  deviceObserverModelName: DCM('121015', 'Device Observer Model Name'),
  deviceObserverSerialNumber: DCM('121016', 'Device Observer Serial Number'),
  deviceObserverLocation: DCM('121017', 'Device Observer Physical Location During Observation'),
  scopeOfAccumulation: DCM('113705', 'Scope of Accumulation'),
  study: DCM('113014', 'Study'),
  studyInstanceUid: DCM('110180', 'Study Instance UID'),
  accumulatedDoseData: DCM('113702', 'Accumulated X-Ray Dose Data'),
  acquisitionPlane: DCM('113764', 'Acquisition Plane'),
  singlePlane: DCM('113622', 'Single Plane'),
  dapTotal: DCM('113722', 'Dose Area Product Total'),
  doseRpTotal: DCM('113725', 'Dose (RP) Total'),
  radiographicFrames: DCM('113731', 'Total Number of Radiographic Frames'),
  irradiationEvent: DCM('113706', 'Irradiation Event X-Ray Data'),
  irradiationEventUid: DCM('113769', 'Irradiation Event UID'),
  dateTimeStarted: DCM('111526', 'DateTime Started'),
  irradiationEventType: DCM('113721', 'Irradiation Event Type'),
  stationaryAcquisition: DCM('113611', 'Stationary Acquisition'),
  acquisitionProtocol: DCM('125203', 'Acquisition Protocol'),
  targetRegion: DCM('123014', 'Target Region'),
  dap: DCM('122130', 'Dose Area Product'),
  doseRp: DCM('113738', 'Dose (RP)'),
  kvp: DCM('113733', 'KVP'),
  tubeCurrent: DCM('113734', 'X-Ray Tube Current'),
  exposureTime: DCM('113824', 'Exposure Time'),
  exposure: DCM('113736', 'Exposure'),
  focalSpotSize: DCM('113766', 'Focal Spot Size'),
  distanceSourceToDetector: DCM('113750', 'Distance Source to Detector'),
  exposureIndex: DCM('113845', 'Exposure Index'),
  targetExposureIndex: DCM('113846', 'Target Exposure Index'),
  deviationIndex: DCM('113847', 'Deviation Index'),
  sourceOfDoseInformation: DCM('113854', 'Source of Dose Information'),
  automatedDataCollection: DCM('113856', 'Automated Data Collection'),
};

type Relationship = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'HAS PROPERTIES';

function item(
  rel: Relationship,
  valueType: string,
  name: CodedConcept,
  value: NaturalDataset,
  children?: NaturalDataset[],
): NaturalDataset {
  const it: NaturalDataset = {
    RelationshipType: rel,
    ValueType: valueType,
    ConceptNameCodeSequence: [codeItem(name)],
    ...value,
  };
  if (children !== undefined && children.length > 0) it.ContentSequence = children;
  return it;
}

const code = (
  rel: Relationship,
  name: CodedConcept,
  value: CodedConcept,
  children?: NaturalDataset[],
): NaturalDataset => item(rel, 'CODE', name, { ConceptCodeSequence: [codeItem(value)] }, children);
const text = (rel: Relationship, name: CodedConcept, value: string): NaturalDataset =>
  item(rel, 'TEXT', name, { TextValue: value });
const uidref = (rel: Relationship, name: CodedConcept, value: string): NaturalDataset =>
  item(rel, 'UIDREF', name, { UID: value });
const num = (name: CodedConcept, value: number, unit: string, meaning?: string): NaturalDataset =>
  item('CONTAINS', 'NUM', name, {
    MeasuredValueSequence: [
      { NumericValue: ds16(value), MeasurementUnitsCodeSequence: [UCUM(unit, meaning)] },
    ],
  });

function dt(d: Date): string {
  return `${da(d)}${tm(d)}`;
}

// dGy·cm² → Gy·m²: 0.1 Gy × 1e-4 m².
const DGYCM2_TO_GYM2 = 1e-5;

function observerContext(o: DeviceObserver): NaturalDataset[] {
  const c = RDSR_CODES;
  const out = [
    code('HAS OBS CONTEXT', c.observerType, c.device),
    uidref('HAS OBS CONTEXT', c.deviceObserverUid, o.uid),
  ];
  if (o.name !== undefined) out.push(text('HAS OBS CONTEXT', c.deviceObserverName, o.name));
  if (o.manufacturer !== undefined)
    out.push(text('HAS OBS CONTEXT', c.deviceObserverManufacturer, o.manufacturer));
  if (o.modelName !== undefined) out.push(text('HAS OBS CONTEXT', c.deviceObserverModelName, o.modelName));
  if (o.serialNumber !== undefined)
    out.push(text('HAS OBS CONTEXT', c.deviceObserverSerialNumber, o.serialNumber));
  if (o.location !== undefined) out.push(text('HAS OBS CONTEXT', c.deviceObserverLocation, o.location));
  return out;
}

function eventContainer(e: IrradiationEvent, uid: string): NaturalDataset {
  const c = RDSR_CODES;
  const children: NaturalDataset[] = [
    code('CONTAINS', c.acquisitionPlane, c.singlePlane),
    uidref('CONTAINS', c.irradiationEventUid, uid),
    item('CONTAINS', 'DATETIME', c.dateTimeStarted, { DateTime: dt(e.start) }),
    code('CONTAINS', c.irradiationEventType, c.stationaryAcquisition),
  ];
  if (e.protocol !== undefined) children.push(text('CONTAINS', c.acquisitionProtocol, e.protocol));
  if (e.targetRegion !== undefined) children.push(code('CONTAINS', c.targetRegion, e.targetRegion));
  children.push(num(c.dap, e.dapDgyCm2 * DGYCM2_TO_GYM2, 'Gy.m2'));
  if (e.doseRpMgy !== undefined) children.push(num(c.doseRp, e.doseRpMgy / 1000, 'Gy'));
  // TID 10003A detector data.
  if (e.exposureIndex !== undefined) children.push(num(c.exposureIndex, e.exposureIndex, '1', 'no units'));
  if (e.targetExposureIndex !== undefined)
    children.push(num(c.targetExposureIndex, e.targetExposureIndex, '1', 'no units'));
  if (e.deviationIndex !== undefined) children.push(num(c.deviationIndex, e.deviationIndex, '1', 'no units'));
  // TID 10003B source data.
  if (e.kvp !== undefined) children.push(num(c.kvp, e.kvp, 'kV'));
  if (e.tubeCurrentMa !== undefined) children.push(num(c.tubeCurrent, e.tubeCurrentMa, 'mA'));
  if (e.exposureTimeMs !== undefined) children.push(num(c.exposureTime, e.exposureTimeMs, 'ms'));
  if (e.exposureUas !== undefined) children.push(num(c.exposure, e.exposureUas, 'uA.s'));
  if (e.focalSpotMm !== undefined) children.push(num(c.focalSpotSize, e.focalSpotMm, 'mm'));
  // TID 10003C mechanical data.
  if (e.sourceToDetectorMm !== undefined)
    children.push(num(c.distanceSourceToDetector, e.sourceToDetectorMm, 'mm'));
  return item('CONTAINS', 'CONTAINER', c.irradiationEvent, { ContinuityOfContent: 'SEPARATE' }, children);
}

/**
 * X-Ray Radiation Dose SR (PS3.3 A.35.8) with the TID 10001 Projection X-Ray Radiation Dose
 * content tree (IHE REM): procedure reported, device observer context (TID 1002/1004), scope of
 * accumulation (the study), accumulated dose data (TID 10002/10007: DAP total, RP dose total,
 * number of frames), one TID 10003 irradiation event per exposure, and the source of dose
 * information. Units are UCUM; DAP is converted from dGy·cm² to Gy·m².
 */
export function buildRdsr(input: RdsrInput, options: BuildOptions = {}): BuiltReport {
  if (input.events.length === 0)
    throw new IodInputError('a dose report needs at least one irradiation event');
  const ctx = context(options);
  const c = RDSR_CODES;
  const subject = subjectModules(input, ctx);
  const studyUid = String(subject.StudyInstanceUID);
  const events = input.events.map((e) => ({ e, uid: e.uid ?? ctx.uid() }));
  const totalDap = input.events.reduce((s, e) => s + e.dapDgyCm2, 0) * DGYCM2_TO_GYM2;
  const rp = input.events.map((e) => e.doseRpMgy);
  const accumulated: NaturalDataset[] = [
    code('CONTAINS', c.acquisitionPlane, c.singlePlane),
    num(c.dapTotal, totalDap, 'Gy.m2'),
  ];
  if (rp.every((v) => v !== undefined)) {
    accumulated.push(num(c.doseRpTotal, rp.reduce((s: number, v) => s + (v ?? 0), 0) / 1000, 'Gy'));
  }
  accumulated.push(num(c.radiographicFrames, input.events.length, '{frames}', 'frames'));
  const content: NaturalDataset[] = [
    code('HAS CONCEPT MOD', c.procedureReported, c.projectionXRay, [
      code('HAS CONCEPT MOD', c.hasIntent, c.diagnosticIntent),
    ]),
    ...observerContext(input.observer),
    code('HAS OBS CONTEXT', c.scopeOfAccumulation, c.study, [
      uidref('HAS PROPERTIES', c.studyInstanceUid, studyUid),
    ]),
    item('CONTAINS', 'CONTAINER', c.accumulatedDoseData, { ContinuityOfContent: 'SEPARATE' }, accumulated),
    ...events.map(({ e, uid }) => eventContainer(e, uid)),
    code('CONTAINS', c.sourceOfDoseInformation, c.automatedDataCollection),
  ];
  const ds: NaturalDataset = {
    ...sopCommon(XRAY_RADIATION_DOSE_SR_SOP_CLASS, ctx),
    ...subject,
    ...seriesModule('SR', input.series, ctx),
    // PS3.3 C.17.1: SR Document Series makes the PPS reference Type 2.
    ReferencedPerformedProcedureStepSequence: [],
    ...equipmentModule(input.equipment),
    // PS3.3 C.17.2 SR Document General.
    InstanceNumber: input.instanceNumber ?? 1,
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: da(ctx.now),
    ContentTime: tm(ctx.now),
    PerformedProcedureCodeSequence: [],
    // PS3.3 C.17.3 SR Document Content: the root container.
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [codeItem(c.report)],
    ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '10001' }],
    ContentSequence: content,
  };
  const pps = input.series?.performedProcedureStep;
  if (pps !== undefined) {
    ds.ReferencedPerformedProcedureStepSequence = [
      {
        ReferencedSOPClassUID: SOP_CLASS.modalityPerformedProcedureStep,
        ReferencedSOPInstanceUID: pps.sopInstanceUid,
      },
    ];
  }
  const wl = input.worklistItem;
  if (wl !== undefined) {
    // C.17.2.2 Referenced Request Sequence: the order this report fulfils (IHE SWF/REM).
    ds.ReferencedRequestSequence = [
      {
        StudyInstanceUID: wl.studyInstanceUid ?? subject.StudyInstanceUID,
        ReferencedStudySequence: (wl.referencedStudies ?? []).map((r) => ({
          ReferencedSOPClassUID: r.sopClassUid,
          ReferencedSOPInstanceUID: r.sopInstanceUid,
        })),
        AccessionNumber: wl.accessionNumber ?? '',
        PlacerOrderNumberImagingServiceRequest: '',
        FillerOrderNumberImagingServiceRequest: '',
        RequestedProcedureID: wl.requestedProcedureId ?? '',
        RequestedProcedureDescription: wl.requestedProcedureDescription ?? '',
        RequestedProcedureCodeSequence: wl.requestedProcedureCodes[0]
          ? [codedEntryItem(wl.requestedProcedureCodes[0])]
          : [],
      },
    ];
  }
  if (input.images !== undefined && input.images.length > 0) {
    const bySeries = new Map<string, NaturalDataset[]>();
    for (const im of input.images) {
      const list = bySeries.get(im.seriesInstanceUid) ?? [];
      list.push({ ReferencedSOPClassUID: im.sopClassUid, ReferencedSOPInstanceUID: im.sopInstanceUid });
      bySeries.set(im.seriesInstanceUid, list);
    }
    // C.17.2.3 Hierarchical SOP Instance Reference Macro.
    ds.CurrentRequestedProcedureEvidenceSequence = [
      {
        StudyInstanceUID: studyUid,
        ReferencedSeriesSequence: [...bySeries].map(([series, refs]) => ({
          SeriesInstanceUID: series,
          ReferencedSOPSequence: refs,
        })),
      },
    ];
  }
  applyCharacterSet(ds, options.characterSet);
  assertValidValues(ds);
  const findings = validateIod(ds);
  if (!options.allowInvalid && findings.some((f) => f.severity === 'error'))
    throw new IodInvalidError('RDSR', findings);
  return { dataset: ds, findings };
}
