/**
 * Command-line parsing on node:util parseArgs, with the options DCMTK users type by habit
 * (`-aet`, `-aec`, `-to`, `-ta`, `-td`, `-pdu`, `+tls key cert`, `+cf ca`, `-ic`, positional
 * `host port`). parseArgs only knows one-letter short options, so those multi-letter DCMTK
 * spellings are rewritten to long options before parsing.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { LogLevel } from '@hnvue/core';
import { type DestinationName, type DicomServiceOptions, loadConfig } from '@hnvue/facade/config';
import { UsageError } from './errors.js';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options every network command takes. */
export const CONNECTION_OPTIONS: OptionSpec = {
  config: { type: 'string', short: 'c' },
  aet: { type: 'string' },
  aec: { type: 'string' },
  timeout: { type: 'string' },
  'acse-timeout': { type: 'string' },
  'dimse-timeout': { type: 'string' },
  'max-pdu': { type: 'string' },
  tls: { type: 'boolean' },
  'tls-key': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-ca': { type: 'string', multiple: true },
  'no-verify': { type: 'boolean' },
  debug: { type: 'boolean', short: 'd' },
  verbose: { type: 'boolean', short: 'v' },
  'log-level': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const DCMTK_SPELLINGS: Readonly<Record<string, string>> = {
  '-aet': '--aet',
  '--aetitle': '--aet',
  '-aec': '--aec',
  '--call': '--aec',
  '-to': '--timeout',
  '-ta': '--acse-timeout',
  '-td': '--dimse-timeout',
  '-pdu': '--max-pdu',
  '+cf': '--tls-ca',
  '--add-cert-file': '--tls-ca',
  '-ic': '--no-verify',
  '--ignore-peer-cert': '--no-verify',
};

/** Rewrites DCMTK spellings; `+tls key cert` becomes `--tls --tls-key key --tls-cert cert`. */
export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg === '+tls' || arg === '--enable-tls') {
      const key = argv[i + 1];
      const cert = argv[i + 2];
      if (key === undefined || cert === undefined)
        throw new UsageError(`${arg} needs a key file and a certificate file`);
      out.push('--tls', '--tls-key', key, '--tls-cert', cert);
      i += 2;
      continue;
    }
    out.push(DCMTK_SPELLINGS[arg] ?? arg);
  }
  return out;
}

export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** parseArgs with our spelling rules; unknown options are a UsageError (exit code 2). */
export function parse(argv: readonly string[], options: OptionSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: normalizeArgv(argv),
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

export function stringOption(values: Parsed['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A number option (seconds for DCMTK-style timeouts); UsageError when not a positive number. */
export function numberOption(values: Parsed['values'], name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name}: expected a non-negative number, got "${text}"`);
  return n;
}

function portOf(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65_535)
    throw new UsageError(`port: expected 1-65535, got "${text}"`);
  return n;
}

export function logLevelOf(values: Parsed['values'], fallback: LogLevel = 'warn'): LogLevel {
  const explicit = stringOption(values, 'log-level');
  if (explicit !== undefined) {
    const levels: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
    if (!levels.includes(explicit as LogLevel))
      throw new UsageError(`--log-level: expected one of ${levels.join(', ')}`);
    return explicit as LogLevel;
  }
  if (values.debug) return 'debug';
  if (values.verbose) return 'info';
  return fallback;
}

/**
 * The configuration for a command: `--config` file (or none), the HNVUE__ environment, then the
 * command line over both. `host port` positionals (or `--aec`, timeouts, TLS options) replace or
 * create the `destination` block, so `hnvue echo -aec PACS localhost 11112` needs no file.
 */
export function configFor(
  parsed: Parsed,
  destination: DestinationName,
  positionals: readonly string[] = parsed.positionals,
  destinationExtra: Readonly<Record<string, unknown>> = {},
): DicomServiceOptions {
  const { values } = parsed;
  const file = stringOption(values, 'config');
  const overrides: Record<string, unknown> = {};
  const aet = stringOption(values, 'aet');
  overrides.local = aet ? { aeTitle: aet } : {};
  if (!file) {
    // Without a file the two required keys get CLI defaults (2.25 UUID UIDs: no org root).
    overrides.local = { aeTitle: aet ?? 'HNVUE', ...(overrides.local as object) };
    overrides.uid = { deviceSerial: '1' };
  }
  const dest: Record<string, unknown> = {};
  const [host, port] = positionals;
  if (host !== undefined) {
    if (port === undefined) throw new UsageError('expected `host port` (both), got only a host');
    dest.host = host;
    dest.port = portOf(port);
  }
  const aec = stringOption(values, 'aec');
  if (aec !== undefined) dest.aeTitle = aec;
  const timeouts: Record<string, number> = {};
  const seconds = (name: string) => {
    const s = numberOption(values, name);
    return s === undefined ? undefined : Math.max(1, Math.round(s * 1000));
  };
  const connectMs = seconds('timeout');
  const acseMs = seconds('acse-timeout');
  const dimseMs = seconds('dimse-timeout');
  if (connectMs !== undefined) timeouts.connectMs = connectMs;
  if (acseMs !== undefined) timeouts.acseMs = acseMs;
  if (dimseMs !== undefined) timeouts.dimseMs = dimseMs;
  if (Object.keys(timeouts).length) dest.timeouts = timeouts;
  const maxPdu = numberOption(values, 'max-pdu');
  if (maxPdu !== undefined) dest.maxPduLength = maxPdu;
  const tls: Record<string, unknown> = {};
  if (values.tls) tls.enabled = true;
  const key = stringOption(values, 'tls-key');
  const cert = stringOption(values, 'tls-cert');
  const ca = values['tls-ca'];
  if (key) tls.keyPath = key;
  if (cert) tls.certPath = cert;
  if (Array.isArray(ca) && ca.length) tls.caPaths = ca;
  if (values['no-verify']) tls.rejectUnauthorized = false;
  if (Object.keys(tls).length) dest.tls = tls;
  Object.assign(dest, destinationExtra);
  if (Object.keys(dest).length) {
    // A destination named only on the command line still needs an AE title (DCMTK's default).
    if (dest.aeTitle === undefined && (!file || host !== undefined)) dest.aeTitle = 'ANY-SCP';
    overrides[destination] = dest;
  }
  const level = stringOption(values, 'log-level');
  if (level) overrides.logging = { level };
  return loadConfig({ ...(file ? { file } : {}), overrides });
}
