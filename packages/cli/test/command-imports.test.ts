/**
 * What each network command pulls in (issue 18's start-up work, docs/benchmarks.md "CLI start-up"):
 * esbuild bundles the command module from source, as scripts/bundle.mjs does for bin/hnvue.mjs,
 * and the metafile must hold no code the command does not run. A wide import (zod's `z`
 * re-export, a package root without `sideEffects`, an image builder in a shared module) shows here
 * as a module that should not be there. Sizes are not checked: this is no timing test.
 */
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function inputsOf(command: string): Promise<{ inputs: string[]; externals: string[] }> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../src/commands/${command}.ts`, import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@hnvue/source'],
    external: ['sharp', 'better-sqlite3', 'dcmjs'],
    metafile: true,
    logLevel: 'silent',
    outdir: 'out',
  });
  const output = Object.values((result.metafile as Metafile).outputs)[0]!;
  return {
    inputs: Object.keys(output.inputs),
    externals: output.imports.filter((i) => i.external && !i.path.startsWith('node:')).map((i) => i.path),
  };
}

const NEVER = [
  /zod\/v4\/locales\/(?!en\.js)/, // zod's other 40 locales: only through its `z` re-export
  /zod\/v4\/classic\//, // the configuration schema is zod/mini (facade/src/config/schema.ts)
  /packages\/(iod|queue|simulator)\//,
];
// @hnvue/native's root registers its codecs (net's PDU framer imports it): a known cost of ~10 ms,
// docs/benchmarks.md, not checked here.

describe('FR-DICOM-02: hnvue echo, store and worklist load only what they run', () => {
  it('FR-DICOM-02: echo bundles no image, queue, print, Q/R or storage code, no dictionary, no dcmjs, sharp or SQLite', async () => {
    const { inputs, externals } = await inputsOf('echo');
    expect(externals).toEqual([]);
    for (const never of [...NEVER, /net\/src\/(storage|qr|print|workflow)\//, /dicom\/src\/dictionary\/data/])
      expect(inputs.filter((p) => never.test(p))).toEqual([]);
    expect(inputs.some((p) => /net\/src\/services\/echo/.test(p))).toBe(true);
  });

  it('FR-DICOM-04: store bundles no image builder, queue, Q/R or print code, no dcmjs, sharp or SQLite', async () => {
    const { inputs, externals } = await inputsOf('store');
    expect(externals).toEqual([]);
    for (const never of [...NEVER, /net\/src\/(qr|print|workflow)\//])
      expect(inputs.filter((p) => never.test(p))).toEqual([]);
  });

  it('FR-DICOM-03: worklist bundles no image, queue, storage or print code, no sharp or SQLite (dcmjs reads the responses)', async () => {
    const { inputs, externals } = await inputsOf('worklist');
    expect(externals.filter((e) => e !== 'dcmjs')).toEqual([]);
    for (const never of [...NEVER, /net\/src\/(storage|print)\//])
      expect(inputs.filter((p) => never.test(p))).toEqual([]);
  });
});
