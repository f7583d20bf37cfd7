/**
 * The SOP classes (PS3.6 Table A-1, PS3.4) HnVue sends, serves or names, with what kind of
 * service each belongs to, plus the well-known SOP instances and the application context name.
 * Like transfer-syntax.ts this is the one place where these UIDs are written; everything else
 * takes `SOP_CLASS.x` / `sopClass(uid)`. Storage: the common image, SR, presentation state,
 * key object and encapsulated document classes of PS3.4 Annex B (Table B.5-1), not every
 * modality's.
 */

/** The service class a SOP class belongs to (PS3.4 annexes). */
export type SopClassKind =
  | 'verification'
  | 'storage'
  | 'commitment'
  | 'query'
  | 'retrieve'
  | 'worklist'
  | 'mpps'
  | 'print'
  | 'print-meta'
  | 'notification'
  | 'meta';

export interface SopClassInfo {
  readonly uid: string;
  /** The name in PS3.6 Table A-1, without the trailing `SOP Class`. */
  readonly name: string;
  /** Short camelCase key used in code (`SOP_CLASS.digitalXRayImageStorageForPresentation`). */
  readonly key: string;
  readonly kind: SopClassKind;
  /** Retired in the current standard. */
  readonly retired: boolean;
}

type Entry = readonly [key: string, uid: string, name: string, kind: SopClassKind, retired?: true];

