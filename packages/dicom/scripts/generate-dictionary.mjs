#!/usr/bin/env node
/**
 * Generates packages/dicom/src/dictionary/data.ts (the PS3.6 data dictionary as one packed
 * string, parsed on first lookup) and tags.ts (the `TAG` constants of the curated keyword list
 * below) from dcmjs's dictionary. Run once per dcmjs upgrade, commit the output:
 *
 *   node packages/dicom/scripts/generate-dictionary.mjs          # write
 *   node packages/dicom/scripts/generate-dictionary.mjs --check  # exit 1 if the files differ
 *
 * dcmjs carries tag, VR, VM and keyword (retired keywords prefixed `RETIRED_`), not the PS3.6
 * attribute names; it writes the ambiguous VRs in DCMTK's short forms (`xs`, `ox`, `lt`, `up`),
 * which are expanded here into PS3.6's alternatives (`US or SS` → `US|SS`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const dcmjs = require('dcmjs');
// dcmjs's exports map hides package.json: read it beside the resolved entry (build/dcmjs.js).
const dcmjsVersion = JSON.parse(
  readFileSync(join(dirname(require.resolve('dcmjs')), '..', 'package.json'), 'utf8'),
).version;
const { DicomMetaDictionary } = dcmjs.data;

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'dictionary');

// DCMTK's short forms as PS3.6 writes them. `up` ("unsigned pointer") is UL in PS3.6.
const AMBIGUOUS = { xs: 'US|SS', ox: 'OB|OW', lt: 'US|OW', up: 'UL', na: 'NONE' };
// Entries whose PS3.6 VR list differs from what the short form says.
const VR_OVERRIDES = { '00281200': 'US|SS|OW' }; // Gray Lookup Table Data (retired)

/**
 * Keywords that get a `TAG.X` constant: those the code base names in its sources (scanned once
 * on 2026-12-03 over packages/<pkg>/src and native/lib) plus the command and meta elements.
 * Every other tag is one `lookupKeyword()` away; a constant for all ~5,000 keywords would be
 * evaluated at import time and defeat the lazy dictionary.
 */
