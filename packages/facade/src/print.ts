/**
 * `print(images, options)` (FR-DICOM-11): the images are prepared for their image boxes now
 * (decoded, windowed by their VOI or a presentation state, MONOCHROME2, resized with the aspect
 * ratio kept, the rest filled with the border) and the whole job is queued for the `printer`
 * destination as one `print` item, so a printer that is busy, down or reporting FAILURE only
 * delays it (NFR-REL-01): the queue retries it, keeps it across a restart, and a job that cannot
 * be printed ends FAILED with a `failed` event, never dropped. senders/print.ts prints it.
 *
 * The spool file is a small JSON header (session, film boxes, image box attributes and pixel
 * geometry; no patient data) followed by the prepared pixels of each image box in order.
 */
import { readFile } from 'node:fs/promises';
import {
  concatBytes,
  decodeDataset,
  isNativeTransferSyntax,
  type NaturalDataset,
  parsePart10File,
  SOP_CLASS,
  TS,
} from '@hnvue/dicom';
import { preparePrintImage } from '@hnvue/iod';
import {
  type FilmBoxRequest,
  type FilmOrientation,
  type FilmSessionRequest,
  type ImageBoxContent,
  type PrintPixels,
  type PrintPriority,
  type StandardFormat,
  transcodeDataset,
} from '@hnvue/net';
import type { QueueItem, Records } from '@hnvue/queue';
import type { PrintDefaults } from './config/index.js';
import { requireDestination } from './destinations.js';
import { FACADE_ERROR_CODES, FacadeError } from './errors.js';
import { NS, type PrintJobState } from './state.js';
import type { FacadeContext } from './wiring.js';

/** A Part 10 file (path or bytes), or one with what decides how it prints. */
export type PrintImageInput =
  | string
  | Uint8Array
  | {
      readonly image: string | Uint8Array;
      /** A Grayscale Softcopy Presentation State referencing the image (path or Part 10 bytes). */
      readonly presentationState?: string | Uint8Array;
      /** Overrides the image's VOI (rescaled units); not with a presentation state. */
      readonly window?: { readonly center: number; readonly width: number };
      /** Polarity (2020,0020) of its image box: REVERSE prints it inverted. */
      readonly polarity?: 'NORMAL' | 'REVERSE';
    };

/** Every option left out comes from the configuration's `printer.defaults`, then the built-in default. */
export interface PrintOptions {
  /** Image Display Format: `STANDARD\c,r` or { columns, rows } (default STANDARD\1,1); one film per c×r images. */
  readonly layout?: string | StandardFormat;
  /** Number of Copies (default 1). */
  readonly copies?: number;
  /** Film Size ID, e.g. `14INX17IN`. */
  readonly filmSize?: string;
  readonly orientation?: FilmOrientation;
  readonly mediumType?: string;
  readonly filmDestination?: string;
  readonly priority?: PrintPriority;
  /** Film Session Label: goes to the printer, keep patient data out unless the site wants it. */
  readonly label?: string;
  readonly magnification?: string;
  /** Border Density, also what fills an image box around its image (default BLACK). */
  readonly border?: 'BLACK' | 'WHITE';
  /** Image box depth (default 12; sent as 8 bits when the printer refuses 12, unless `on12BitRefused` is 'error'). */
  readonly bitDepth?: 8 | 12;
  readonly on12BitRefused?: 'error' | 'convert';
  /** The image box matrix in pixels (default 1024 × 1024). */
  readonly imageBox?: { readonly rows: number; readonly columns: number };
  /** Other Film Box attributes (densities, trim, smoothing, configuration information…). */
  readonly filmBox?: Omit<FilmBoxRequest, 'format'>;
}

/** A print job once safely queued. */
export interface PrintJobInfo {
  /** The job's id (a UID of ours; the queue item's SOP Instance UID); events name it. */
  readonly jobId: string;
  readonly queueItemId: number;
  readonly films: number;
  readonly images: number;
}

interface StoredImageBox {
  readonly bitDepth: 8 | 12;
  readonly rows: number;
  readonly columns: number;
  readonly polarity?: 'NORMAL' | 'REVERSE';
}

