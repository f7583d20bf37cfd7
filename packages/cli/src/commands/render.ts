import { writeFile } from 'node:fs/promises';
import { numberOption, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { renderToPng } from '../render.js';

export const RENDER_HELP = `hnvue render [options] <file.dcm> [out.png]
  Renders a DX/CR image to an 8-bit grayscale PNG (default: <file>.png) through the Modality LUT
  and a linear VOI window (PS3.3 C.11); an 8-bit RGB image to an RGB PNG. Compressed files are
  decoded first (every syntax \`hnvue doctor\` lists).
  --wc N, --ww N   window center / width (default: the file's, else the pixel range)
  --frame N        the frame of a multi-frame image, from 0 (default 0)
  --max-size N     scale down so the longer side is at most N pixels`;

export async function renderCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parse(argv, {
    wc: { type: 'string' },
    ww: { type: 'string' },
    'max-size': { type: 'string' },
    frame: { type: 'string' },
    json: { type: 'boolean' },
    out: { type: 'string', short: 'o' },
  });
  const [file, positionalOut] = parsed.positionals;
  if (file === undefined) throw new UsageError('render needs a DICOM file');
  const out = stringOption(parsed.values, 'out') ?? positionalOut ?? `${file.replace(/\.dcm$/i, '')}.png`;
  const wc = numberOption(parsed.values, 'wc');
  const ww = numberOption(parsed.values, 'ww');
  const maxSize = numberOption(parsed.values, 'max-size');
  const frame = numberOption(parsed.values, 'frame');
  const { png, info } = await renderToPng(file, {
    ...(frame === undefined ? {} : { frame }),
    ...(wc === undefined ? {} : { windowCenter: wc }),
    ...(ww === undefined ? {} : { windowWidth: ww }),
    ...(maxSize === undefined ? {} : { maxSize }),
  });
  await writeFile(out, png);
  if (parsed.values.json) ctx.out(`${JSON.stringify({ output: out, ...info })}\n`);
  else
    ctx.out(
      `${out}: ${info.width}x${info.height} PNG (${info.columns}x${info.rows} ${info.photometricInterpretation}, window ${info.windowCenter}/${info.windowWidth})\n`,
    );
  return EXIT_CODES.ok;
}
