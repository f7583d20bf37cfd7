import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEnvOverrides } from '../src/config/env.js';
import { configSchema } from '../src/config/schema.js';
import { loadConfig } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'hnvue-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README configuration section', () => {
  it('NFR-CFG-01: the example file loads as documented', () => {
    const example = /```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const file = join(dir, 'dicom.json');
    writeFileSync(file, example!);
    const config = loadConfig({ file, env: {} });
    expect(config.pacs?.tls.certPath).toBe(join(dir, 'certs/console.pem'));
    expect(config.queue.path).toBe(join(dir, 'queue.sqlite'));
    expect(config.printer?.transferSyntaxes.at(-1)).toBe('1.2.840.10008.1.2');
  });

  it('NFR-CFG-01: every variable of the environment table names the key it claims to set', () => {
    const rows = [...readme.matchAll(/^\| `(HNVUE__[A-Z_]+)` \| `([A-Za-z.]+)` \|/gm)];
    expect(rows.length).toBeGreaterThan(10);
    for (const [, variable, path] of rows) {
      const { origins, issues } = readEnvOverrides({ [variable!]: 'x' }, configSchema());
      expect(issues).toEqual([]);
      expect([...origins.keys()]).toEqual([path]);
    }
  });
});
