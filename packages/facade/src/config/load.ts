/**
 * Loading `DicomServiceOptions` (NFR-CFG-01): defaults < JSON file < environment < `overrides`,
 * then one validation by the schema, so a bad value is reported the same way wherever it came from.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { ConfigError } from '@hnvue/core';
import { ENV_PREFIX, readEnvOverrides } from './env.js';
import { formatIssues, formatPath, type Origins, REDACTED_SECRET } from './issues.js';
import { configSchema, validateConfig } from './schema.js';
import type { DicomServiceOptions } from './types.js';

export interface LoadConfigOptions {
  /** JSON configuration file. Relative paths inside it are resolved against its folder. */
  readonly file?: string;
  /** Environment to read `HNVUE__…` overrides from; defaults to `process.env`. Pass `{}` to ignore it. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Applied last, over file and environment (deep merge; arrays are replaced). */
  readonly overrides?: unknown;
}

const HINT = 'See the Configuration section of the @hnvue/facade README.';

/** Validates an in-memory configuration (no file, no environment) and fills in the defaults. */
export function parseConfig(input: unknown): DicomServiceOptions {
  return validated(input, undefined, []);
}

/** Reads the file (if any), applies environment overrides and `overrides`, and validates the result. */
export function loadConfig(options: LoadConfigOptions = {}): DicomServiceOptions {
  const { file, env = process.env, overrides } = options;
  const issues: string[] = [];
  let fromFile: unknown = {};
  if (file !== undefined) {
    fromFile = readJsonFile(file);
    issues.push(...secretsInFile(fromFile, []));
    fromFile = resolveFilePaths(fromFile, dirname(resolvePath(file)));
  }
  const fromEnv = readEnvOverrides(env, configSchema());
  issues.push(...fromEnv.issues);
  const merged = deepMerge(deepMerge(fromFile, fromEnv.patch), overrides);
  return validated(merged, fromEnv.origins, issues, file);
}

function validated(
  input: unknown,
  origins: Origins | undefined,
  early: readonly string[],
  file?: string,
): DicomServiceOptions {
  const result = validateConfig(input);
  const issues = result.ok ? [...early] : [...early, ...formatIssues(result.issues, origins)];
  if (issues.length > 0 || !result.ok) {
    throw new ConfigError(issues, { hint: HINT, details: file === undefined ? {} : { file } });
  }
  return result.value;
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const why =
      code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : 'cannot be read';
    throw new ConfigError([`${file}: expected a readable JSON configuration file, got ${why} (${code})`], {
      cause: err,
      hint: HINT,
      details: { file },
    });
  }
  // A BOM is common in files saved by Windows editors; JSON.parse rejects it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError([`${file}: expected valid JSON, got ${describeJsonError(text, err)}`], {
      cause: err,
      hint: HINT,
      details: { file },
    });
  }
}

/**
 * `Expected ':' after property name at line 3, column 9`. V8 quotes the source in some messages
 * (`Unexpected token 'h', "{"a": hunter2}" is not valid JSON`): that part is dropped, the file may
 * hold a secret.
 */
function describeJsonError(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const what = message.replace(/,\s*(\.\.\.)?".*$/s, '').replace(/ in JSON( at position \d+.*)?$/s, '');
  const match = /at position (\d+)/.exec(message);
  if (match === null) return text.trim() === '' ? `${what} (empty file)` : what;
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${what} at line ${line}, column ${column}`;
}

/** NFR-SEC-02: a passphrase sits in a file next to the key it unlocks only by mistake. */
function secretsInFile(value: unknown, path: readonly (string | number)[]): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretsInFile(v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  const found: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const here = [...path, key];
    if (key === 'passphrase') {
      const variable = `${ENV_PREFIX}${here
        .map((k) =>
          String(k)
            .replace(/([a-z])([A-Z])/g, '$1_$2')
            .toUpperCase(),
        )
        .join('__')}`;
      found.push(
        `${formatPath(here)}: expected the passphrase from the environment (${variable}), not the file, got ${REDACTED_SECRET}`,
      );
    } else {
      found.push(...secretsInFile(v, here));
    }
  }
  return found;
}

const PATH_KEYS: ReadonlySet<string> = new Set(['certPath', 'keyPath', 'pfxPath', 'caPaths']);

/** Relative file paths in the file mean "next to this file", not "next to wherever the process started". */
function resolveFilePaths(config: unknown, base: string): unknown {
  if (!isRecord(config)) return config;
  const fix = (p: unknown): unknown =>
    typeof p === 'string' && p !== '' && !isAbsolute(p) ? resolvePath(base, p) : p;
  const fixTls = (tls: unknown): unknown => {
    if (!isRecord(tls)) return tls;
    const out: Record<string, unknown> = { ...tls };
    for (const key of Object.keys(out)) {
      if (!PATH_KEYS.has(key)) continue;
      out[key] = Array.isArray(out[key]) ? (out[key] as unknown[]).map(fix) : fix(out[key]);
    }
    // The token's PIN file and modules, as the certificate files (NFR-SEC-02).
    if (isRecord(out.pkcs11)) {
      const token: Record<string, unknown> = { ...out.pkcs11 };
      for (const key of ['pinFile', 'modulePath', 'enginePath'])
        if (key in token) token[key] = fix(token[key]);
      out.pkcs11 = token;
    }
    return out;
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'tls') out[key] = fixTls(value);
    else if (key === 'queue' && isRecord(value) && 'path' in value)
      out[key] = { ...value, path: fix(value.path) };
    else if (key === 'storage' && isRecord(value)) {
      // Named storage destinations: each with its TLS, and its commitment block's.
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, d]) => {
          if (!isRecord(d)) return [name, d];
          const fixed = fixDestination(d, fixTls);
          return [
            name,
            isRecord(d.commitment) ? { ...fixed, commitment: fixDestination(d.commitment, fixTls) } : fixed,
          ];
        }),
      );
    } else if (isRecord(value) && 'tls' in value) out[key] = { ...value, tls: fixTls(value.tls) };
    else out[key] = value;
  }
  return out;
}

function fixDestination(
  d: Record<string, unknown>,
  fixTls: (tls: unknown) => unknown,
): Record<string, unknown> {
  return 'tls' in d ? { ...d, tls: fixTls(d.tls) } : d;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepMerge(base: unknown, top: unknown): unknown {
  if (top === undefined) return base;
  if (!isRecord(base) || !isRecord(top)) return top;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) out[key] = deepMerge(base[key], value);
  return out;
}
