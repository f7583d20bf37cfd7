/**
 * A minimal Basic Grayscale Print SCP for the simulator (FR-DICOM-11, `pnpm demo`): accepts film
 * sessions, film boxes (STANDARD\c,r), Presentation LUTs and 8/12-bit image boxes, and renders each
 * printed film box to an 8-bit grey PNG in its folder (`film-0001.png`, …). Printer status is
 * NORMAL unless `status` says otherwise. State lives per association, as PS3.4 H.4 scopes it;
 * nothing is kept after.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import {
  decodeDatasetStream,
  encodeDataset,
  type NaturalDataset,
  SOP_CLASS,
  SOP_INSTANCE,
  TS,
} from '@hnvue/dicom';
import {
  type Association,
  type IncomingRequest,
  type RequestHandler,
  STATUS,
  type SupportedContext,
} from '@hnvue/net';

const TRANSFER_SYNTAXES = [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian];

export const PRINT_SCP_CONTEXTS: readonly SupportedContext[] = [
  { abstractSyntax: SOP_CLASS.basicGrayscalePrintManagementMeta, transferSyntaxes: TRANSFER_SYNTAXES },
  { abstractSyntax: SOP_CLASS.presentationLut, transferSyntaxes: TRANSFER_SYNTAXES },
];

interface Image {
  readonly rows: number;
  readonly columns: number;
  /** 8-bit grey, MONOCHROME2. */
  readonly grey: Uint8Array;
}
interface FilmBox {
  readonly columns: number;
  readonly rows: number;
  readonly images: (Image | undefined)[];
  readonly white: boolean;
}
interface State {
  readonly sessions: Set<string>;
  readonly filmBoxes: Map<string, FilmBox>;
  readonly imageBoxes: Map<string, { readonly filmBox: string; readonly index: number }>;
}

export interface PrintScpOptions {
  /** Where the printed films go. */
  readonly directory: string;
  /** Called with each PNG written. */
  readonly onFilm?: (path: string) => void;
  /**
   * What N-GET Printer answers (PS3.3 C.13.9.1), asked at each N-GET: a test or a demo can jam the
   * printer. Absent: always NORMAL.
   */
  readonly status?: () => PrinterStatusReport;
}

/** Printer Status (2110,0010) and Printer Status Info (2110,0020), e.g. FAILURE / `FILM JAM`. */
export interface PrinterStatusReport {
  readonly status: 'NORMAL' | 'WARNING' | 'FAILURE';
  readonly info: string;
}

