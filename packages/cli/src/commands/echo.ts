import {
  associationOptionsFor,
  type DestinationOptions,
  type DicomServiceOptions,
  requireDestination,
} from '@hnvue/facade/config';
import { echo } from '@hnvue/net';
import { CONNECTION_OPTIONS, configFor, logLevelOf, type Parsed, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { destinationName } from './common.js';

export const ECHO_HELP = `hnvue echo [options] [host port]
  C-ECHO (Verification) to a destination: the --to destination of --config, or host/port.
  --to NAME        configured destination (ris, mpps, pacs, commitment, queryRetrieve; default pacs),
                   or storage.NAME for a named storage destination of the configuration
  --repeat N       send N echoes on one association each (default 1)`;

export async function echoCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parse(argv, {
    ...CONNECTION_OPTIONS,
    to: { type: 'string' },
    repeat: { type: 'string' },
  });
  const { config, destination } = target(parsed);
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

const STORAGE_PREFIX = 'storage.';

/** The --to destination: a fixed one (host/port/--aec may override it) or `storage.<name>` as configured. */
function target(parsed: Parsed): { config: DicomServiceOptions; destination: DestinationOptions } {
  const to = stringOption(parsed.values, 'to');
  if (to?.startsWith(STORAGE_PREFIX)) {
    if (parsed.positionals.length > 0) {
      throw new UsageError(`--to ${to}: the destination comes from --config; leave out host and port`);
    }
    const config = configFor(parsed, 'pacs', []);
    const name = to.slice(STORAGE_PREFIX.length);
    const destination = config.storage?.[name];
    if (destination === undefined) {
      const names = Object.keys(config.storage ?? {});
      throw new UsageError(
        `--to: no storage destination "${name}" in the configuration` +
          (names.length > 0 ? ` (configured: ${names.map((n) => STORAGE_PREFIX + n).join(', ')})` : ''),
      );
    }
    return { config, destination };
  }
  const name = destinationName(to, 'pacs');
  const config = configFor(parsed, name);
  return { config, destination: requireDestination(config, name) };
}

export function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
