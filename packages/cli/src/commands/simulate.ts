import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModalityAddress, startSimulator } from '@hnvue/simulator';
import { logLevelOf, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';

export const SIMULATE_HELP = `hnvue simulate [options]
  Runs the RIS/PACS simulator until Ctrl-C: MWL + MPPS SCP (RIS), storage + storage commitment
  SCP (PACS; reports on a new association, like Orthanc).
  --host ADDR            listen address (default 127.0.0.1)
  --ris-port N           RIS port (default 4006; 0 = any)     --ris-aet AE (default RIS)
  --pacs-port N          PACS port (default 11112; 0 = any)   --pacs-aet AE (default PACS)
  --dir DIR              folder for received objects (default <tmp>/hnvue-simulator)
  --modality AE=HOST:PORT   where commitment reports for AE go (repeatable)
  --json                 print the addresses as one JSON line when ready`;

function modality(spec: string): [string, ModalityAddress] {
  const m = /^([^=]+)=([^:]+):(\d+)$/.exec(spec);
  if (!m) throw new UsageError(`--modality: expected AE=HOST:PORT, got "${spec}"`);
  return [m[1]!, { host: m[2]!, port: Number(m[3]) }];
}

export async function simulateCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parse(argv, {
    host: { type: 'string' },
    'ris-port': { type: 'string' },
    'pacs-port': { type: 'string' },
    'ris-aet': { type: 'string' },
    'pacs-aet': { type: 'string' },
    dir: { type: 'string' },
    modality: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    debug: { type: 'boolean', short: 'd' },
    verbose: { type: 'boolean', short: 'v' },
    'log-level': { type: 'string' },
  });
  const v = parsed.values;
  const port = (name: string, fallback: number) => {
    const text = stringOption(v, name);
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new UsageError(`--${name}: expected 0-65535`);
    return n;
  };
  const modalities = Object.fromEntries(((v.modality as string[] | undefined) ?? []).map(modality));
  const { simulator, address } = await startSimulator({
    host: stringOption(v, 'host') ?? '127.0.0.1',
    ris: { aeTitle: stringOption(v, 'ris-aet') ?? 'RIS', port: port('ris-port', 4006) },
    pacs: { aeTitle: stringOption(v, 'pacs-aet') ?? 'PACS', port: port('pacs-port', 11112) },
    storageDir: stringOption(v, 'dir') ?? join(tmpdir(), 'hnvue-simulator'),
    modalities,
    logger: ctx.logger(logLevelOf(v, 'info')),
  });
  simulator.on('stored', (i) => ctx.err(`stored ${i.sopInstanceUid}\n`));
  simulator.on('mpps', (uid, status) => ctx.err(`mpps ${uid} ${status}\n`));
  simulator.on('commitmentReported', (uid, type) => ctx.err(`commitment ${uid} event ${type}\n`));
  simulator.on('commitmentReportFailed', (uid, err) =>
    ctx.err(`commitment ${uid} report failed: ${err.message}\n`),
  );
  if (v.json) ctx.out(`${JSON.stringify({ ready: true, ...address })}\n`);
  else
    ctx.out(
      `simulator ready: RIS ${address.ris.aeTitle}@${address.host}:${address.ris.port}, PACS ${address.pacs.aeTitle}@${address.host}:${address.pacs.port}\n`,
    );
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await simulator.stop();
  return EXIT_CODES.ok;
}
