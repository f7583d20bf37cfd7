import { associationOptionsFor, requireDestination } from '@hnvue/facade/config';
import { echo } from '@hnvue/net';
import { CONNECTION_OPTIONS, configFor, logLevelOf, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { destinationName } from './common.js';

export const ECHO_HELP = `hnvue echo [options] [host port]
  C-ECHO (Verification) to a destination: the --to destination of --config, or host/port.
  --to NAME        configured destination (ris, mpps, pacs, commitment, queryRetrieve; default pacs)
  --repeat N       send N echoes on one association each (default 1)`;

export async function echoCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parse(argv, {
    ...CONNECTION_OPTIONS,
    to: { type: 'string' },
    repeat: { type: 'string' },
  });
  const name = destinationName(stringOption(parsed.values, 'to'), 'pacs');
  const config = configFor(parsed, name);
  const destination = requireDestination(config, name);
  const logger = ctx.logger(logLevelOf(parsed.values));
  const repeat = Number(stringOption(parsed.values, 'repeat') ?? '1');
  const results: { status: number; ms: number }[] = [];
  for (let i = 0; i < Math.max(1, repeat); i++) {
    const started = performance.now();
    const response = await echo({
      ...associationOptionsFor(config, destination, logger),
      signal: ctx.signal,
    });
    results.push({ status: response.status, ms: Math.round((performance.now() - started) * 10) / 10 });
  }
  const where = `${destination.aeTitle}@${destination.host}:${destination.port}`;
  if (parsed.values.json) {
    ctx.out(`${JSON.stringify({ destination: where, echoes: results })}\n`);
  } else {
    for (const r of results) ctx.out(`C-ECHO ${where}: status 0x${hex4(r.status)} (${r.ms} ms)\n`);
  }
  return EXIT_CODES.ok;
}

export function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
