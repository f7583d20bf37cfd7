/**
 * Environment overrides: `HNVUE__PACS__PORT=11112` sets `pacs.port`. Segments are separated by a
 * double underscore and matched to schema keys ignoring case and single underscores
 * (`AE_TITLE` and `AETITLE` both name `aeTitle`). A value is converted only as far as the schema's
 * type at that path asks (digits to a number, `true`/`false` to a boolean, a comma-separated or JSON
 * list to an array); anything else stays a string and is reported by the same schema, so
 * `HNVUE__PACS__PORT=abc` fails as `pacs.port: expected a number (integer 1-65535), got string "abc"`.
 */
import type { z } from 'zod';
import { formatPath } from './issues.js';

export const ENV_PREFIX = 'HNVUE__';
const SEPARATOR = '__';

type Kind = 'number' | 'boolean' | 'array' | 'object' | 'string';

interface Def {
  readonly type: string;
  readonly innerType?: z.core.$ZodType;
  readonly in?: z.core.$ZodType;
  readonly shape?: Readonly<Record<string, z.core.$ZodType>>;
  readonly element?: z.core.$ZodType;
  readonly options?: readonly z.core.$ZodType[];
}

const WRAPPERS: ReadonlySet<string> = new Set([
  'optional',
  'default',
  'prefault',
  'nullable',
  'readonly',
  'catch',
]);

function unwrap(schema: z.core.$ZodType): Def {
  let def = schema._zod.def as unknown as Def;
  for (;;) {
    if (WRAPPERS.has(def.type) && def.innerType !== undefined) def = def.innerType._zod.def as unknown as Def;
    else if (def.type === 'pipe' && def.in !== undefined) def = def.in._zod.def as unknown as Def;
    else return def;
  }
}

function kindOf(def: Def): Kind {
  switch (def.type) {
    case 'number':
    case 'int':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'array';
    case 'object':
    case 'record':
      return 'object';
    case 'union':
      // `0 | 4096-16777216` style unions of numbers.
      return (def.options ?? []).some((o) => kindOf(unwrap(o)) === 'number') ? 'number' : 'string';
    case 'literal':
      return typeof (def as { values?: unknown[] }).values?.[0] === 'number' ? 'number' : 'string';
    default:
      return 'string';
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function coerce(raw: string, def: Def): unknown {
  const value = raw.trim();
  switch (kindOf(def)) {
    case 'number':
      return NUMBER.test(value) ? Number(value) : raw;
    case 'boolean': {
      const lower = value.toLowerCase();
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
      return raw;
    }
    case 'array': {
      if (value.startsWith('[')) return parseJsonOr(raw);
      const element = def.element === undefined ? undefined : unwrap(def.element);
      return value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
        .map((item) => (element === undefined ? item : coerce(item, element)));
    }
    case 'object':
      return value.startsWith('{') ? parseJsonOr(raw) : raw;
    case 'string':
      return raw;
  }
}

function parseJsonOr(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

const normalize = (key: string): string => key.replaceAll('_', '').toUpperCase();
const camel = (segment: string): string =>
  segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export interface EnvOverrides {
  /** A partial configuration built from the environment. */
  readonly patch: Record<string, unknown>;
  /** Dotted path → the variable that set it, to name the source in error messages. */
  readonly origins: ReadonlyMap<string, string>;
  /** Variables that name no configuration key. */
  readonly issues: readonly string[];
}

/** Reads every `HNVUE__…` variable of `env` against `schema`. */
export function readEnvOverrides(
  env: Readonly<Record<string, string | undefined>>,
  schema: z.core.$ZodType,
): EnvOverrides {
  const patch: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  const issues: string[] = [];
  const names = Object.keys(env)
    .filter((name) => name.toUpperCase().startsWith(ENV_PREFIX) && env[name] !== undefined)
    // Whole blocks first, so `HNVUE__PACS__PORT` wins over a `port` inside `HNVUE__PACS`.
    .sort((a, b) => a.split(SEPARATOR).length - b.split(SEPARATOR).length || a.localeCompare(b));

  for (const name of names) {
    const segments = name.slice(ENV_PREFIX.length).split(SEPARATOR);
    const path: string[] = [];
    let def: Def | undefined = unwrap(schema);
    for (const segment of segments) {
      const shape: Readonly<Record<string, z.core.$ZodType>> | undefined = def?.shape;
      const key =
        shape === undefined ? undefined : Object.keys(shape).find((k) => normalize(k) === normalize(segment));
      if (key === undefined || shape === undefined) {
        def = undefined;
        path.push(camel(segment));
        continue;
      }
      path.push(key);
      def = unwrap(shape[key]!);
    }
    if (def === undefined || segments.some((s) => s === '')) {
      issues.push(`${formatPath(path)}: unknown key (from ${name})`);
      continue;
    }
    setPath(patch, path, coerce(env[name]!, def));
    origins.set(formatPath(path), name);
  }
  return { patch, origins, issues };
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