// PS3.6 Table A-1 (2025b), SOP Class rows. Storage classes: PS3.4 Table B.5-1.
// biome-ignore format: one row per SOP class reads as the standard's table.
const ENTRIES: readonly Entry[] = [
  ['verification', '1.2.840.10008.1.1', 'Verification', 'verification'],
  ['storageCommitmentPushModel', '1.2.840.10008.1.20.1', 'Storage Commitment Push Model', 'commitment'],
  ['storageCommitmentPullModel', '1.2.840.10008.1.20.2', 'Storage Commitment Pull Model', 'commitment', true],
  ['modalityPerformedProcedureStep', '1.2.840.10008.3.1.2.3.3', 'Modality Performed Procedure Step', 'mpps'],
  ['modalityPerformedProcedureStepRetrieve', '1.2.840.10008.3.1.2.3.4', 'Modality Performed Procedure Step Retrieve', 'mpps', true],
  ['modalityPerformedProcedureStepNotification', '1.2.840.10008.3.1.2.3.5', 'Modality Performed Procedure Step Notification', 'mpps', true],
  // Print Management (PS3.4 Annex H)
  ['basicFilmSession', '1.2.840.10008.5.1.1.1', 'Basic Film Session', 'print'],
  ['basicFilmBox', '1.2.840.10008.5.1.1.2', 'Basic Film Box', 'print'],
  ['basicGrayscaleImageBox', '1.2.840.10008.5.1.1.4', 'Basic Grayscale Image Box', 'print'],
  ['basicColorImageBox', '1.2.840.10008.5.1.1.4.1', 'Basic Color Image Box', 'print'],
  ['basicGrayscalePrintManagementMeta', '1.2.840.10008.5.1.1.9', 'Basic Grayscale Print Management Meta', 'print-meta'],
  ['printJob', '1.2.840.10008.5.1.1.14', 'Print Job', 'print'],
  ['basicAnnotationBox', '1.2.840.10008.5.1.1.15', 'Basic Annotation Box', 'print'],
  ['printer', '1.2.840.10008.5.1.1.16', 'Printer', 'print'],
  ['printerConfigurationRetrieval', '1.2.840.10008.5.1.1.16.376', 'Printer Configuration Retrieval', 'print'],
  ['basicColorPrintManagementMeta', '1.2.840.10008.5.1.1.18', 'Basic Color Print Management Meta', 'print-meta'],
  ['presentationLut', '1.2.840.10008.5.1.1.23', 'Presentation LUT', 'print'],
  // Storage (PS3.4 Table B.5-1)
  ['computedRadiographyImageStorage', '1.2.840.10008.5.1.4.1.1.1', 'Computed Radiography Image Storage', 'storage'],
  ['digitalXRayImageStorageForPresentation', '1.2.840.10008.5.1.4.1.1.1.1', 'Digital X-Ray Image Storage - For Presentation', 'storage'],
  ['digitalXRayImageStorageForProcessing', '1.2.840.10008.5.1.4.1.1.1.1.1', 'Digital X-Ray Image Storage - For Processing', 'storage'],
  ['digitalMammographyXRayImageStorageForPresentation', '1.2.840.10008.5.1.4.1.1.1.2', 'Digital Mammography X-Ray Image Storage - For Presentation', 'storage'],
  ['digitalMammographyXRayImageStorageForProcessing', '1.2.840.10008.5.1.4.1.1.1.2.1', 'Digital Mammography X-Ray Image Storage - For Processing', 'storage'],
  ['digitalIntraOralXRayImageStorageForPresentation', '1.2.840.10008.5.1.4.1.1.1.3', 'Digital Intra-Oral X-Ray Image Storage - For Presentation', 'storage'],
  ['digitalIntraOralXRayImageStorageForProcessing', '1.2.840.10008.5.1.4.1.1.1.3.1', 'Digital Intra-Oral X-Ray Image Storage - For Processing', 'storage'],
  ['ctImageStorage', '1.2.840.10008.5.1.4.1.1.2', 'CT Image Storage', 'storage'],
  ['enhancedCtImageStorage', '1.2.840.10008.5.1.4.1.1.2.1', 'Enhanced CT Image Storage', 'storage'],
  ['legacyConvertedEnhancedCtImageStorage', '1.2.840.10008.5.1.4.1.1.2.2', 'Legacy Converted Enhanced CT Image Storage', 'storage'],
  ['ultrasoundMultiFrameImageStorage', '1.2.840.10008.5.1.4.1.1.3.1', 'Ultrasound Multi-frame Image Storage', 'storage'],
  ['mrImageStorage', '1.2.840.10008.5.1.4.1.1.4', 'MR Image Storage', 'storage'],
  ['enhancedMrImageStorage', '1.2.840.10008.5.1.4.1.1.4.1', 'Enhanced MR Image Storage', 'storage'],
  ['mrSpectroscopyStorage', '1.2.840.10008.5.1.4.1.1.4.2', 'MR Spectroscopy Storage', 'storage'],
  ['enhancedMrColorImageStorage', '1.2.840.10008.5.1.4.1.1.4.3', 'Enhanced MR Color Image Storage', 'storage'],
  ['legacyConvertedEnhancedMrImageStorage', '1.2.840.10008.5.1.4.1.1.4.4', 'Legacy Converted Enhanced MR Image Storage', 'storage'],
  ['ultrasoundImageStorage', '1.2.840.10008.5.1.4.1.1.6.1', 'Ultrasound Image Storage', 'storage'],
  ['enhancedUsVolumeStorage', '1.2.840.10008.5.1.4.1.1.6.2', 'Enhanced US Volume Storage', 'storage'],
  ['secondaryCaptureImageStorage', '1.2.840.10008.5.1.4.1.1.7', 'Secondary Capture Image Storage', 'storage'],
  ['multiFrameSingleBitSecondaryCaptureImageStorage', '1.2.840.10008.5.1.4.1.1.7.1', 'Multi-frame Single Bit Secondary Capture Image Storage', 'storage'],
  ['multiFrameGrayscaleByteSecondaryCaptureImageStorage', '1.2.840.10008.5.1.4.1.1.7.2', 'Multi-frame Grayscale Byte Secondary Capture Image Storage', 'storage'],
  ['multiFrameGrayscaleWordSecondaryCaptureImageStorage', '1.2.840.10008.5.1.4.1.1.7.3', 'Multi-frame Grayscale Word Secondary Capture Image Storage', 'storage'],
  ['multiFrameTrueColorSecondaryCaptureImageStorage', '1.2.840.10008.5.1.4.1.1.7.4', 'Multi-frame True Color Secondary Capture Image Storage', 'storage'],
  ['twelveLeadEcgWaveformStorage', '1.2.840.10008.5.1.4.1.1.9.1.1', '12-lead ECG Waveform Storage', 'storage'],
  ['grayscaleSoftcopyPresentationStateStorage', '1.2.840.10008.5.1.4.1.1.11.1', 'Grayscale Softcopy Presentation State Storage', 'storage'],
  ['colorSoftcopyPresentationStateStorage', '1.2.840.10008.5.1.4.1.1.11.2', 'Color Softcopy Presentation State Storage', 'storage'],
  ['pseudoColorSoftcopyPresentationStateStorage', '1.2.840.10008.5.1.4.1.1.11.3', 'Pseudo-Color Softcopy Presentation State Storage', 'storage'],
  ['blendingSoftcopyPresentationStateStorage', '1.2.840.10008.5.1.4.1.1.11.4', 'Blending Softcopy Presentation State Storage', 'storage'],
  ['xRayAngiographicImageStorage', '1.2.840.10008.5.1.4.1.1.12.1', 'X-Ray Angiographic Image Storage', 'storage'],
  ['enhancedXaImageStorage', '1.2.840.10008.5.1.4.1.1.12.1.1', 'Enhanced XA Image Storage', 'storage'],
  ['xRayRadiofluoroscopicImageStorage', '1.2.840.10008.5.1.4.1.1.12.2', 'X-Ray Radiofluoroscopic Image Storage', 'storage'],
  ['enhancedXrfImageStorage', '1.2.840.10008.5.1.4.1.1.12.2.1', 'Enhanced XRF Image Storage', 'storage'],
  ['xRay3dAngiographicImageStorage', '1.2.840.10008.5.1.4.1.1.13.1.1', 'X-Ray 3D Angiographic Image Storage', 'storage'],
  ['xRay3dCraniofacialImageStorage', '1.2.840.10008.5.1.4.1.1.13.1.2', 'X-Ray 3D Craniofacial Image Storage', 'storage'],
  ['breastTomosynthesisImageStorage', '1.2.840.10008.5.1.4.1.1.13.1.3', 'Breast Tomosynthesis Image Storage', 'storage'],
  ['breastProjectionXRayImageStorageForPresentation', '1.2.840.10008.5.1.4.1.1.13.1.4', 'Breast Projection X-Ray Image Storage - For Presentation', 'storage'],
  ['breastProjectionXRayImageStorageForProcessing', '1.2.840.10008.5.1.4.1.1.13.1.5', 'Breast Projection X-Ray Image Storage - For Processing', 'storage'],
  ['nuclearMedicineImageStorage', '1.2.840.10008.5.1.4.1.1.20', 'Nuclear Medicine Image Storage', 'storage'],
  ['parametricMapStorage', '1.2.840.10008.5.1.4.1.1.30', 'Parametric Map Storage', 'storage'],
  ['rawDataStorage', '1.2.840.10008.5.1.4.1.1.66', 'Raw Data Storage', 'storage'],
  ['spatialRegistrationStorage', '1.2.840.10008.5.1.4.1.1.66.1', 'Spatial Registration Storage', 'storage'],
  ['segmentationStorage', '1.2.840.10008.5.1.4.1.1.66.4', 'Segmentation Storage', 'storage'],
  ['vlEndoscopicImageStorage', '1.2.840.10008.5.1.4.1.1.77.1.1', 'VL Endoscopic Image Storage', 'storage'],
  ['vlMicroscopicImageStorage', '1.2.840.10008.5.1.4.1.1.77.1.2', 'VL Microscopic Image Storage', 'storage'],
  ['vlPhotographicImageStorage', '1.2.840.10008.5.1.4.1.1.77.1.4', 'VL Photographic Image Storage', 'storage'],
  ['videoPhotographicImageStorage', '1.2.840.10008.5.1.4.1.1.77.1.4.1', 'Video Photographic Image Storage', 'storage'],
  ['vlWholeSlideMicroscopyImageStorage', '1.2.840.10008.5.1.4.1.1.77.1.6', 'VL Whole Slide Microscopy Image Storage', 'storage'],
  ['basicTextSrStorage', '1.2.840.10008.5.1.4.1.1.88.11', 'Basic Text SR Storage', 'storage'],
  ['enhancedSrStorage', '1.2.840.10008.5.1.4.1.1.88.22', 'Enhanced SR Storage', 'storage'],
  ['comprehensiveSrStorage', '1.2.840.10008.5.1.4.1.1.88.33', 'Comprehensive SR Storage', 'storage'],
  ['comprehensive3dSrStorage', '1.2.840.10008.5.1.4.1.1.88.34', 'Comprehensive 3D SR Storage', 'storage'],
  ['procedureLogStorage', '1.2.840.10008.5.1.4.1.1.88.40', 'Procedure Log Storage', 'storage'],
  ['mammographyCadSrStorage', '1.2.840.10008.5.1.4.1.1.88.50', 'Mammography CAD SR Storage', 'storage'],
  ['keyObjectSelectionDocumentStorage', '1.2.840.10008.5.1.4.1.1.88.59', 'Key Object Selection Document Storage', 'storage'],
  ['chestCadSrStorage', '1.2.840.10008.5.1.4.1.1.88.65', 'Chest CAD SR Storage', 'storage'],
  ['xRayRadiationDoseSrStorage', '1.2.840.10008.5.1.4.1.1.88.67', 'X-Ray Radiation Dose SR Storage', 'storage'],
  ['radiopharmaceuticalRadiationDoseSrStorage', '1.2.840.10008.5.1.4.1.1.88.68', 'Radiopharmaceutical Radiation Dose SR Storage', 'storage'],
  ['acquisitionContextSrStorage', '1.2.840.10008.5.1.4.1.1.88.71', 'Acquisition Context SR Storage', 'storage'],
  ['patientRadiationDoseSrStorage', '1.2.840.10008.5.1.4.1.1.88.73', 'Patient Radiation Dose SR Storage', 'storage'],
  ['encapsulatedPdfStorage', '1.2.840.10008.5.1.4.1.1.104.1', 'Encapsulated PDF Storage', 'storage'],
  ['encapsulatedCdaStorage', '1.2.840.10008.5.1.4.1.1.104.2', 'Encapsulated CDA Storage', 'storage'],
  ['positronEmissionTomographyImageStorage', '1.2.840.10008.5.1.4.1.1.128', 'Positron Emission Tomography Image Storage', 'storage'],
  ['legacyConvertedEnhancedPetImageStorage', '1.2.840.10008.5.1.4.1.1.128.1', 'Legacy Converted Enhanced PET Image Storage', 'storage'],
  ['enhancedPetImageStorage', '1.2.840.10008.5.1.4.1.1.130', 'Enhanced PET Image Storage', 'storage'],
  ['rtImageStorage', '1.2.840.10008.5.1.4.1.1.481.1', 'RT Image Storage', 'storage'],
  ['rtDoseStorage', '1.2.840.10008.5.1.4.1.1.481.2', 'RT Dose Storage', 'storage'],
  ['rtStructureSetStorage', '1.2.840.10008.5.1.4.1.1.481.3', 'RT Structure Set Storage', 'storage'],
  ['rtPlanStorage', '1.2.840.10008.5.1.4.1.1.481.5', 'RT Plan Storage', 'storage'],
  // Query/Retrieve (PS3.4 Annex C)
  ['patientRootQueryRetrieveFind', '1.2.840.10008.5.1.4.1.2.1.1', 'Patient Root Query/Retrieve Information Model - FIND', 'query'],
  ['patientRootQueryRetrieveMove', '1.2.840.10008.5.1.4.1.2.1.2', 'Patient Root Query/Retrieve Information Model - MOVE', 'retrieve'],
  ['patientRootQueryRetrieveGet', '1.2.840.10008.5.1.4.1.2.1.3', 'Patient Root Query/Retrieve Information Model - GET', 'retrieve'],
  ['studyRootQueryRetrieveFind', '1.2.840.10008.5.1.4.1.2.2.1', 'Study Root Query/Retrieve Information Model - FIND', 'query'],
  ['studyRootQueryRetrieveMove', '1.2.840.10008.5.1.4.1.2.2.2', 'Study Root Query/Retrieve Information Model - MOVE', 'retrieve'],
  ['studyRootQueryRetrieveGet', '1.2.840.10008.5.1.4.1.2.2.3', 'Study Root Query/Retrieve Information Model - GET', 'retrieve'],
  ['patientStudyOnlyQueryRetrieveFind', '1.2.840.10008.5.1.4.1.2.3.1', 'Patient/Study Only Query/Retrieve Information Model - FIND', 'query', true],
  ['patientStudyOnlyQueryRetrieveMove', '1.2.840.10008.5.1.4.1.2.3.2', 'Patient/Study Only Query/Retrieve Information Model - MOVE', 'retrieve', true],
  ['patientStudyOnlyQueryRetrieveGet', '1.2.840.10008.5.1.4.1.2.3.3', 'Patient/Study Only Query/Retrieve Information Model - GET', 'retrieve', true],
  // Basic Worklist Management (PS3.4 Annex K)
  ['modalityWorklistFind', '1.2.840.10008.5.1.4.31', 'Modality Worklist Information Model - FIND', 'worklist'],
  ['instanceAvailabilityNotification', '1.2.840.10008.5.1.4.33', 'Instance Availability Notification', 'notification'],
];

