/**
 * Turns schema issues into the lines of a `ConfigError`: `path: expected …, got <JSON>`, with secrets
 * (passphrases) never echoed. The value shown is the configuration's own value, never dataset
 * content, so no PHI can reach the message (NFR-SEC-01).
 */
import type { z } from 'zod';

export const REDACTED_SECRET = '[redacted]';

/** Keys whose values are secrets wherever they appear. */
const SECRET_KEYS: ReadonlySet<string> = new Set(['passphrase']);

const MAX_SHOWN = 80;

export function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some((key) => typeof key === 'string' && SECRET_KEYS.has(key));
}

/** `pacs.transferSyntaxes[2]`; the empty path (the whole document) is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

function redactDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) ? REDACTED_SECRET : redactDeep(v)]),
    );
  }
  return value;
}

/** The `got …` part: JSON of the value, secrets redacted, long values cut. */
export function renderValue(value: unknown, path: readonly PropertyKey[]): string {
  if (isSecretPath(path)) return REDACTED_SECRET;
  if (value === undefined) return 'nothing';
  let json: string;
  try {
    json = JSON.stringify(redactDeep(value)) ?? String(value);
  } catch {
    json = String(value);
  }
  return json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN - 1)}…` : json;
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('expected ')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `expected a valid value (${issue.message})`;
  }
}

/** What a wrong-typed value should have been, as the line says it (`expected a string`). */
const TYPE_NAMES: Readonly<Record<string, readonly [json: string, words: string]>> = {
  string: ['string', 'a string'],
  number: ['number', 'a number'],
  int: ['number', 'an integer'],
  boolean: ['boolean', 'true or false'],
  object: ['object', 'an object'],
  array: ['array', 'an array'],
};

/** JSON's name for the type of a value (`null` and `array` apart from `object`). */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * A value of the wrong type is named as such: `uid.deviceSerial: 42` is `expected a string (UID
 * component: …), got number 42`, not a pattern the value could never match.
 */
function wrongType(issue: z.core.$ZodIssue, got: string): string | undefined {
  if (issue.code !== 'invalid_type' || issue.input === undefined) return undefined;
  const [json, expected] = TYPE_NAMES[issue.expected] ?? [issue.expected, issue.expected];
  // 1.5 for an integer is the right type with the wrong value: the rule alone says it.
  if (json === typeName(issue.input)) return undefined;
  const rule = issue.message.startsWith('expected ') ? issue.message.slice('expected '.length) : '';
  const detail = rule === '' || rule === expected || rule === issue.expected ? '' : ` (${rule})`;
  const type = typeName(issue.input);
  return `expected ${expected}${detail}, got ${got === type ? got : `${type} ${got}`}`;
}

/** Where a path's value came from when not from the file, e.g. `HNVUE__PACS__PORT`. */
export type Origins = ReadonlyMap<string, string>;

function originNote(path: readonly PropertyKey[], origins: Origins | undefined): string {
  if (origins === undefined) return '';
  for (let n = path.length; n > 0; n--) {
    const source = origins.get(formatPath(path.slice(0, n)));
    if (source !== undefined) return ` (from ${source})`;
  }
  return '';
}

/** One line per problem; an issue listing several unknown keys gives one line per key. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], origins?: Origins): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        lines.push(`${formatPath(path)}: unknown key${originNote(path, origins)}`);
      }
      continue;
    }
    const got = renderValue(issue.input, issue.path);
    const what = wrongType(issue, got) ?? `${expectation(issue)}, got ${got}`;
    lines.push(`${formatPath(issue.path)}: ${what}${originNote(issue.path, origins)}`);
  }
  // Several checks of one value can fail alike (an empty AE title is both too short and all spaces).
  return [...new Set(lines)];
}
