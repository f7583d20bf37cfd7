/**
 * `hnvue print FILE… [options]`: Basic Grayscale Print (FR-DICOM-11) to the configured printer —
 * one film per `--format` page of images, each prepared for its image box (VOI, polarity, aspect,
 * border); `hnvue print --status` asks the printer its status (N-GET Printer). Exit 0 when every
 * film was printed; a printer WARNING is printed and still 0.
 */
import { readFile } from 'node:fs/promises';
import {
  concatBytes,
  decodeDataset,
  isNativeTransferSyntax,
  type NaturalDataset,
  parsePart10File,
  TS,
} from '@hnvue/dicom';
import { associationOptionsFor, requireDestination } from '@hnvue/facade/config';
import { preparePrintImage } from '@hnvue/iod';
import {
  type FilmOrientation,
  type ImageBoxContent,
  PrintScu,
  printFilms,
  transcodeDataset,
} from '@hnvue/net';
import { CONNECTION_OPTIONS, configFor, logLevelOf, numberOption, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';

export const PRINT_HELP = `hnvue print FILE… [options]     hnvue print --status
  Basic Grayscale Print Management (FR-DICOM-11) to the printer destination of the configuration;
  what the options below leave out comes from its printer.defaults, then the defaults shown.
  --format 'STANDARD\\c,r'   image display format (default STANDARD\\1,1); one film per c×r images
  --copies N                number of copies (default 1)
  --film-size ID            e.g. 14INX17IN, 8INX10IN
  --orientation O           PORTRAIT or LANDSCAPE
  --medium M, --destination D, --magnification M, --border BLACK|WHITE
  --bits 8|12               image box depth (default 12; sent as 8 bits if the printer refuses 12)
  --box ROWSxCOLS           image box matrix in pixels (default 1024x1024)
  --presentation-state GSPS a Grayscale Softcopy Presentation State (repeatable): the images it
                            references print with its window, polarity, displayed area, flip and rotation
  --host H --port P         the printer, instead of the configuration's
  --status                  only N-GET the printer's status`;

function format(text: string): { columns: number; rows: number } {
  const m = /^STANDARD\\(\d{1,2}),(\d{1,2})$/.exec(text);
  if (!m) throw new UsageError(`--format: expected STANDARD\\c,r, got "${text}"`);
  return { columns: Number(m[1]), rows: Number(m[2]) };
}

function box(text: string): { rows: number; columns: number } {
  const m = /^(\d{1,5})x(\d{1,5})$/i.exec(text);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
    throw new UsageError(`--box: expected ROWSxCOLS, got "${text}"`);
  return { rows: Number(m[1]), columns: Number(m[2]) };
}

/** True when a presentation state's Referenced Series Sequence names the image (PS3.3 C.11.11). */
function referencesImage(gsps: NaturalDataset, image: NaturalDataset): boolean {
  const uid = image.SOPInstanceUID;
  const series = (gsps.ReferencedSeriesSequence as NaturalDataset[] | undefined) ?? [];
  return series.some((s) =>
    ((s.ReferencedImageSequence as NaturalDataset[] | undefined) ?? []).some(
      (r) => r.ReferencedSOPInstanceUID === uid,
    ),
  );
}

/** A Part 10 file as a data set with native pixel data (compressed syntaxes decoded first). */
async function loadImage(path: string, pixels = true): Promise<NaturalDataset> {
  const file = parsePart10File(new Uint8Array(await readFile(path)));
  let bytes = file.dataset;
  let ts = file.datasetTransferSyntax;
  if (pixels && !isNativeTransferSyntax(ts)) {
    bytes = concatBytes(await transcodeDataset(bytes, ts, TS.explicitVrLittleEndian));
    ts = TS.explicitVrLittleEndian;
  }
  return decodeDataset(bytes, { transferSyntax: ts, copyBulk: true, charsetErrors: 'flag' }).dataset;
}

export async function printCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parse(argv, {
    ...CONNECTION_OPTIONS,
    host: { type: 'string' },
    port: { type: 'string' },
    status: { type: 'boolean' },
    format: { type: 'string' },
    copies: { type: 'string' },
    'film-size': { type: 'string' },
    orientation: { type: 'string' },
    medium: { type: 'string' },
    destination: { type: 'string' },
    magnification: { type: 'string' },
    border: { type: 'string' },
    bits: { type: 'string' },
    box: { type: 'string' },
    'presentation-state': { type: 'string', multiple: true },
  });
  const v = parsed.values;
  const host = stringOption(v, 'host');
  const port = stringOption(v, 'port');
  const config = configFor(parsed, 'printer', host === undefined ? [] : [host, port ?? '104']);
  const printer = requireDestination(config, 'printer');
  // What the command line leaves out comes from the configuration's printer.defaults (@hnvue/facade).
  const d = printer.defaults ?? {};
  const logger = ctx.logger(logLevelOf(parsed.values));
  const files = parsed.positionals;
  if (!v.status && files.length === 0) throw new UsageError('expected FILE… to print, or --status');
  const orientation = stringOption(v, 'orientation')?.toUpperCase() ?? d.orientation;
  if (orientation !== undefined && orientation !== 'PORTRAIT' && orientation !== 'LANDSCAPE') {
    throw new UsageError('--orientation: PORTRAIT or LANDSCAPE');
  }
  const border = stringOption(v, 'border')?.toUpperCase() ?? d.border ?? 'BLACK';
  if (border !== 'BLACK' && border !== 'WHITE') throw new UsageError('--border: BLACK or WHITE');
  const bits = stringOption(v, 'bits') ?? String(d.bitDepth ?? 12);
  if (bits !== '8' && bits !== '12') throw new UsageError('--bits: 8 or 12');
  const layout = format(stringOption(v, 'format') ?? d.layout ?? 'STANDARD\\1,1');
  const boxOption = stringOption(v, 'box');
  const matrix = boxOption === undefined ? (d.imageBox ?? { rows: 1024, columns: 1024 }) : box(boxOption);
  const copies = numberOption(v, 'copies') ?? d.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1) throw new UsageError('--copies: a positive integer');
  // Prepared before connecting: a bad file fails without holding the printer.
  const states = await Promise.all(
    ((v['presentation-state'] as string[] | undefined) ?? []).map(async (f) => ({
      file: f,
      gsps: await loadImage(f, false),
    })),
  );
  const used = new Set<string>();
  const images: ImageBoxContent[] = [];
  for (const file of files) {
    const dataset = await loadImage(file);
    const state = states.find((s) => referencesImage(s.gsps, dataset));
    if (state) used.add(state.file);
    const pixels = await preparePrintImage(dataset, {
      ...matrix,
      bitDepth: bits === '8' ? 8 : 12,
      border,
      ...(state ? { presentationState: state.gsps } : {}),
    });
    images.push({ pixels });
  }
  const unused = states.filter((s) => !used.has(s.file)).map((s) => s.file);
  if (unused.length > 0) {
    throw new UsageError(`--presentation-state: ${unused.join(', ')} references none of the images given`);
  }
  const scu = await PrintScu.open({ ...associationOptionsFor(config, printer, logger), signal: ctx.signal });
  scu.on('event', (e) => {
    if (e.type === 'printer-status') ctx.out(`printer: ${e.status} ${e.statusInfo}\n`);
    else if (e.type === 'print-job') ctx.out(`print job: ${e.status} ${e.statusInfo}\n`);
  });
  try {
    const state = await scu.getPrinter();
    ctx.out(`printer status: ${state.status}${state.statusInfo ? ` (${state.statusInfo})` : ''}\n`);
    if (v.status) return state.status === 'FAILURE' ? EXIT_CODES.dimseFailure : EXIT_CODES.ok;
    const perFilm = layout.columns * layout.rows;
    const filmSize = stringOption(v, 'film-size') ?? d.filmSize;
    const magnification = stringOption(v, 'magnification') ?? d.magnification;
    const mediumType = stringOption(v, 'medium') ?? d.mediumType;
    const filmDestination = stringOption(v, 'destination') ?? d.filmDestination;
    const films = [];
    for (let i = 0; i < images.length; i += perFilm) {
      films.push({
        filmBox: {
          format: layout,
          ...(orientation === undefined ? {} : { orientation: orientation as FilmOrientation }),
          ...(filmSize ? { filmSize } : {}),
          ...(magnification ? { magnification } : {}),
          ...(d.smoothing === undefined ? {} : { smoothing: d.smoothing }),
          ...(d.emptyImageDensity === undefined ? {} : { emptyImageDensity: d.emptyImageDensity }),
          ...(d.minDensity === undefined ? {} : { minDensity: d.minDensity }),
          ...(d.maxDensity === undefined ? {} : { maxDensity: d.maxDensity }),
          ...(d.trim === undefined ? {} : { trim: d.trim }),
          ...(d.configurationInformation === undefined
            ? {}
            : { configurationInformation: d.configurationInformation }),
          borderDensity: border,
        },
        images: images.slice(i, i + perFilm),
      });
    }
    const result = await printFilms(scu, {
      session: {
        copies,
        ...(mediumType ? { mediumType } : {}),
        ...(filmDestination ? { filmDestination } : {}),
        ...(d.priority === undefined ? {} : { priority: d.priority }),
        ...(d.label === undefined ? {} : { label: d.label }),
      },
      films,
      on12BitRefused: d.on12BitRefused ?? 'convert',
    });
    const converted = result.films.reduce((n, f) => n + f.convertedTo8Bit, 0);
    ctx.out(
      `printed ${result.films.length} film${result.films.length === 1 ? '' : 's'} (${images.length} image${images.length === 1 ? '' : 's'}, ${copies} cop${copies === 1 ? 'y' : 'ies'})` +
        `${converted ? `, ${converted} sent as 8 bits` : ''}${result.warnings ? `, ${result.warnings} warning(s)` : ''}\n`,
    );
    return EXIT_CODES.ok;
  } finally {
    await scu.release();
  }
}
