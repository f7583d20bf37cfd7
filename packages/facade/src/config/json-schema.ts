// A namespace import (not zod's `z` re-export) lets a bundler keep only the schema types in use:
// packages/cli/scripts/bundle.mjs went from ~750 KB to ~170 KB of zod.
import * as z from 'zod';
import { configSchema } from './schema.js';

/**
 * JSON Schema (draft 2020-12) of the configuration file as written by a person (defaults optional),
 * for editors and deployment tooling. Cross-field rules (TLS certificate pairs, lossy syntaxes) are
 * checked by `loadConfig` only.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
