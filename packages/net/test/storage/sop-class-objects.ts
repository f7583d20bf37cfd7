/**
 * One small object of each storage SOP class of the registry, for the every-SOP-class C-STORE
 * tests (sop-classes-dcmtk.test.ts): the Patient, General Study, General Series and SOP Common
 * attributes every composite IOD has (PS3.3 C.7.1.1, C.7.2.1, C.7.3.1, C.12.1), plus what the
 * class stores — an 8×8 image (PS3.3 C.7.6.3; two frames for the multi-frame classes, RGB for VL
 * Photographic), an SR document with one TEXT item (PS3.3 C.17.3), a Key Object Selection with
 * its title and evidence (PS3.3 C.17.6), a presentation state (PS3.3 C.11.10), an encapsulated
 * PDF (PS3.3 C.24.2), and the Type 1/2 attributes of the modality modules dciodvfy asks for, per
 * family (EXTRA): dciodvfy finds no error in 25 of the 27 (2026-12-07). Enhanced CT and Enhanced
 * MR lack their functional groups and dimensions (PS3.3 C.7.6.16, C.7.6.17): objects for storage
 * tests, not IOD references (docs/iod-validation.md covers what the console builds). Test UIDs.
 */
import { encodeDataset, encodePart10Header, SOP_CLASS, sopClass, TS } from '@hnvue/dicom';

type Kind = 'image' | 'multiframe' | 'grey8' | 'grey8multiframe' | 'rgb' | 'sr' | 'kos' | 'pr' | 'pdf';

/** Modality (PS3.3 C.7.3.1.1.1) and the kind of content, per registry key. */
const CONTENT: Readonly<Record<string, readonly [modality: string, kind: Kind]>> = {
  computedRadiographyImageStorage: ['CR', 'image'],
  digitalXRayImageStorageForPresentation: ['DX', 'image'],
  digitalXRayImageStorageForProcessing: ['DX', 'image'],
  digitalMammographyXRayImageStorageForPresentation: ['MG', 'image'],
  digitalMammographyXRayImageStorageForProcessing: ['MG', 'image'],
  digitalIntraOralXRayImageStorageForPresentation: ['IO', 'image'],
  ctImageStorage: ['CT', 'image'],
  enhancedCtImageStorage: ['CT', 'multiframe'],
  ultrasoundMultiFrameImageStorage: ['US', 'grey8multiframe'],
  mrImageStorage: ['MR', 'image'],
  enhancedMrImageStorage: ['MR', 'multiframe'],
  ultrasoundImageStorage: ['US', 'grey8'],
  secondaryCaptureImageStorage: ['OT', 'image'],
  multiFrameGrayscaleWordSecondaryCaptureImageStorage: ['OT', 'multiframe'],
  grayscaleSoftcopyPresentationStateStorage: ['PR', 'pr'],
  xRayAngiographicImageStorage: ['XA', 'image'],
  xRayRadiofluoroscopicImageStorage: ['RF', 'image'],
  nuclearMedicineImageStorage: ['NM', 'multiframe'],
  vlPhotographicImageStorage: ['XC', 'rgb'],
  basicTextSrStorage: ['SR', 'sr'],
  enhancedSrStorage: ['SR', 'sr'],
  comprehensiveSrStorage: ['SR', 'sr'],
  keyObjectSelectionDocumentStorage: ['KO', 'kos'],
  xRayRadiationDoseSrStorage: ['SR', 'sr'],
  encapsulatedPdfStorage: ['DOC', 'pdf'],
  positronEmissionTomographyImageStorage: ['PT', 'image'],
  rtImageStorage: ['RTIMAGE', 'image'],
};

const code = (value: string, scheme: string, meaning: string) => ({
  CodeValue: value,
  CodingSchemeDesignator: scheme,
  CodeMeaning: meaning,
});