interface PayloadHeader {
  readonly version: 1;
  readonly session: FilmSessionRequest;
  readonly on12BitRefused: 'error' | 'convert';
  readonly films: readonly { readonly filmBox: FilmBoxRequest; readonly images: readonly StoredImageBox[] }[];
}

/** A queued job as the sender reads it back. */
export interface QueuedPrintJob {
  readonly session: FilmSessionRequest;
  readonly on12BitRefused: 'error' | 'convert';
  readonly films: readonly {
    readonly filmBox: FilmBoxRequest;
    readonly images: readonly ImageBoxContent[];
  }[];
}

const DEFAULT_BOX = { rows: 1024, columns: 1024 } as const;

function layoutOf(layout: PrintOptions['layout']): StandardFormat {
  if (layout === undefined) return { columns: 1, rows: 1 };
  if (typeof layout !== 'string') return layout;
  const m = /^STANDARD\\(\d{1,2}),(\d{1,2})$/.exec(layout);
  if (!m) {
    throw new FacadeError('HNV_ERR_INVALID_ARGUMENT', 'layout must be STANDARD\\c,r', {
      details: { layout },
    });
  }
  return { columns: Number(m[1]), rows: Number(m[2]) };
}

/** A Part 10 file as a data set with native pixel data (compressed syntaxes decoded first). */
async function load(source: string | Uint8Array, pixels: boolean): Promise<NaturalDataset> {
  const bytes = typeof source === 'string' ? new Uint8Array(await readFile(source)) : source;
  const file = parsePart10File(bytes);
  let data = file.dataset;
  let ts = file.datasetTransferSyntax;
  if (pixels && !isNativeTransferSyntax(ts)) {
    data = concatBytes(await transcodeDataset(data, ts, TS.explicitVrLittleEndian));
    ts = TS.explicitVrLittleEndian;
  }
  return decodeDataset(data, { transferSyntax: ts, copyBulk: true, charsetErrors: 'flag' }).dataset;
}

function bytesOf(pixels: PrintPixels): Uint8Array {
  return new Uint8Array(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
}

/** The spool payload: uint32 LE header length, the JSON header, the pixels of each box in order. */
export function encodePrintPayload(job: QueuedPrintJob): Uint8Array {
  const header: PayloadHeader = {
    version: 1,
    session: job.session,
    on12BitRefused: job.on12BitRefused,
    films: job.films.map((f) => ({
      filmBox: f.filmBox,
      images: f.images.map((i) => ({
        bitDepth: i.pixels.bitDepth,
        rows: i.pixels.rows,
        columns: i.pixels.columns,
        ...(i.polarity === undefined ? {} : { polarity: i.polarity }),
      })),
    })),
  };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.byteLength, 0);
  return concatBytes([length, json, ...job.films.flatMap((f) => f.images.map((i) => bytesOf(i.pixels)))]);
}

export function decodePrintPayload(bytes: Uint8Array): QueuedPrintJob {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + length).toString('utf8')) as PayloadHeader;
  if (header.version !== 1) {
    throw new FacadeError(FACADE_ERROR_CODES.procedure, `unknown print payload version ${header.version}`);
  }
  let offset = 4 + length;
  const films = header.films.map((f) => ({
    filmBox: f.filmBox,
    images: f.images.map((i): ImageBoxContent => {
      const n = i.rows * i.columns;
      const size = i.bitDepth === 8 ? n : n * 2;
      // A copy in an ArrayBuffer of its own: 16-bit views need an aligned offset.
      const copy = bytes.slice(offset, offset + size);
      offset += size;
      if (copy.byteLength !== size) {
        throw new FacadeError(FACADE_ERROR_CODES.procedure, 'print payload is shorter than its header says');
      }
      const pixels: PrintPixels =
        i.bitDepth === 8
          ? { bitDepth: 8, rows: i.rows, columns: i.columns, data: copy }
          : { bitDepth: 12, rows: i.rows, columns: i.columns, data: new Uint16Array(copy.buffer) };
      return { pixels, ...(i.polarity === undefined ? {} : { polarity: i.polarity }) };
    }),
  }));
  return { session: header.session, on12BitRefused: header.on12BitRefused, films };
}

/**
 * The options of one call over the printer's configured `defaults` (config: `printer.defaults`):
 * a value given to `print()` wins; the Film Box attributes of both are merged field by field.
 */
