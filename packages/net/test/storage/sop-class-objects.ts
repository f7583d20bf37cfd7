/**
 * One small object of each storage SOP class of the registry, for the every-SOP-class C-STORE
 * tests (sop-classes-dcmtk.test.ts): the Patient, General Study, General Series and SOP Common
 * attributes every composite IOD has (PS3.3 C.7.1.1, C.7.2.1, C.7.3.1, C.12.1), plus what the
 * class stores — an 8×8 image (PS3.3 C.7.6.3; two frames for the multi-frame classes, RGB for VL
 * Photographic), an SR document with one TEXT item (PS3.3 C.17.3), a Key Object Selection with
 * its title and evidence (PS3.3 C.17.6), a presentation state (PS3.3 C.11.10), an encapsulated
 * PDF (PS3.3 C.24.2). Enough for a storage SCP and for storescp/storescu to take them; not a
 * full IOD (each modality's own modules are not filled in). Test UIDs, a test patient.
 */
import { encodeDataset, encodePart10Header, SOP_CLASS, sopClass, TS } from '@hnvue/dicom';

type Kind = 'image' | 'multiframe' | 'rgb' | 'sr' | 'kos' | 'pr' | 'pdf';

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
  ultrasoundMultiFrameImageStorage: ['US', 'multiframe'],
  mrImageStorage: ['MR', 'image'],
  enhancedMrImageStorage: ['MR', 'multiframe'],
  ultrasoundImageStorage: ['US', 'image'],
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

function pixels(frames: number, samples: number): ArrayBuffer {
  const rows = 8;
  const columns = 8;
  if (samples === 3) {
    const rgb = new Uint8Array(frames * rows * columns * 3).map((_, i) => (i * 37) & 0xff);
    return rgb.buffer;
  }
  const grey = new Uint16Array(frames * rows * columns).map((_, i) => (i * 67) & 0xfff);
  return grey.buffer;
}

function content(kind: Kind, uid: (n: number) => string): Record<string, unknown> {
  const image = (frames: number, samples: number) => ({
    ...(frames > 1 ? { NumberOfFrames: String(frames) } : {}),
    ImageType: ['ORIGINAL', 'PRIMARY'],
    SamplesPerPixel: samples,
    PhotometricInterpretation: samples === 3 ? 'RGB' : 'MONOCHROME2',
    ...(samples === 3 ? { PlanarConfiguration: 0 } : {}),
    Rows: 8,
    Columns: 8,
    BitsAllocated: samples === 3 ? 8 : 16,
    BitsStored: samples === 3 ? 8 : 12,
    HighBit: samples === 3 ? 7 : 11,
    PixelRepresentation: 0,
    PixelData: pixels(frames, samples),
    _vrMap: { PixelData: samples === 3 ? 'OB' : 'OW' },
  });
  const document = {
    ContentDate: '20261207',
    ContentTime: '120000',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
  };
  switch (kind) {
    case 'image':
      return image(1, 1);
    case 'multiframe':
      return image(2, 1);
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
      };
    case 'pdf': {
      const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
      const even = new Uint8Array(pdf.length + (pdf.length % 2));
      even.set(pdf);
      return {
        ConversionType: 'WSD',
        BurnedInAnnotation: 'NO',
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
  const dataset = encodeDataset(
    {
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
    },
    { transferSyntax: TS.explicitVrLittleEndian },
  );
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
