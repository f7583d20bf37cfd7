/**
 * The README's example is real code: it is examples/quick-start.ts verbatim, it runs, and each
 * `console.log` prints what the comment beside it says.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const example = fileURLToPath(new URL('../examples/quick-start.ts', import.meta.url));

describe('@hnvue/dicom README', () => {
  it('FR-DICOM-04.encoding: the README quotes examples/quick-start.ts verbatim', async () => {
    const [readme, code] = await Promise.all([
      readFile(new URL('../README.md', import.meta.url), 'utf8'),
      readFile(example, 'utf8'),
    ]);
    expect(readme).toContain(`\`\`\`ts\n${code}\`\`\``);
  });

  it('FR-DICOM-04.encoding: the example prints what its comments say', async () => {
    const code = await readFile(example, 'utf8');
    const expected = [...code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
    const { stdout } = await run(
      process.execPath,
      ['--conditions=@hnvue/source', '--import', 'tsx', example],
      {
        cwd: packageDir,
        timeout: 30_000,
      },
    );
    expect(expected.length).toBe(5);
    expect(stdout.trimEnd().split('\n')).toEqual(expected);
  });
});