// The Type 1 and 2 attributes of the modality modules dciodvfy asks for, per family; the
// enhanced multi-frame classes (functional groups, dimensions) are not filled in.
const DX_IMAGE = {
  // The DX family has Image Laterality instead (PS3.3 C.8.11.2).
  Laterality: undefined,
  PresentationIntentType: 'FOR PRESENTATION',
  ImageLaterality: 'U',
  AnatomicRegionSequence: [],
  PixelIntensityRelationship: 'LIN',
  PixelIntensityRelationshipSign: 1,
  RescaleIntercept: '0',
  RescaleSlope: '1',
  RescaleType: 'US',
  PresentationLUTShape: 'IDENTITY',
  LossyImageCompression: '00',
  BurnedInAnnotation: 'NO',
  DetectorType: 'DIRECT',
  ImagerPixelSpacing: ['0.1', '0.1'],
  AcquisitionContextSequence: [],
};
const MAMMO = {
  ...DX_IMAGE,
  PositionerType: 'MAMMOGRAPHIC',
  ImageLaterality: 'L',
  OrganExposed: 'BREAST',
  AnatomicRegionSequence: [code('76752008', 'SCT', 'Breast')],
  ViewCodeSequence: [{ ...code('399162004', 'SCT', 'cranio-caudal'), ViewModifierCodeSequence: [] }],
};
const PLANE = {
  PatientPosition: 'HFS',
  PositionReferenceIndicator: '',
  FrameOfReferenceUID: '2.25.41020261207999.1',
  PixelSpacing: ['0.5', '0.5'],
  ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
  ImagePositionPatient: ['0', '0', '0'],
  SliceThickness: '1',
  ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
};
const SIXTEEN_BITS = { BitsStored: 16, HighBit: 15 };
const XRAY_ANGIO = {
  ImageType: ['ORIGINAL', 'PRIMARY', 'SINGLE PLANE'],
  PixelIntensityRelationship: 'LIN',
  KVP: '',
  RadiationSetting: 'GR',
  XRayTubeCurrent: '',
  ExposureTime: '',
  PositionerPrimaryAngle: '',
  PositionerSecondaryAngle: '',
};
const EXTRA: Readonly<Record<string, Record<string, unknown>>> = {
  computedRadiographyImageStorage: { BodyPartExamined: '', ViewPosition: '' },
  digitalXRayImageStorageForPresentation: { ...DX_IMAGE, WindowCenter: '2048', WindowWidth: '4096' },
  digitalXRayImageStorageForProcessing: { ...DX_IMAGE, PresentationIntentType: 'FOR PROCESSING' },
  digitalMammographyXRayImageStorageForPresentation: { ...MAMMO, WindowCenter: '2048', WindowWidth: '4096' },
  digitalMammographyXRayImageStorageForProcessing: { ...MAMMO, PresentationIntentType: 'FOR PROCESSING' },
  digitalIntraOralXRayImageStorageForPresentation: {
    ...DX_IMAGE,
    WindowCenter: '2048',
    WindowWidth: '4096',
    PositionerType: 'NONE',
    ImageLaterality: 'R',
    AnatomicRegionSequence: [code('70925003', 'SCT', 'Maxilla')],
    PrimaryAnatomicStructureSequence: [code('422653006', 'SCT', 'Tooth')],
  },
  ctImageStorage: { ...PLANE, RescaleIntercept: '-1024', RescaleSlope: '1', KVP: '', AcquisitionNumber: '1' },
  mrImageStorage: {
    ...PLANE,
    ScanningSequence: 'SE',
    SequenceVariant: 'NONE',
    ScanOptions: '',
    MRAcquisitionType: '2D',
    RepetitionTime: '500',
    EchoTime: '20',
    EchoTrainLength: '1',
  },
  ultrasoundMultiFrameImageStorage: { FrameTime: '40', FrameIncrementPointer: '00181063' },
  secondaryCaptureImageStorage: { ConversionType: 'WSD' },
  multiFrameGrayscaleWordSecondaryCaptureImageStorage: {
    ConversionType: 'WSD',
    BurnedInAnnotation: 'NO',
    PresentationLUTShape: 'IDENTITY',
    RescaleIntercept: '0',
    RescaleSlope: '1',
    RescaleType: 'US',
    FrameTime: '40',
    FrameIncrementPointer: '00181063',
  },
  xRayAngiographicImageStorage: XRAY_ANGIO,
  xRayRadiofluoroscopicImageStorage: XRAY_ANGIO,
  vlPhotographicImageStorage: { AcquisitionContextSequence: [], LossyImageCompression: '00' },
  nuclearMedicineImageStorage: {
    ...SIXTEEN_BITS,
    ImageType: ['ORIGINAL', 'PRIMARY', 'STATIC', 'EMISSION'],
    PatientOrientationCodeSequence: [],
    PatientGantryRelationshipCodeSequence: [],
    PixelSpacing: ['1', '1'],
    FrameIncrementPointer: ['00540010', '00540020'],
    EnergyWindowVector: [1, 1],
    DetectorVector: [1, 1],
    NumberOfEnergyWindows: 1,
    NumberOfDetectors: 1,
    CountsAccumulated: '',
    EnergyWindowInformationSequence: [],
    RadiopharmaceuticalInformationSequence: [],
    DetectorInformationSequence: [],
    ActualFrameDuration: '1000',
  },
  positronEmissionTomographyImageStorage: {
    ...PLANE,
    ...SIXTEEN_BITS,
    SeriesDate: '20261207',
    SeriesTime: '120000',
    Units: 'CNTS',
    CountsSource: 'EMISSION',
    SeriesType: ['STATIC', 'IMAGE'],
    NumberOfSlices: 1,
    CorrectedImage: '',
    DecayCorrection: 'NONE',
    CollimatorType: '',
    RadiopharmaceuticalInformationSequence: [],
    PatientOrientationCodeSequence: [],
    PatientGantryRelationshipCodeSequence: [],
    RescaleIntercept: '0',
    RescaleSlope: '1',
    FrameReferenceTime: '0',
    ImageIndex: 1,
    AcquisitionDate: '',
    AcquisitionTime: '',
    ActualFrameDuration: '',
    // NM/PET carry the patient's position as codes (PS3.3 C.8.4.6), not as Patient Position.
    PatientPosition: undefined,
  },
  rtImageStorage: {
    OperatorsName: '',
    RTImageLabel: 'TEST',
    ImageType: ['ORIGINAL', 'PRIMARY', 'PORTAL'],
    ConversionType: 'DI',
    RTImagePlane: 'NORMAL',
    XRayImageReceptorAngle: '',
    ImagePlanePixelSpacing: ['1', '1'],
    RTImagePosition: ['0', '0'],
    RadiationMachineName: '',
    PrimaryDosimeterUnit: '',
    RadiationMachineSAD: '',
    RTImageSID: '',
    ReportedValuesOrigin: 'PLAN',
  },
};