export function withDefaults(defaults: PrintDefaults | undefined, options: PrintOptions): PrintOptions {
  if (defaults === undefined) return options;
  const { smoothing, emptyImageDensity, minDensity, maxDensity, trim, configurationInformation, ...session } =
    defaults;
  const filmBox: Omit<FilmBoxRequest, 'format'> = {
    ...(smoothing === undefined ? {} : { smoothing }),
    ...(emptyImageDensity === undefined ? {} : { emptyImageDensity }),
    ...(minDensity === undefined ? {} : { minDensity }),
    ...(maxDensity === undefined ? {} : { maxDensity }),
    ...(trim === undefined ? {} : { trim }),
    ...(configurationInformation === undefined ? {} : { configurationInformation }),
    ...options.filmBox,
  };
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...session, ...given, ...(Object.keys(filmBox).length === 0 ? {} : { filmBox }) };
}

/** Prepares every image (a bad one fails here, before anything is queued) and queues the job. */
export async function queuePrint(
  ctx: FacadeContext,
  images: readonly PrintImageInput[],
  given: PrintOptions,
): Promise<PrintJobInfo> {
  const queue = ctx.requireQueue();
  const options = withDefaults(requireDestination(ctx.config, 'printer').defaults, given);
  if (images.length === 0) {
    throw new FacadeError('HNV_ERR_INVALID_ARGUMENT', 'print needs at least one image');
  }
  const copies = options.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1) {
    throw new FacadeError('HNV_ERR_INVALID_ARGUMENT', 'copies must be a positive integer', {
      details: { copies },
    });
  }
  const format = layoutOf(options.layout);
  const border = options.border ?? 'BLACK';
  const box = options.imageBox ?? DEFAULT_BOX;
  const prepared: ImageBoxContent[] = [];
  for (const input of images) {
    const spec = typeof input === 'string' || input instanceof Uint8Array ? { image: input } : input;
    const dataset = await load(spec.image, true);
    const pixels = await preparePrintImage(dataset, {
      rows: box.rows,
      columns: box.columns,
      bitDepth: options.bitDepth ?? 12,
      border,
      ...(spec.window === undefined ? {} : { window: spec.window }),
      ...(spec.presentationState === undefined
        ? {}
        : { presentationState: await load(spec.presentationState, false) }),
    });
    prepared.push({ pixels, ...(spec.polarity === undefined ? {} : { polarity: spec.polarity }) });
  }
  const filmBox: FilmBoxRequest = {
    borderDensity: border,
    ...options.filmBox,
    format,
    ...(options.orientation === undefined ? {} : { orientation: options.orientation }),
    ...(options.filmSize === undefined ? {} : { filmSize: options.filmSize }),
    ...(options.magnification === undefined ? {} : { magnification: options.magnification }),
  };
  const perFilm = format.columns * format.rows;
  const films = [];
  for (let i = 0; i < prepared.length; i += perFilm) {
    films.push({ filmBox, images: prepared.slice(i, i + perFilm) });
  }
  const session: FilmSessionRequest = {
    copies,
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(options.mediumType === undefined ? {} : { mediumType: options.mediumType }),
    ...(options.filmDestination === undefined ? {} : { filmDestination: options.filmDestination }),
    ...(options.label === undefined ? {} : { label: options.label }),
  };
  const jobId = ctx.uids.next();
  const payload = encodePrintPayload({
    session,
    on12BitRefused: options.on12BitRefused ?? 'convert',
    films,
  });
  const { item } = await queue.enqueue({
    kind: 'print',
    destination: 'printer',
    sopClassUid: SOP_CLASS.basicGrayscalePrintManagementMeta,
    sopInstanceUid: jobId,
    source: { bytes: payload },
    // Jobs come out of the printer in the order they were asked for.
    orderKey: 'printer',
  });
  return { jobId, queueItemId: item.id, films: films.length, images: prepared.length };
}

/** In the DONE transaction of a print item: its progress record goes with it. */
export function printDelivered(item: QueueItem, records: Records): void {
  if (item.kind === 'print') records.delete(NS.print, item.sopInstanceUid);
}

export type { PrintJobState };
