import * as z from 'zod/mini';
import { configSchema } from './schema.js';

/**
 * JSON Schema (draft 2020-12) of the configuration file as written by a person (defaults optional),
 * for editors and deployment tooling. Cross-field rules (TLS certificate pairs, lossy syntaxes) are
 * checked by `loadConfig` only.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