function pixels(frames: number, samples: number, bits: 8 | 16): ArrayBuffer {
  const rows = 8;
  const columns = 8;
  if (bits === 8) {
    const bytes = new Uint8Array(frames * rows * columns * samples).map((_, i) => (i * 37) & 0xff);
    return bytes.buffer;
  }
  const grey = new Uint16Array(frames * rows * columns).map((_, i) => (i * 67) & 0xfff);
  return grey.buffer;
}

function content(kind: Kind, uid: (n: number) => string): Record<string, unknown> {
  const image = (frames: number, samples: number, bits: 8 | 16 = samples === 3 ? 8 : 16) => ({
    ...(frames > 1 ? { NumberOfFrames: String(frames) } : {}),
    ImageType: ['ORIGINAL', 'PRIMARY'],
    Laterality: '',
    PatientOrientation: ['L', 'F'],
    SamplesPerPixel: samples,
    PhotometricInterpretation: samples === 3 ? 'RGB' : 'MONOCHROME2',
    ...(samples === 3 ? { PlanarConfiguration: 0 } : {}),
    Rows: 8,
    Columns: 8,
    BitsAllocated: bits,
    BitsStored: bits === 8 ? 8 : 12,
    HighBit: bits === 8 ? 7 : 11,
    PixelRepresentation: 0,
    PixelData: pixels(frames, samples, bits),
    _vrMap: { PixelData: bits === 8 ? 'OB' : 'OW' },
  });
  const document = {
    ContentDate: '20261207',
    ContentTime: '120000',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ReferencedPerformedProcedureStepSequence: [],
    PerformedProcedureCodeSequence: [],
  };
  switch (kind) {
    case 'image':
      return image(1, 1);
    case 'multiframe':
      return image(2, 1);
    case 'grey8':
      return image(1, 1, 8);
    case 'grey8multiframe':
      return image(2, 1, 8);
    case 'rgb':
      return image(1, 3);
    case 'sr':
      return {
        ...document,
        ValueType: 'CONTAINER',
        ConceptNameCodeSequence: [code('121144', 'DCM', 'Document Title')],
        ContinuityOfContent: 'SEPARATE',
        ContentSequence: [
          {
            RelationshipType: 'CONTAINS',
            ValueType: 'TEXT',
            ConceptNameCodeSequence: [code('121071', 'DCM', 'Finding')],
            TextValue: 'test finding',
          },
        ],
      };
    case 'kos':
      return {
        ...document,
        ValueType: 'CONTAINER',
        ConceptNameCodeSequence: [code('113000', 'DCM', 'Of Interest')],
        ContinuityOfContent: 'SEPARATE',
        CurrentRequestedProcedureEvidenceSequence: [
          {
            StudyInstanceUID: uid(1),
            ReferencedSeriesSequence: [
              {
                SeriesInstanceUID: uid(2),
                ReferencedSOPSequence: [
                  {
                    ReferencedSOPClassUID: SOP_CLASS.digitalXRayImageStorageForPresentation,
                    ReferencedSOPInstanceUID: uid(3),
                  },
                ],
              },
            ],
          },
        ],
        ContentSequence: [
          {
            RelationshipType: 'CONTAINS',
            ValueType: 'IMAGE',
            ReferencedSOPSequence: [
              {
                ReferencedSOPClassUID: SOP_CLASS.digitalXRayImageStorageForPresentation,
                ReferencedSOPInstanceUID: uid(3),
              },
            ],
          },
        ],
      };
    case 'pr':
      return {
        ContentLabel: 'TEST',
        ContentDescription: 'test presentation state',
        PresentationCreationDate: '20261207',
        PresentationCreationTime: '120000',
        ContentCreatorName: '',
        ReferencedSeriesSequence: [
          {
            SeriesInstanceUID: uid(2),
            ReferencedImageSequence: [
              {
                ReferencedSOPClassUID: SOP_CLASS.digitalXRayImageStorageForPresentation,
                ReferencedSOPInstanceUID: uid(3),
              },
            ],
          },
        ],
        PresentationLUTShape: 'IDENTITY',
        Laterality: '',
        DisplayedAreaSelectionSequence: [
          {
            DisplayedAreaTopLeftHandCorner: [1, 1],
            DisplayedAreaBottomRightHandCorner: [8, 8],
            PresentationSizeMode: 'SCALE TO FIT',
            PresentationPixelSpacing: ['0.1', '0.1'],
          },
        ],
      };
    case 'pdf': {
      const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
      const even = new Uint8Array(pdf.length + (pdf.length % 2));
      even.set(pdf);
      return {
        ConversionType: 'WSD',
        BurnedInAnnotation: 'NO',
        ContentDate: '20261207',
        ContentTime: '120000',
        AcquisitionDateTime: '',
        DocumentTitle: 'test document',
        ConceptNameCodeSequence: [],
        MIMETypeOfEncapsulatedDocument: 'application/pdf',
        EncapsulatedDocument: even.buffer,
        EncapsulatedDocumentLength: pdf.length,
        _vrMap: { EncapsulatedDocument: 'OB' },
      };
    }
  }
}

