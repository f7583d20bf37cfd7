import { logLevelOf, numberOption, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { runDemo } from '../demo.js';
import { EXIT_CODES } from '../exit-codes.js';

export const DEMO_HELP = `hnvue demo [options]
  The main job against the in-process simulator: worklist, MPPS IN PROGRESS, a DX from a synthetic
  detector image stored through the queue, dose report, MPPS COMPLETED, storage commitment, PNG
  preview, the image printed on the simulator's printer (film rendered to a PNG), and a summary
  with timings per step.
  --out DIR     where the PACS folder, the queue, preview.png and films/ go (default: a new temp folder)
  --size N      image size in pixels (square, default 1024)`;

export async function demoCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parse(argv, {
    out: { type: 'string' },
    size: { type: 'string' },
    json: { type: 'boolean' },
    debug: { type: 'boolean', short: 'd' },
    verbose: { type: 'boolean', short: 'v' },
    'log-level': { type: 'string' },
  });
  const json = parsed.values.json === true;
  const outDir = stringOption(parsed.values, 'out');
  const size = numberOption(parsed.values, 'size');
  const summary = await runDemo({
    ...(outDir ? { outDir } : {}),
    ...(size ? { size } : {}),
    logger: ctx.logger(logLevelOf(parsed.values)),
    onStep: json
      ? undefined
      : (s) => ctx.out(`  ${s.name.padEnd(20)} ${String(s.ms).padStart(8)} ms  ${s.detail}\n`),
  });
  if (json) ctx.out(`${JSON.stringify(summary)}\n`);
  else
    ctx.out(
      `demo done in ${summary.totalMs} ms: study ${summary.studyInstanceUid}, ${summary.committed} objects committed, MPPS ${summary.mppsStatus}\npreview: ${summary.preview}\nfilm: ${summary.film}\n`,
    );
  return EXIT_CODES.ok;
}