function toInfo(e: Entry): SopClassInfo {
  const [key, uid, name, kind, retired] = e;
  return { key, uid, name, kind, retired: retired === true };
}

const BY_UID: ReadonlyMap<string, SopClassInfo> = new Map(ENTRIES.map((e) => [e[1], toInfo(e)]));

/** Every SOP class of the table, in table order. */
export const SOP_CLASSES: readonly SopClassInfo[] = [...BY_UID.values()];

/** The storage SOP classes of the table (`kind === 'storage'`). */
export const STORAGE_SOP_CLASSES: readonly SopClassInfo[] = SOP_CLASSES.filter((c) => c.kind === 'storage');

/**
 * SOP class UIDs by key: `SOP_CLASS.digitalXRayImageStorageForPresentation`, … The only place in
 * the code base where a SOP class UID is written (beside the table above, checked at load).
 */
export const SOP_CLASS = {
  verification: '1.2.840.10008.1.1',
  storageCommitmentPushModel: '1.2.840.10008.1.20.1',
  modalityPerformedProcedureStep: '1.2.840.10008.3.1.2.3.3',
  basicFilmSession: '1.2.840.10008.5.1.1.1',
  basicFilmBox: '1.2.840.10008.5.1.1.2',
  basicGrayscaleImageBox: '1.2.840.10008.5.1.1.4',
  basicColorImageBox: '1.2.840.10008.5.1.1.4.1',
  basicGrayscalePrintManagementMeta: '1.2.840.10008.5.1.1.9',
  printJob: '1.2.840.10008.5.1.1.14',
  basicAnnotationBox: '1.2.840.10008.5.1.1.15',
  printer: '1.2.840.10008.5.1.1.16',
  basicColorPrintManagementMeta: '1.2.840.10008.5.1.1.18',
  presentationLut: '1.2.840.10008.5.1.1.23',
  computedRadiographyImageStorage: '1.2.840.10008.5.1.4.1.1.1',
  digitalXRayImageStorageForPresentation: '1.2.840.10008.5.1.4.1.1.1.1',
  digitalXRayImageStorageForProcessing: '1.2.840.10008.5.1.4.1.1.1.1.1',
  digitalMammographyXRayImageStorageForPresentation: '1.2.840.10008.5.1.4.1.1.1.2',
  digitalMammographyXRayImageStorageForProcessing: '1.2.840.10008.5.1.4.1.1.1.2.1',
  digitalIntraOralXRayImageStorageForPresentation: '1.2.840.10008.5.1.4.1.1.1.3',
  ctImageStorage: '1.2.840.10008.5.1.4.1.1.2',
  enhancedCtImageStorage: '1.2.840.10008.5.1.4.1.1.2.1',
  ultrasoundMultiFrameImageStorage: '1.2.840.10008.5.1.4.1.1.3.1',
  mrImageStorage: '1.2.840.10008.5.1.4.1.1.4',
  enhancedMrImageStorage: '1.2.840.10008.5.1.4.1.1.4.1',
  ultrasoundImageStorage: '1.2.840.10008.5.1.4.1.1.6.1',
  secondaryCaptureImageStorage: '1.2.840.10008.5.1.4.1.1.7',
  multiFrameGrayscaleWordSecondaryCaptureImageStorage: '1.2.840.10008.5.1.4.1.1.7.3',
  grayscaleSoftcopyPresentationStateStorage: '1.2.840.10008.5.1.4.1.1.11.1',
  xRayAngiographicImageStorage: '1.2.840.10008.5.1.4.1.1.12.1',
  xRayRadiofluoroscopicImageStorage: '1.2.840.10008.5.1.4.1.1.12.2',
  nuclearMedicineImageStorage: '1.2.840.10008.5.1.4.1.1.20',
  vlPhotographicImageStorage: '1.2.840.10008.5.1.4.1.1.77.1.4',
  basicTextSrStorage: '1.2.840.10008.5.1.4.1.1.88.11',
  enhancedSrStorage: '1.2.840.10008.5.1.4.1.1.88.22',
  comprehensiveSrStorage: '1.2.840.10008.5.1.4.1.1.88.33',
  keyObjectSelectionDocumentStorage: '1.2.840.10008.5.1.4.1.1.88.59',
  xRayRadiationDoseSrStorage: '1.2.840.10008.5.1.4.1.1.88.67',
  encapsulatedPdfStorage: '1.2.840.10008.5.1.4.1.1.104.1',
  positronEmissionTomographyImageStorage: '1.2.840.10008.5.1.4.1.1.128',
  rtImageStorage: '1.2.840.10008.5.1.4.1.1.481.1',
  patientRootQueryRetrieveFind: '1.2.840.10008.5.1.4.1.2.1.1',
  patientRootQueryRetrieveMove: '1.2.840.10008.5.1.4.1.2.1.2',
  patientRootQueryRetrieveGet: '1.2.840.10008.5.1.4.1.2.1.3',
  studyRootQueryRetrieveFind: '1.2.840.10008.5.1.4.1.2.2.1',
  studyRootQueryRetrieveMove: '1.2.840.10008.5.1.4.1.2.2.2',
  studyRootQueryRetrieveGet: '1.2.840.10008.5.1.4.1.2.2.3',
  modalityWorklistFind: '1.2.840.10008.5.1.4.31',
  instanceAvailabilityNotification: '1.2.840.10008.5.1.4.33',
} as const;