// prettier-ignore
const TAG_KEYWORDS = `
CommandGroupLength AffectedSOPClassUID RequestedSOPClassUID CommandField MessageID MessageIDBeingRespondedTo
MoveDestination Priority CommandDataSetType Status OffendingElement ErrorComment ErrorID AffectedSOPInstanceUID
RequestedSOPInstanceUID EventTypeID AttributeIdentifierList ActionTypeID NumberOfRemainingSuboperations
NumberOfCompletedSuboperations NumberOfFailedSuboperations NumberOfWarningSuboperations
MoveOriginatorApplicationEntityTitle MoveOriginatorMessageID
FileMetaInformationGroupLength FileMetaInformationVersion MediaStorageSOPClassUID MediaStorageSOPInstanceUID
TransferSyntaxUID ImplementationClassUID ImplementationVersionName SourceApplicationEntityTitle
SpecificCharacterSet ImageType InstanceCreationDate InstanceCreationTime SOPClassUID SOPInstanceUID StudyDate
SeriesDate AcquisitionDate ContentDate AcquisitionDateTime StudyTime SeriesTime AcquisitionTime ContentTime
AccessionNumber QueryRetrieveLevel RetrieveAETitle Modality PresentationIntentType Manufacturer InstitutionName
InstitutionAddress ReferringPhysicianName ReferringPhysicianAddress ReferringPhysicianTelephoneNumbers CodeValue
CodingSchemeDesignator CodingSchemeVersion CodeMeaning MappingResource LongCodeValue URNCodeValue StationName
StudyDescription ProcedureCodeSequence SeriesDescription PhysiciansOfRecord PerformingPhysicianName
NameOfPhysiciansReadingStudy OperatorsName ManufacturerModelName ReferencedStudySequence
ReferencedPerformedProcedureStepSequence ReferencedSeriesSequence ReferencedPatientSequence ReferencedImageSequence
ReferencedSOPClassUID ReferencedSOPInstanceUID ReferencedFrameNumber TransactionUID FailureReason
FailedSOPSequence ReferencedSOPSequence AnatomicRegionSequence PatientName PatientID IssuerOfPatientID
PatientBirthDate PatientBirthTime PatientSex OtherPatientIDsSequence OtherPatientNames PatientBirthName PatientAge
PatientSize PatientWeight PatientAddress PatientMotherBirthName MilitaryRank MedicalRecordLocator MedicalAlerts
Allergies CountryOfResidence RegionOfResidence PatientTelephoneNumbers EthnicGroup Occupation
AdditionalPatientHistory PregnancyStatus ResponsiblePerson PatientComments FileSource BodyPartExamined
DeviceSerialNumber PlateID SoftwareVersions ProtocolName DistanceSourceToDetector DistanceSourceToPatient
ExposureTime XRayTubeCurrent Exposure ExposureInuAs ImageAndFluoroscopyAreaDoseProduct FilterType
ImagerPixelSpacing Grid FocalSpots PlateType PhosphorType PositionerType ShutterShape ShutterLeftVerticalEdge
ShutterRightVerticalEdge ShutterUpperHorizontalEdge ShutterLowerHorizontalEdge CenterOfCircularShutter
RadiusOfCircularShutter VerticesOfThePolygonalShutter ShutterPresentationValue ViewPosition Sensitivity
DetectorTemperature DetectorType DetectorConfiguration DetectorID DetectorBinning DetectorManufacturerName
ExposureControlMode StudyInstanceUID SeriesInstanceUID StudyID SeriesNumber InstanceNumber PatientOrientation
Laterality ImageLaterality FrameLaterality SamplesPerPixel PhotometricInterpretation PlanarConfiguration
NumberOfFrames Rows Columns PixelSpacing BitsAllocated BitsStored HighBit PixelRepresentation
SmallestImagePixelValue LargestImagePixelValue PixelPaddingValue BurnedInAnnotation PixelIntensityRelationship
PixelIntensityRelationshipSign WindowCenter WindowWidth RescaleIntercept RescaleSlope RescaleType
WindowCenterWidthExplanation LossyImageCompression LossyImageCompressionRatio LossyImageCompressionMethod
LUTDescriptor LUTData VOILUTSequence SoftcopyVOILUTSequence PixelDataProviderURL RequestingPhysician
RequestedProcedureDescription RequestedProcedureCodeSequence RequestedContrastAgent AdmissionID
CurrentPatientLocation PatientState ScheduledStationAETitle ScheduledProcedureStepStartDate
ScheduledProcedureStepStartTime ScheduledPerformingPhysicianName ScheduledProcedureStepDescription
ScheduledProtocolCodeSequence ScheduledProcedureStepID ScheduledStationName ScheduledProcedureStepLocation
PreMedication ScheduledProcedureStepStatus ScheduledProcedureStepSequence
ReferencedNonImageCompositeSOPInstanceSequence PerformedStationAETitle PerformedStationName PerformedLocation
PerformedProcedureStepStartDate PerformedProcedureStepStartTime PerformedProcedureStepEndDate
PerformedProcedureStepEndTime PerformedProcedureStepStatus PerformedProcedureStepID
PerformedProcedureStepDescription PerformedProcedureTypeDescription PerformedProtocolCodeSequence
ScheduledStepAttributesSequence RequestAttributesSequence PerformedProcedureStepDiscontinuationReasonCodeSequence
TotalTimeOfFluoroscopy TotalNumberOfExposures CommentsOnRadiationDose PerformedSeriesSequence
AcquisitionContextSequence MeasurementUnitsCodeSequence RequestedProcedureID RequestedProcedurePriority
PlacerOrderNumberImagingServiceRequest FillerOrderNumberImagingServiceRequest EntranceDoseInmGy RelationshipType
ValueType ConceptNameCodeSequence ContinuityOfContent DateTime Date Time PersonName TextValue ConceptCodeSequence
MeasuredValueSequence NumericValue ReferencedRequestSequence PerformedProcedureCodeSequence
CurrentRequestedProcedureEvidenceSequence CompletionFlag VerificationFlag ContentTemplateSequence ContentSequence
TemplateIdentifier ViewCodeSequence GraphicAnnotationSequence GraphicLayer BoundingBoxAnnotationUnits
AnchorPointAnnotationUnits GraphicAnnotationUnits UnformattedTextValue TextObjectSequence GraphicObjectSequence
BoundingBoxTopLeftHandCorner BoundingBoxBottomRightHandCorner BoundingBoxTextHorizontalJustification AnchorPoint
AnchorPointVisibility GraphicDimensions NumberOfGraphicPoints GraphicData GraphicType GraphicFilled
ImageHorizontalFlip ImageRotation DisplayedAreaTopLeftHandCorner DisplayedAreaBottomRightHandCorner
DisplayedAreaSelectionSequence GraphicLayerSequence GraphicLayerOrder GraphicLayerRecommendedDisplayGrayscaleValue
GraphicLayerDescription ContentLabel ContentDescription PresentationCreationDate PresentationCreationTime
ContentCreatorName PresentationSizeMode PresentationPixelSpacing PresentationPixelAspectRatio
PresentationPixelMagnificationRatio PresentationLUTSequence PresentationLUTShape Originator
ExtendedOffsetTable ExtendedOffsetTableLengths FloatPixelData DoubleFloatPixelData PixelData
Item ItemDelimitationItem SequenceDelimitationItem
`
  .trim()
  .split(/\s+/);

