// Bundled into dist/bundle/ by scripts/bundle.mjs: the URL a module of ours has in its installed
// package (`import.meta.url` before bundling), from that package's package.json as resolved from
// the bundle.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const roots = new Map();

export function __hnvueModuleUrl(name, path) {
  let root = roots.get(name);
  if (root === undefined) {
    root = pathToFileURL(require.resolve(`${name}/package.json`));
    roots.set(name, root);
  }
  return new URL(path, root).href;
}
