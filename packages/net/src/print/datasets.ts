/**
 * Print management data sets (PS3.4 Annex H, PS3.3 C.13): typed requests → naturalized data sets,
 * response and event data sets → typed results. Pure: data in, data out.
 */
import type { NaturalDataset } from '@hnvue/dicom';
import { items, str } from '../workflow/values.js';
import type {
  FilmBoxRequest,
  FilmSessionRequest,
  ImageBoxContent,
  ImageBoxRef,
  PrintEvent,
  PrinterState,
  PrinterStatus,
  PrintJobStatus,
} from './types.js';

const set = (ds: NaturalDataset, key: string, value: unknown): void => {
  if (value !== undefined) ds[key] = value;
};

/** PS3.3 C.13.1 Basic Film Session Presentation Module. */
export function filmSessionDataset(request: FilmSessionRequest): NaturalDataset {
  if (!Number.isInteger(request.copies) || request.copies < 1) {
    throw new RangeError('number of copies must be a positive integer');
  }
  const ds: NaturalDataset = { NumberOfCopies: String(request.copies) };
  set(ds, 'PrintPriority', request.priority);
  set(ds, 'MediumType', request.mediumType);
  set(ds, 'FilmDestination', request.filmDestination);
  set(ds, 'FilmSessionLabel', request.label);
  return ds;
}

/** `STANDARD\c,r` (PS3.3 C.13.3, Image Display Format). */
export function imageDisplayFormat(format: FilmBoxRequest['format']): string {
  const ok = (n: number) => Number.isInteger(n) && n >= 1 && n <= 99;
  if (!ok(format.columns) || !ok(format.rows))
    throw new RangeError('display format needs 1…99 columns and rows');
  return `STANDARD\\${format.columns},${format.rows}`;
}

/** PS3.3 C.13.3 Basic Film Box Presentation Module + C.13.4 relationship to the session. */
export function filmBoxDataset(
  request: FilmBoxRequest,
  filmSessionUid: string,
  sopClasses: { readonly filmSession: string; readonly presentationLut: string },
  presentationLutUid?: string,
): NaturalDataset {
  const ds: NaturalDataset = {
    ImageDisplayFormat: imageDisplayFormat(request.format),
    ReferencedFilmSessionSequence: [
      { ReferencedSOPClassUID: sopClasses.filmSession, ReferencedSOPInstanceUID: filmSessionUid },
    ],
  };
  set(ds, 'FilmOrientation', request.orientation);
  set(ds, 'FilmSizeID', request.filmSize);
  set(ds, 'MagnificationType', request.magnification);
  set(ds, 'SmoothingType', request.smoothing);
  set(ds, 'BorderDensity', request.borderDensity);
  set(ds, 'EmptyImageDensity', request.emptyImageDensity);
  set(ds, 'MinDensity', request.minDensity);
  set(ds, 'MaxDensity', request.maxDensity);
  set(ds, 'Trim', request.trim === undefined ? undefined : request.trim ? 'YES' : 'NO');
  set(ds, 'ConfigurationInformation', request.configurationInformation);
  set(ds, 'RequestedResolutionID', request.resolution);
  set(ds, 'Illumination', request.illumination);
  set(ds, 'ReflectedAmbientLight', request.reflectedAmbientLight);
  if (presentationLutUid !== undefined) {
    ds.ReferencedPresentationLUTSequence = [
      { ReferencedSOPClassUID: sopClasses.presentationLut, ReferencedSOPInstanceUID: presentationLutUid },
    ];
  }
  return ds;
}

/** A copy of the pixel bytes in an ArrayBuffer of its own, little endian (PS3.5 A.1). */
function pixelBytes(data: Uint8Array | Uint16Array): ArrayBuffer {
  const out = new Uint8Array(data.byteLength + (data.byteLength % 2));
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return out.buffer;
}