const hex4 = (n) => n.toString(16).toUpperCase().padStart(4, '0');

const rows = [];
const tagOf = new Map();
for (const e of Object.values(DicomMetaDictionary.nameMap)) {
  const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(e.tag);
  if (!m) continue; // private dictionary entries: not ours
  const group = Number.parseInt(m[1], 16);
  const element = Number.parseInt(m[2], 16);
  // dcmjs lists a repeating group (50xx, 60xx, 7Fxx) once, at its first group; its proxy answers
  // for the others. Probe the next even group to tell.
  const next = DicomMetaDictionary.dictionary[`(${hex4(group + 2)},${m[2].toUpperCase()})`];
  const repeating = (group & 0xff) === 0 && next !== undefined && next.name === e.name;
  const retired = e.name.startsWith('RETIRED_');
  const keyword = retired ? e.name.slice('RETIRED_'.length) : e.name;
  const hex = `${hex4(group)}${hex4(element)}`;
  const vr = VR_OVERRIDES[hex] ?? AMBIGUOUS[e.vr] ?? e.vr;
  if (!/^(NONE|[A-Z]{2}(\|[A-Z]{2})*)$/.test(vr)) throw new Error(`unexpected VR ${e.vr} for ${e.name}`);
  const key = repeating ? `${hex.slice(0, 2)}xx${hex.slice(4)}` : hex;
  if (tagOf.has(keyword)) throw new Error(`keyword ${keyword} twice`);
  tagOf.set(keyword, group * 0x10000 + element);
  rows.push({ key, sort: group * 0x10000 + element, vr, vm: e.vm, keyword, retired });
}
rows.sort((a, b) => a.sort - b.sort);

const lines = rows.map((r) => `${r.key}\t${r.vr}\t${r.vm}\t${r.retired ? '~' : ''}${r.keyword}`);
if (lines.some((l) => l.includes('`') || l.includes('\\') || l.includes('$')))
  throw new Error('unsafe character');

const data = `// Generated by scripts/generate-dictionary.mjs from dcmjs ${dcmjsVersion}: do not edit.
// One line per PS3.6 data element: tag (GGGGEEEE, \`xx\` for a repeating group), VR (\`|\` between
// alternatives, NONE for the item delimiters), VM, keyword (\`~\` before it: retired).
// ${rows.length} entries. A string literal costs next to nothing at import; dictionary.ts splits it on
// the first lookup.

// biome-ignore format: table data
export const DICTIONARY_DATA: string = \`
${lines.join('\n')}
\`;
`;

const missing = TAG_KEYWORDS.filter((k) => !tagOf.has(k));
if (missing.length > 0) throw new Error(`TAG keywords not in the dictionary: ${missing.join(' ')}`);
const seen = new Set();
const tagLines = [];
for (const k of TAG_KEYWORDS) {
  if (seen.has(k)) continue;
  seen.add(k);
  const t = tagOf.get(k);
  tagLines.push(`  ${k}: 0x${hex4(t >>> 16)}${hex4(t & 0xffff)},`);
}
const tags = `// Generated by scripts/generate-dictionary.mjs from dcmjs ${dcmjsVersion}: do not edit (add keywords
// to TAG_KEYWORDS there and run it again).

/**
 * Tags by keyword for the elements the code base names (\`TAG.PatientName === 0x00100010\`).
 * Curated, not all ~5,000 keywords: this object is built at import, the full dictionary only on
 * its first lookup (\`lookupKeyword\` finds every other keyword).
 */
// biome-ignore format: table data
export const TAG = {
${tagLines.join('\n')}
} as const;

/** A keyword that has a \`TAG\` constant. */
export type TagKeyword = keyof typeof TAG;
`;
const outputs = { 'data.ts': data, 'tags.ts': tags };
if (process.argv.includes('--check')) {
  const stale = Object.entries(outputs).filter(([file, text]) => {
    const path = join(out, file);
    return !existsSync(path) || readFileSync(path, 'utf8') !== text;
  });
  if (stale.length > 0) {
    console.error(`stale: ${stale.map(([f]) => f).join(', ')} (run scripts/generate-dictionary.mjs)`);
    process.exit(1);
  }
  console.log('dictionary up to date');
} else {
  for (const [file, text] of Object.entries(outputs)) writeFileSync(join(out, file), text);
  console.log(`data.ts: ${rows.length} entries; tags.ts: ${tagLines.length} constants`);
}
