/**
 * Writes docs/conformance-statement.md and its HTML rendering from the implementation metadata;
 * `--check` fails when the committed files differ (FR-DICOM-12).
 * Run: node --conditions=@hnvue/source --import tsx packages/net/scripts/conformance/run.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownToHtml } from './html.js';
import { renderConformanceStatement } from './statement.js';

const docs = join(import.meta.dirname, '..', '..', '..', '..', 'docs');
const md = renderConformanceStatement();
const files: [string, string][] = [
  [join(docs, 'conformance-statement.md'), md],
  [join(docs, 'conformance-statement.html'), markdownToHtml(md, 'HnVue DICOM — DICOM Conformance Statement')],
];
if (process.argv.includes('--check')) {
  const stale = files.filter(([path, text]) => {
    try {
      return readFileSync(path, 'utf8') !== text;
    } catch {
      return true;
    }
  });
  if (stale.length) {
    console.error(
      `out of date: ${stale.map(([p]) => p).join(', ')}; run packages/net/scripts/conformance/run.ts and commit`,
    );
    process.exit(1);
  }
  console.log('the conformance statement is up to date');
} else {
  for (const [path, text] of files) writeFileSync(path, text);
  console.log('wrote docs/conformance-statement.md and .html');
}