export interface SopClassObject {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** An Explicit VR Little Endian Part 10 file. */
  readonly file: Uint8Array;
  /** Its data set (what a storage SCP must store unchanged). */
  readonly dataset: Uint8Array;
}

/** One object of `sopClassUid` (a storage SOP class of the registry); throws for one not above. */
export function sopClassObject(sopClassUid: string, index: number): SopClassObject {
  const key = sopClass(sopClassUid)?.key;
  const entry = key ? CONTENT[key] : undefined;
  if (!entry) throw new Error(`no test object for SOP class ${sopClassUid}`);
  const [modality, kind] = entry;
  const root = `2.25.4102026120712${String(index).padStart(3, '0')}`;
  const uid = (n: number) => `${root}.${n}`;
  const sopInstanceUid = uid(9);
  const attributes: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 100',
    SOPClassUID: sopClassUid,
    SOPInstanceUID: sopInstanceUid,
    StudyDate: '20261207',
    StudyTime: '120000',
    AccessionNumber: '',
    Modality: modality,
    Manufacturer: 'HnVue',
    ReferringPhysicianName: '',
    PatientName: 'TEST^SOPCLASS',
    PatientID: 'HNV-SOP-1',
    PatientBirthDate: '',
    PatientSex: 'O',
    StudyInstanceUID: uid(1),
    SeriesInstanceUID: uid(2),
    StudyID: '1',
    SeriesNumber: '1',
    InstanceNumber: '1',
    ...content(kind, uid),
    ...EXTRA[key!],
  };
  for (const [k, v] of Object.entries(attributes)) if (v === undefined) delete attributes[k];
  const dataset = encodeDataset(attributes, { transferSyntax: TS.explicitVrLittleEndian });
  const header = encodePart10Header({
    mediaStorageSopClassUid: sopClassUid,
    mediaStorageSopInstanceUid: sopInstanceUid,
    transferSyntaxUid: TS.explicitVrLittleEndian,
    implementationClassUid: '1.2.3.4',
  });
  const file = new Uint8Array(header.length + dataset.length);
  file.set(header);
  file.set(dataset, header.length);
  return { sopClassUid, sopInstanceUid, file, dataset };
}
