/**
 * One print job in the order PS3.4 H.4 asks for: film session → (Presentation LUT) → for each
 * film: film box → image boxes → N-ACTION print → N-DELETE film box; then N-DELETE the session
 * and the LUT. Whatever fails, what was created is deleted (best effort) before the error is
 * rethrown, so the printer is not left holding half a session.
 */
import { PrinterFailureError, PrintRejectedError } from './errors.js';
import type { PrintRequestOptions, PrintScu } from './scu.js';
import type {
  FilmBoxRequest,
  FilmSessionRequest,
  ImageBoxContent,
  PrintActionResult,
  PrinterState,
  PrintPixels,
} from './types.js';

export interface FilmToPrint {
  readonly filmBox: FilmBoxRequest;
  /** Images in image box order (row by row); fewer than the format's boxes leaves the rest empty. */
  readonly images: readonly ImageBoxContent[];
}

export interface PrintJobRequest {
  readonly session: FilmSessionRequest;
  readonly films: readonly FilmToPrint[];
  /** Create an IDENTITY Presentation LUT when the printer accepted its SOP class (default true). */
  readonly presentationLut?: boolean;
  /**
   * When the printer refuses a 12-bit image box: 'error' (default) throws PrintRejectedError;
   * 'convert' sends the same image again as 8 bits (value >> 4).
   */
  readonly on12BitRefused?: 'error' | 'convert';
  /**
   * Called once the printer answered the N-ACTION print of `films[index]`, before its N-DELETE:
   * a queued job records here which films are on paper, so a retry does not print them again.
   */
  readonly onFilmPrinted?: (index: number, result: PrintActionResult) => void;
}

export interface PrintJobResult {
  readonly filmSessionUid: string;
  readonly films: readonly (PrintActionResult & {
    readonly filmBoxUid: string;
    readonly convertedTo8Bit: number;
  })[];
  /** Any request of the job answered with a Warning status. */
  readonly warnings: number;
}

/** 12-bit pixels as 8 bits, top bits kept (the same mapping as PS3.3 C.13.5 scales densities). */
export function to8Bit(pixels: PrintPixels): PrintPixels {
  if (pixels.bitDepth === 8) return pixels;
  const data = new Uint8Array(pixels.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (pixels.data[i] as number) >> 4;
  return { bitDepth: 8, rows: pixels.rows, columns: pixels.columns, data };
}

export async function printFilms(
  scu: PrintScu,
  job: PrintJobRequest,
  options: PrintRequestOptions = {},
): Promise<PrintJobResult> {
  let warnings = 0;
  const count = <T extends { warning: boolean }>(r: T): T => {
    if (r.warning) warnings++;
    return r;
  };
  const session = count(await scu.createFilmSession(job.session, options));
  let lutUid: string | undefined;
  const films: PrintJobResult['films'][number][] = [];
  try {
    if (job.presentationLut !== false && scu.presentationLutAccepted) {
      lutUid = count(await scu.createPresentationLut(options)).sopInstanceUid;
    }
    for (const [filmIndex, film] of job.films.entries()) {
      const box = count(
        await scu.createFilmBox(session.sopInstanceUid, film.filmBox, {
          ...options,
          ...(lutUid === undefined ? {} : { presentationLutUid: lutUid }),
        }),
      );
      let converted = 0;
      for (const [index, image] of film.images.entries()) {
        const ref = box.imageBoxes[index];
        if (ref === undefined) throw new RangeError('more images than the film box has image boxes');
        try {
          count(await scu.setImageBox(ref, image, options));
        } catch (err) {
          if (
            !(err instanceof PrintRejectedError) ||
            image.pixels.bitDepth !== 12 ||
            job.on12BitRefused !== 'convert'
          )
            throw err;
          count(await scu.setImageBox(ref, { ...image, pixels: to8Bit(image.pixels) }, options));
          converted++;
        }
      }
      const printed = count(await scu.print({ filmBoxUid: box.sopInstanceUid }, options));
      job.onFilmPrinted?.(filmIndex, printed);
      count(await scu.deleteFilmBox(box.sopInstanceUid, options));
      films.push({ ...printed, filmBoxUid: box.sopInstanceUid, convertedTo8Bit: converted });
    }
  } catch (err) {
    await scu.deleteFilmSession(session.sopInstanceUid, options).catch(() => undefined);
    if (lutUid !== undefined) await scu.deletePresentationLut(lutUid, options).catch(() => undefined);
    throw err;
  }
  count(await scu.deleteFilmSession(session.sopInstanceUid, options));
  if (lutUid !== undefined) count(await scu.deletePresentationLut(lutUid, options));
  return { filmSessionUid: session.sopInstanceUid, films, warnings };
}

/**
 * N-GET Printer (PS3.4 H.4.6.2.1) before a job: NORMAL and WARNING are returned (WARNING still
 * prints, PS3.3 C.13.9.1), FAILURE throws PrinterFailureError with the printer's state.
 */
export async function requirePrinterReady(
  scu: PrintScu,
  options: PrintRequestOptions = {},
): Promise<PrinterState> {
  const printer = await scu.getPrinter(options);
  if (printer.status === 'FAILURE') throw new PrinterFailureError(printer);
  return printer;
}
