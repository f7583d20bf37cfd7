/**
 * The cross-field rules of the named storage destinations and the routing rules (issue 21,
 * NFR-CFG-01), on the parsed configuration: names that are usable queue destinations and do not
 * clash with the fixed ones, routing rules naming configured destinations only, and no storage
 * destination that would receive nothing.
 */
import { DESTINATION_NAMES, OBJECT_KINDS, type ObjectKind } from './types.js';

/** What the rules read of the parsed configuration. */
export interface StorageRuleInput {
  readonly pacs?: unknown;
  readonly storage?: Readonly<Record<string, { readonly receives: readonly ObjectKind[] }>>;
  readonly routing?: { readonly [K in ObjectKind]?: readonly string[] };
}

export interface StorageRuleIssue {
  readonly path: (string | number)[];
  readonly message: string;
  readonly input: unknown;
}

// A queue destination and a log field: letters, digits, `_` and `-`, starting with a letter; no
// `/` (the commitment items of a destination go to `<name>/commitment`).
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const NAME_EXPECTED = 'expected destination name: a letter, then up to 31 letters, digits, "_" or "-"';
const RESERVED: ReadonlySet<string> = new Set(DESTINATION_NAMES.map((n) => n.toLowerCase()));

export function storageProblems(config: StorageRuleInput): StorageRuleIssue[] {
  const issues: StorageRuleIssue[] = [];
  const storage = config.storage ?? {};
  const seen = new Map<string, string>();
  for (const name of Object.keys(storage)) {
    const at = ['storage', name];
    if (!NAME.test(name)) {
      issues.push({ path: at, message: NAME_EXPECTED, input: name });
      continue;
    }
    const folded = name.toLowerCase();
    if (RESERVED.has(folded)) {
      issues.push({
        path: at,
        message: `expected a name other than the fixed destinations (${DESTINATION_NAMES.join(', ')})`,
        input: name,
      });
    }
    const other = seen.get(folded);
    if (other !== undefined) {
      issues.push({
        path: at,
        message: `expected a unique name (differs from "${other}" only in case)`,
        input: name,
      });
    }
    seen.set(folded, name);
  }
  const routed = new Set<string>();
  for (const kind of OBJECT_KINDS) {
    (config.routing?.[kind] ?? []).forEach((name, i) => {
      if (name in storage) routed.add(name);
      else {
        const known = Object.keys(storage);
        issues.push({
          path: ['routing', kind, i],
          message: `expected a storage destination configured under "storage" (${known.length > 0 ? known.join(', ') : 'none is'})`,
          input: name,
        });
      }
    });
  }
  for (const [name, d] of Object.entries(storage)) {
    if (d.receives.length === 0 && !routed.has(name)) {
      issues.push({
        path: ['storage', name, 'receives'],
        message: 'expected at least one object kind (or a routing rule naming this destination)',
        input: d.receives,
      });
    }
  }
  return issues;
}