export type KnownSopClassKey = keyof typeof SOP_CLASS;
export type KnownSopClassUid = (typeof SOP_CLASS)[KnownSopClassKey];

/** Well-known SOP instances (PS3.6 Table A-1, "Well-known SOP Instance"). */
export const SOP_INSTANCE = {
  /** Storage Commitment Push Model SOP Instance (PS3.4 J.3.5). */
  storageCommitmentPushModel: '1.2.840.10008.1.20.1.1',
  /** Printer SOP Instance (PS3.4 H.4.6). */
  printer: '1.2.840.10008.5.1.1.17',
  /** Printer Configuration Retrieval SOP Instance (PS3.4 H.4.11). */
  printerConfigurationRetrieval: '1.2.840.10008.5.1.1.17.376',
} as const;

/** DICOM Application Context Name (PS3.7 A.2.1), the only one PS3.7 defines. */
export const APPLICATION_CONTEXT_NAME = '1.2.840.10008.3.1.1.1' as const;

/** The registry entry of a SOP class, or `undefined` for one the table does not list. */
export function sopClass(uid: string): SopClassInfo | undefined {
  return BY_UID.get(uid.replace(/\0+$/, '').trim());
}

/** A storage SOP class of the table (PS3.4 Annex B). Unknown UIDs are not. */
export function isStorageSopClass(uid: string): boolean {
  return sopClass(uid)?.kind === 'storage';
}

/** The display name of a UID: SOP class name, or the UID itself. */
export function sopClassName(uid: string): string {
  return sopClass(uid)?.name ?? uid;
}

// Consistency of SOP_CLASS with the table, as for TS.
for (const [key, uid] of Object.entries(SOP_CLASS)) {
  if (BY_UID.get(uid)?.key !== key)
    throw new Error(`SOP class registry: SOP_CLASS.${key} does not match the table`);
}
