#!/usr/bin/env node
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
/**
 * API reference from the TSDoc comments (issue 18 item 5): docs/api/reference/, Markdown, one
 * module per package entry point (package.json `exports` with the `@hnvue/source` condition).
 *
 * TypeDoc 0.28 needs TypeScript 5.x and TypeScript 7 has no JavaScript compiler API, so the
 * `typescript` specifier is resolved to the dev-only alias `typescript5` (5.9.3) for this process.
 * Run: `node scripts/api-docs.mjs` (`pnpm docs:api`); `--check` writes to a temporary folder and
 * exits 1 naming the files that differ from the committed docs/api/reference.
 */
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const check = process.argv.includes('--check');
const committed = join(root, 'docs/api/reference');
const out = check ? mkdtempSync(join(tmpdir(), 'hnvue-api-docs-')) : committed;
const ts5 = join(root, 'node_modules/typescript5/lib/typescript.js');
const shim = `import { createRequire } from 'node:module';
const ts = createRequire(${JSON.stringify(ts5)})(${JSON.stringify(ts5)});
export default ts;`;
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === 'typescript') return { url: 'hnvue-typescript5:shim', shortCircuit: true };
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url === 'hnvue-typescript5:shim') return { format: 'module', source: ${JSON.stringify(shim)}, shortCircuit: true };
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

const { Application, Converter, ReflectionKind } = await import('typedoc');
const packageDirs = [
  'packages/core',
  'packages/dicom',
  'packages/uid',
  'native',
  'packages/iod',
  'packages/net',
  'packages/queue',
  'packages/facade',
  'packages/simulator',
  'packages/cli',
];
const entryPoints = [];
/** TypeDoc names a module by its path ("packages/net/src/pdu"); the reference uses the import name. */
const importNames = new Map();
for (const dir of packageDirs) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    const source = target && typeof target === 'object' ? target['@hnvue/source'] : undefined;
    if (typeof source !== 'string') continue;
    const file = join(root, dir, source);
    entryPoints.push(file);
    const path = relative(root, file).replace(/(\/index)?\.ts$/, '');
    importNames.set(path, subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);
  }
}

const app = await Application.bootstrapWithPlugins({
  entryPoints,
  entryPointStrategy: 'resolve',
  tsconfig: join(root, 'docs/api/tsconfig.json'),
  plugin: ['typedoc-plugin-markdown'],
  out,
  cleanOutputDir: true,
  readme: 'none',
  outputFileStrategy: 'modules',
  hideBreadcrumbs: true,
  hidePageHeader: true,
  useCodeBlocks: true,
  expandObjects: false,
  sort: ['alphabetical'],
  excludePrivate: true,
  excludeProtected: true,
  excludeInternal: true,
  excludeExternals: true,
  githubPages: false,
  hideGenerator: true,
  disableSources: true,
  validation: { notExported: false, invalidLink: true, notDocumented: false },
  logLevel: 'Warn',
});
app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
  if (reflection.kindOf(ReflectionKind.Module) && importNames.has(reflection.name)) {
    reflection.name = importNames.get(reflection.name);
  }
});
const project = await app.convert();
if (!project) {
  console.error('api-docs: TypeDoc could not convert the sources');
  process.exit(1);
}
await app.generateOutputs(project);
if (!check) {
  console.log(`api-docs: ${entryPoints.length} entry points -> docs/api/reference`);
} else {
  const list = (dir) =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)))
      .sort();
  const files = new Set([...list(out), ...list(committed)]);
  const read = (dir, file) => {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch {
      return undefined;
    }
  };
  const differing = [...files].filter((file) => read(out, file) !== read(committed, file));
  rmSync(out, { recursive: true, force: true });
  if (differing.length > 0) {
    console.error(
      `docs/api/reference differs from the TSDoc (run node scripts/api-docs.mjs):\n${differing.map((f) => `  ${f}`).join('\n')}`,
    );
    process.exit(1);
  }
}
