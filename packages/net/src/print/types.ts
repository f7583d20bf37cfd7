/**
 * Typed requests and results of Basic Grayscale Print Management (FR-DICOM-11; PS3.4 Annex H).
 * Each N-service has its own request and result type: what the standard makes mandatory is
 * required here, what it leaves to the printer's defaults (PS3.4 H.4.1.2.1.1) is optional and not
 * sent when absent. No behaviour here.
 */

/** Printer Status (2110,0010), PS3.3 C.13.9.1. */
export type PrinterStatus = 'NORMAL' | 'WARNING' | 'FAILURE';

/** N-GET Printer (PS3.4 H.4.6.2.1): what the printer says about itself. */
export interface PrinterState {
  readonly status: PrinterStatus;
  /**
   * Printer Status Info (2110,0020): a PS3.3 C.13.9.1 defined term (`FILM JAM`, `SUPPLY EMPTY`,
   * `NORMAL`…), or '' when the printer gave none.
   */
  readonly statusInfo: string;
  readonly printerName: string | undefined;
  readonly manufacturer: string | undefined;
  readonly modelName: string | undefined;
  readonly softwareVersions: string | undefined;
}

export type PrintPriority = 'HIGH' | 'MED' | 'LOW';

/** N-CREATE Basic Film Session (PS3.4 H.4.1.2.1, attributes of PS3.3 C.13.1). */
export interface FilmSessionRequest {
  /** Number of Copies (2000,0010), 1 or more. */
  readonly copies: number;
  readonly priority?: PrintPriority;
  /** Medium Type (2000,0030): `PAPER`, `CLEAR FILM`, `BLUE FILM`… */
  readonly mediumType?: string;
  /** Film Destination (2000,0040): `MAGAZINE`, `PROCESSOR`, `BIN_i`. */
  readonly filmDestination?: string;
  /** Film Session Label (2000,0050). Goes to the printer: keep patient data out unless the site wants it. */
  readonly label?: string;
}

/** Image Display Format `STANDARD\c,r` (PS3.3 C.13.3): columns × rows of image boxes. */
export interface StandardFormat {
  readonly columns: number;
  readonly rows: number;
}

export type FilmOrientation = 'PORTRAIT' | 'LANDSCAPE';

/** N-CREATE Basic Film Box (PS3.4 H.4.2.2.1, attributes of PS3.3 C.13.3). */
export interface FilmBoxRequest {
  readonly format: StandardFormat;
  readonly orientation?: FilmOrientation;
  /** Film Size ID (2010,0050): `14INX17IN`, `8INX10IN`, `24CMX30CM`… */
  readonly filmSize?: string;
  /** Magnification Type (2010,0060): `REPLICATE`, `BILINEAR`, `CUBIC`, `NONE`. */
  readonly magnification?: string;
  /** Smoothing Type (2010,0080). */
  readonly smoothing?: string;
  /** Border Density (2010,0100): `BLACK`, `WHITE` or hundredths of OD as a string. */
  readonly borderDensity?: string;
  /** Empty Image Density (2010,0110). */
  readonly emptyImageDensity?: string;
  /** Min / Max Density (2010,0120 / 0130), hundredths of OD. */
  readonly minDensity?: number;
  readonly maxDensity?: number;
  readonly trim?: boolean;
  /** Configuration Information (2010,0150): printer-specific. */
  readonly configurationInformation?: string;
  /** Requested Resolution ID (2020,0050): `STANDARD` or `HIGH`. */
  readonly resolution?: 'STANDARD' | 'HIGH';
  /** Illumination / Reflected Ambient Light (2010,015E / 0160), with a Presentation LUT. */
  readonly illumination?: number;
  readonly reflectedAmbientLight?: number;
}

/** Pixels of one image box (PS3.3 C.13.5, Basic Grayscale Image Sequence): MONOCHROME2 always. */
export type PrintPixels =
  | {
      readonly bitDepth: 8;
      readonly rows: number;
      readonly columns: number;
      /** rows × columns, row by row. */
      readonly data: Uint8Array;
    }
  | {
      readonly bitDepth: 12;
      readonly rows: number;
      readonly columns: number;
      /** rows × columns values 0…4095 (Bits Allocated 16, Bits Stored 12). */
      readonly data: Uint16Array;
    };

/** N-SET Basic Grayscale Image Box (PS3.4 H.4.3.1.2.1). */
export interface ImageBoxContent {
  readonly pixels: PrintPixels;
  /** Polarity (2020,0020): REVERSE prints the image inverted. */
  readonly polarity?: 'NORMAL' | 'REVERSE';
  /** Requested Image Size (2020,0030), the image's width in mm. */
  readonly requestedImageSizeMm?: number;
  /** Requested Decimate/Crop Behavior (2020,0040). */
  readonly decimateCrop?: 'DECIMATE' | 'CROP' | 'FAIL';
}

/** A DIMSE answer that was not a failure: Success or a Warning the printer wants known. */
export interface PrintAck {
  readonly status: number;
  readonly warning: boolean;
}

export interface FilmSessionRef extends PrintAck {
  readonly sopInstanceUid: string;
}

export interface ImageBoxRef {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** 1-based position on the film, in the order the printer listed the boxes (PS3.4 H.4.2.2.1). */
  readonly position: number;
}

export interface FilmBoxRef extends PrintAck {
  readonly sopInstanceUid: string;
  readonly imageBoxes: readonly ImageBoxRef[];
}

export interface PrintActionResult extends PrintAck {
  /** Referenced Print Job SOP Instance, when the printer supports Print Job (PS3.4 H.4.2.2.4.1). */
  readonly printJobUid: string | undefined;
}

/** Execution Status (2100,0020) of a print job, PS3.3 C.13.8. */
export type PrintJobStatus = 'PENDING' | 'PRINTING' | 'DONE' | 'FAILURE';

/** N-EVENT-REPORT from the printer (PS3.4 H.4.6.1.1 Printer, H.4.5.1.1 Print Job). */
export type PrintEvent =
  | {
      readonly type: 'printer-status';
      readonly status: PrinterStatus;
      readonly statusInfo: string;
      readonly printerName: string | undefined;
    }
  | {
      readonly type: 'print-job';
      readonly printJobUid: string;
      readonly status: PrintJobStatus;
      readonly statusInfo: string;
      readonly filmSessionLabel: string | undefined;
    }
  | {
      /** An event type PS3.4 does not define: kept, never guessed. */
      readonly type: 'unknown';
      readonly sopClassUid: string;
      readonly eventTypeId: number;
    };