/** PS3.3 C.13.5 Image Box Pixel Presentation Module, Basic Grayscale Image Sequence (Table C.13-5). */
export function imageBoxDataset(position: number, content: ImageBoxContent): NaturalDataset {
  const { pixels } = content;
  if (pixels.data.length !== pixels.rows * pixels.columns || pixels.rows < 1 || pixels.columns < 1) {
    throw new RangeError('image box pixels must hold rows × columns values');
  }
  const eight = pixels.bitDepth === 8;
  const image: NaturalDataset = {
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: pixels.rows,
    Columns: pixels.columns,
    PixelAspectRatio: ['1', '1'],
    BitsAllocated: eight ? 8 : 16,
    BitsStored: eight ? 8 : 12,
    HighBit: eight ? 7 : 11,
    PixelRepresentation: 0,
    PixelData: [pixelBytes(pixels.data)],
    _vrMap: { PixelData: eight ? 'OB' : 'OW' },
  };
  const ds: NaturalDataset = { ImageBoxPosition: position, BasicGrayscaleImageSequence: [image] };
  set(ds, 'Polarity', content.polarity);
  set(ds, 'RequestedImageSize', content.requestedImageSizeMm);
  set(ds, 'RequestedDecimateCropBehavior', content.decimateCrop);
  return ds;
}

/** The image boxes the printer created with the film box (PS3.4 H.4.2.2.1.2), in their order. */
export function parseImageBoxes(ds: NaturalDataset | undefined): ImageBoxRef[] {
  return items(ds, 'ReferencedImageBoxSequence').map((i, index) => ({
    sopClassUid: str(i, 'ReferencedSOPClassUID') ?? '',
    sopInstanceUid: str(i, 'ReferencedSOPInstanceUID') ?? '',
    position: index + 1,
  }));
}

const PRINTER_STATUS: readonly PrinterStatus[] = ['NORMAL', 'WARNING', 'FAILURE'];

/** N-GET Printer response (PS3.4 Table H.4-37); a missing or unknown status reads as FAILURE. */
export function parsePrinter(ds: NaturalDataset | undefined): PrinterState {
  const raw = str(ds, 'PrinterStatus');
  return {
    status: PRINTER_STATUS.find((s) => s === raw) ?? 'FAILURE',
    statusInfo: str(ds, 'PrinterStatusInfo') ?? '',
    printerName: str(ds, 'PrinterName'),
    manufacturer: str(ds, 'Manufacturer'),
    modelName: str(ds, 'ManufacturerModelName'),
    softwareVersions: str(ds, 'SoftwareVersions'),
  };
}

// PS3.4 Table H.4-36 (Printer) and H.4-30 (Print Job): event type → state.
const PRINTER_EVENTS: Readonly<Record<number, PrinterStatus>> = { 1: 'NORMAL', 2: 'WARNING', 3: 'FAILURE' };
const JOB_EVENTS: Readonly<Record<number, PrintJobStatus>> = {
  1: 'PENDING',
  2: 'PRINTING',
  3: 'DONE',
  4: 'FAILURE',
};

/** An N-EVENT-REPORT-RQ from the printer as a typed event. */
export function parsePrintEvent(
  sopClasses: { readonly printer: string; readonly printJob: string },
  sopClassUid: string,
  sopInstanceUid: string,
  eventTypeId: number,
  ds: NaturalDataset | undefined,
): PrintEvent {
  const printerStatus = PRINTER_EVENTS[eventTypeId];
  if (sopClassUid === sopClasses.printer && printerStatus !== undefined) {
    return {
      type: 'printer-status',
      status: printerStatus,
      statusInfo: str(ds, 'PrinterStatusInfo') ?? '',
      printerName: str(ds, 'PrinterName'),
    };
  }
  const jobStatus = JOB_EVENTS[eventTypeId];
  if (sopClassUid === sopClasses.printJob && jobStatus !== undefined) {
    return {
      type: 'print-job',
      printJobUid: sopInstanceUid,
      status: jobStatus,
      statusInfo: str(ds, 'ExecutionStatusInfo') ?? '',
      filmSessionLabel: str(ds, 'FilmSessionLabel'),
    };
  }
  return { type: 'unknown', sopClassUid, eventTypeId };
}
