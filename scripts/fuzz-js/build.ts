/**
 * Bundles one fuzz target into a single ES module whose code under packages/<pkg>/src/ carries
 * coverage counters: esbuild resolves and bundles the target entry (the `@hnvue/source` condition
 * takes each workspace package from its sources), istanbul-lib-instrument adds its statement,
 * function and branch counters to every file of ours, and each counter is rewritten from
 * istanbul's `cov_<hash>().s[N]++` into one byte of a shared Uint8Array (`globalThis.__hnvCov`),
 * so the engine resets and scans coverage with typed-array loops. The harness itself (target
 * entry, property checks, test helpers) and third-party code stay uninstrumented.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin, transformSync } from 'esbuild';

export const ROOT: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface FileCoverage {
  readonly s: Record<string, number>;
  readonly f: Record<string, number>;
  readonly b: Record<string, number[]>;
}
interface Instrumenter {
  instrumentSync(code: string, filename: string): string;
  lastFileCoverage(): FileCoverage;
}
const { createInstrumenter } = createRequire(join(ROOT, 'package.json'))('istanbul-lib-instrument') as {
  createInstrumenter(options: Record<string, unknown>): Instrumenter;
};

export interface BuiltTarget {
  /** The bundled module (under the target package's node_modules/.cache, so its imports resolve). */
  readonly file: string;
  /** Coverage counters in all: the length of the Uint8Array the bundle expects. */
  readonly counters: number;
  /** Instrumented source files, relative to the repository root, with their first counter. */
  readonly files: readonly { readonly path: string; readonly first: number; readonly count: number }[];
}

const OURS = /[\\/]packages[\\/][^\\/]+[\\/]src[\\/].*\.ts$/;
const COUNTER = /cov_[a-z0-9]+\(\)\.([sfb])\[(\d+)\](?:\[(\d+)\])?\+\+/g;

/** Bundles `entry` (absolute path of a target module) to `<pkgDir>/node_modules/.cache/hnvue-fuzz/`. */
export async function buildTarget(entry: string, name: string): Promise<BuiltTarget> {
  const pkgDir = join(dirname(entry), '..');
  const outDir = join(pkgDir, 'node_modules', '.cache', 'hnvue-fuzz');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}.mjs`);
  const files: { path: string; first: number; count: number }[] = [];
  let next = 0;
  const instrumenter = createInstrumenter({
    esModules: true,
    compact: true,
    produceSourceMap: false,
    autoWrap: true,
    coverageGlobalScope: 'globalThis',
    coverageGlobalScopeFunc: false,
  });
  const instrument: Plugin = {
    name: 'hnvue-coverage',
    setup(b) {
      b.onLoad({ filter: OURS }, (args) => {
        const ts = readFileSync(args.path, 'utf8');
        const js = transformSync(ts, {
          loader: 'ts',
          format: 'esm',
          target: 'node20',
          sourcefile: args.path,
        }).code;
        const path = relative(ROOT, args.path).split(sep).join('/');
        const instrumented = instrumenter.instrumentSync(js, path);
        const cov = instrumenter.lastFileCoverage();
        const first = next;
        const sCount = Object.keys(cov.s).length;
        const fCount = Object.keys(cov.f).length;
        const bOffsets: number[] = [];
        let bCount = 0;
        for (const arms of Object.values(cov.b)) {
          bOffsets.push(bCount);
          bCount += arms.length;
        }
        const contents = instrumented.replace(COUNTER, (_m, kind: string, i: string, arm?: string) => {
          const at =
            kind === 's'
              ? first + Number(i)
              : kind === 'f'
                ? first + sCount + Number(i)
                : first + sCount + fCount + (bOffsets[Number(i)] ?? 0) + Number(arm ?? 0);
          return `__hnvCov[${at}]++`;
        });
        next += sCount + fCount + bCount;
        files.push({ path, first, count: sCount + fCount + bCount });
        return { contents, loader: 'js' };
      });
      // Third-party packages are imported at run time from the package's node_modules.
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@hnvue/') || args.path.startsWith('node:')) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: file,
    conditions: ['@hnvue/source'],
    banner: { js: 'const __hnvCov = globalThis.__hnvCov;' },
    plugins: [instrument],
    logLevel: 'error',
    // Keeps class and function names (error classes are matched by name in findings).
    keepNames: true,
  });
  return { file, counters: next, files };
}
