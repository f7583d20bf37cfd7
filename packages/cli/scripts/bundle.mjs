#!/usr/bin/env node
// Bundles the `hnvue` bin (dist/bin.js and everything it imports from our packages and zod) into
// dist/bundle/ with esbuild: ES modules, one chunk per lazily loaded command plus shared chunks.
// Node 20 resolves, reads and compiles each ES module file on its own; the unbundled CLI loaded
// ~280 files for `hnvue echo` (zod alone ~95), the bundle loads a handful (docs/benchmarks.md,
// "CLI start-up"). bin/hnvue.mjs runs dist/bundle/bin.js when it exists.
//
// Kept external, and so dependencies of this package: packages with native code or their own
// file layout (sharp, better-sqlite3) and dcmjs (CommonJS, loaded only by the commands that need it).
//
// `import.meta.url` in a bundled module would be the chunk's URL, not the module's own: the
// native addon (native/lib/native.ts: ../build/Release/hnvue_native.node), the WebAssembly
// codecs (createRequire from @hnvue/native) and dcmjs are found relative to it. Each bundled module
// of ours gets instead the URL it has in its installed package, resolved at run time through
// `<package>/package.json` (every package of ours is a dependency of this one, so it resolves from
// dist/bundle/ in the workspace and in a consumer's node_modules alike).
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist', 'bundle');
const external = ['sharp', 'better-sqlite3', 'dcmjs'];

/** The package.json above `file`: its name and the file's path inside the package. */
function owningPackage(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (typeof pkg.name === 'string') return { name: pkg.name, path: relative(dir, file) };
    } catch {}
  }
  return undefined;
}

const META_URL = '__hnvueModuleUrl';
const ownImportMeta = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/](packages[\\/][^\\/]+|native)[\\/]dist[\\/].*\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const pkg = owningPackage(args.path);
      if (pkg === undefined || !pkg.name.startsWith('@hnvue/')) return undefined;
      const url = `${META_URL}(${JSON.stringify(pkg.name)}, ${JSON.stringify(pkg.path.split('\\').join('/'))})`;
      const contents = `import { ${META_URL} } from ${JSON.stringify(join(root, 'scripts', 'module-url.mjs'))};\n${source.replaceAll('import.meta.url', url)}`;
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/** The commands of dist/main.js (its `./commands/<name>.js` imports). */
function commandNames() {
  const main = readFileSync(join(root, 'dist', 'main.js'), 'utf8');
  return [...new Set([...main.matchAll(/import\('\.\/commands\/([a-z-]+)\.js'\)/g)].map((m) => m[1]))];
}

/**
 * In the bundle of one command, main.js's lazy imports of the other commands become a module that
 * throws: bin/hnvue.mjs runs `commands/<name>.js` only for `hnvue <name> …`, where main loads no
 * other command.
 */
function onlyCommand(name) {
  return {
    name: 'only-command',
    setup(b) {
      b.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) => {
        const other = /([a-z-]+)\.js$/.exec(args.path)[1];
        if (other === name || !args.importer.endsWith(`${join('dist', 'main.js')}`)) return undefined;
        return { path: other, namespace: 'other-command' };
      });
      b.onLoad({ filter: /.*/, namespace: 'other-command' }, (args) => ({
        contents: `throw new Error('hnvue: internal: the bundle of "${name}" cannot load "${args.path}" (run bin/hnvue.mjs)');`,
        loader: 'js',
      }));
    },
  };
}

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // No source maps: the packed package ships none (scripts/pack-install.sh checks).
  // HNVUE_BUNDLE_SOURCEMAP=1 writes them for profiling (node --cpu-prof) only.
  sourcemap: process.env.HNVUE_BUNDLE_SOURCEMAP === '1',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};
const entry = join(root, 'dist', 'bin.js');
await rm(outdir, { recursive: true, force: true });
// Per command, one file: esbuild's code splitting assigns whole modules to chunks, so through the
// package barrels (`@hnvue/net` re-exports every service) every command's shared chunk held them
// all; a bundle per command is tree-shaken for that command alone.
const names = commandNames();
const results = await Promise.all([
  // `hnvue`, `hnvue help …`, `--version` and unknown commands: all commands, split into chunks.
  build({ ...common, entryPoints: { bin: entry }, outdir, splitting: true, plugins: [ownImportMeta] }),
  ...names.map((name) =>
    build({
      ...common,
      entryPoints: [entry],
      outfile: join(outdir, 'commands', `${name}.js`),
      plugins: [ownImportMeta, onlyCommand(name)],
    }),
  ),
]);
const outputs = Object.assign({}, ...results.map((r) => r.metafile.outputs));
// HNVUE_BUNDLE_META=FILE writes esbuild's metafiles (what each output holds) for start-up work.
if (process.env.HNVUE_BUNDLE_META) {
  await writeFile(
    process.env.HNVUE_BUNDLE_META,
    JSON.stringify({ outputs, inputs: Object.assign({}, ...results.map((r) => r.metafile.inputs)) }),
  );
}
const bytes = Object.values(outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(
  `@hnvue/cli: bundled dist/bin.js into ${relative(root, outdir)}/ (${names.length} commands, ${Object.keys(outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB)`,
);
