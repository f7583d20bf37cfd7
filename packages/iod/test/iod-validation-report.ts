/**
 * Prints the IOD validation run as JSON on stdout, for scripts/iod-validation.mjs.
 * Run: node --conditions=@hnvue/source --import tsx packages/iod/test/iod-validation-report.ts
 */
import { cleanupTemp } from './helpers.js';
import { KNOWN_WARNINGS, runIodValidation, toolVersions } from './iod-validation-cases.js';

const { rows, notProduced, lossy } = await runIodValidation();
cleanupTemp();
const known = KNOWN_WARNINGS.map((k) => ({ tool: k.tool, pattern: k.pattern.source, reason: k.reason }));
process.stdout.write(JSON.stringify({ rows, notProduced, lossy, known, versions: toolVersions() }));