const uid = (): string => `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`)}`;
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

/** PNG, 8-bit greyscale (ISO/IEC 15948), no filter: small enough to write by hand. */
function png(width: number, height: number, grey: Uint8Array): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, tail]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(grey.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The film as one grey picture: cells as large as the largest image, images centred. */
export function composeFilm(box: FilmBox): { width: number; height: number; grey: Uint8Array } {
  const cellW = Math.max(1, ...box.images.map((i) => i?.columns ?? 0));
  const cellH = Math.max(1, ...box.images.map((i) => i?.rows ?? 0));
  const width = cellW * box.columns;
  const height = cellH * box.rows;
  const grey = new Uint8Array(width * height).fill(box.white ? 255 : 0);
  box.images.forEach((image, index) => {
    if (image === undefined) return;
    const x0 = (index % box.columns) * cellW + Math.floor((cellW - image.columns) / 2);
    const y0 = Math.floor(index / box.columns) * cellH + Math.floor((cellH - image.rows) / 2);
    for (let y = 0; y < image.rows; y++)
      grey.set(image.grey.subarray(y * image.columns, (y + 1) * image.columns), (y0 + y) * width + x0);
  });
  return { width, height, grey };
}

/** The request handlers of the print SCP, one per N-service. */
export function printScpHandlers(
  options: PrintScpOptions,
): Record<'N-GET' | 'N-CREATE' | 'N-SET' | 'N-ACTION' | 'N-DELETE', RequestHandler> {
  const states = new WeakMap<Association, State>();
  let films = 0;
  const stateOf = (a: Association): State => {
    let s = states.get(a);
    if (s === undefined) {
      s = { sessions: new Set(), filmBoxes: new Map(), imageBoxes: new Map() };
      states.set(a, s);
    }
    return s;
  };
  const read = async (r: IncomingRequest): Promise<NaturalDataset> =>
    r.dataset === undefined
      ? {}
      : (await decodeDatasetStream(r.dataset, { transferSyntax: r.transferSyntax, copyBulk: true })).dataset;
  const reply = (r: IncomingRequest, dataset: NaturalDataset) =>
    encodeDataset(dataset, { transferSyntax: r.transferSyntax });

  return {
    'N-GET': (r) => {
      if (r.command.requestedSopClassUid !== SOP_CLASS.printer) return { status: STATUS.noSuchSopClass };
      const printer = options.status?.() ?? { status: 'NORMAL', info: 'NORMAL' };
      return {
        status: STATUS.success,
        command: { affectedSopClassUid: SOP_CLASS.printer, affectedSopInstanceUid: SOP_INSTANCE.printer },
        dataset: reply(r, {
          PrinterStatus: printer.status,
          PrinterStatusInfo: printer.info,
          PrinterName: 'HNVUE-SIM',
          Manufacturer: 'HnVue',
        }),
      };
    },
    'N-CREATE': async (r) => {
      const state = stateOf(r.association);
      const sopClass = r.command.affectedSopClassUid;
      const ds = await read(r);
      const created = r.command.affectedSopInstanceUid ?? uid();
      const command = { affectedSopClassUid: sopClass, affectedSopInstanceUid: created };
      if (sopClass === SOP_CLASS.basicFilmSession) {
        state.sessions.add(created);
        return { status: STATUS.success, command };
      }
      if (sopClass === SOP_CLASS.presentationLut) return { status: STATUS.success, command };
      if (sopClass !== SOP_CLASS.basicFilmBox) return { status: STATUS.noSuchSopClass };
      if (state.sessions.size === 0) return { status: STATUS.processingFailure };
      const m = /^STANDARD\\(\d+),(\d+)$/.exec(String(first(ds.ImageDisplayFormat) ?? ''));
      if (!m) return { status: STATUS.invalidAttributeValue };
      const columns = Number(m[1]);
      const rows = Number(m[2]);
      const refs: NaturalDataset[] = [];
      for (let index = 0; index < columns * rows; index++) {
        const box = uid();
        state.imageBoxes.set(box, { filmBox: created, index });
        refs.push({ ReferencedSOPClassUID: SOP_CLASS.basicGrayscaleImageBox, ReferencedSOPInstanceUID: box });
      }
      state.filmBoxes.set(created, {
        columns,
        rows,
        images: new Array(columns * rows).fill(undefined),
        white: String(first(ds.BorderDensity) ?? '') === 'WHITE',
      });
      return {
        status: STATUS.success,
        command,
        dataset: reply(r, { ...ds, ReferencedImageBoxSequence: refs }),
      };
    },
    'N-SET': async (r) => {
      const state = stateOf(r.association);
      const target = state.imageBoxes.get(r.command.requestedSopInstanceUid ?? '');
      const box = target && state.filmBoxes.get(target.filmBox);
      if (target === undefined || box === undefined) return { status: STATUS.noSuchSopInstance };
      const image = first((await read(r)).BasicGrayscaleImageSequence) as NaturalDataset | undefined;
      const rows = Number(first(image?.Rows));
      const columns = Number(first(image?.Columns));
      const bits = Number(first(image?.BitsStored));
      const buffer = first(image?.PixelData);
      if (!(buffer instanceof ArrayBuffer) || !(rows > 0 && columns > 0) || (bits !== 8 && bits !== 12)) {
        return { status: STATUS.invalidAttributeValue };
      }
      const n = rows * columns;
      const source = bits === 8 ? new Uint8Array(buffer, 0, n) : new Uint16Array(buffer.slice(0, n * 2));
      const grey = new Uint8Array(n);
      for (let i = 0; i < n; i++) grey[i] = bits === 8 ? (source[i] as number) : (source[i] as number) >> 4;
      box.images[target.index] = { rows, columns, grey };
      return {
        status: STATUS.success,
        command: { affectedSopInstanceUid: r.command.requestedSopInstanceUid },
      };
    },
    'N-ACTION': async (r) => {
      const state = stateOf(r.association);
      const uidOf = r.command.requestedSopInstanceUid ?? '';
      const boxes =
        r.command.requestedSopClassUid === SOP_CLASS.basicFilmSession
          ? [...state.filmBoxes.values()]
          : [state.filmBoxes.get(uidOf)].filter((b): b is FilmBox => b !== undefined);
      if (boxes.length === 0) return { status: STATUS.noSuchSopInstance };
      await mkdir(options.directory, { recursive: true });
      for (const box of boxes) {
        const film = composeFilm(box);
        films++;
        const path = join(options.directory, `film-${String(films).padStart(4, '0')}.png`);
        await writeFile(path, png(film.width, film.height, film.grey));
        options.onFilm?.(path);
      }
      return { status: STATUS.success, command: { affectedSopInstanceUid: uidOf, actionTypeId: 1 } };
    },
    'N-DELETE': (r) => {
      const state = stateOf(r.association);
      const target = r.command.requestedSopInstanceUid ?? '';
      if (r.command.requestedSopClassUid === SOP_CLASS.basicFilmSession) {
        state.sessions.delete(target);
        state.filmBoxes.clear();
        state.imageBoxes.clear();
      } else {
        state.filmBoxes.delete(target);
        for (const [k, v] of state.imageBoxes) if (v.filmBox === target) state.imageBoxes.delete(k);
      }
      return { status: STATUS.success, command: { affectedSopInstanceUid: target } };
    },
  };
}
