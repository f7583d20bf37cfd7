// Builds docs/soup.md, the SOUP list of IEC 62304 8.1.2: every third-party component that ships
// with or is linked into the packages — npm packages (the production dependency closure of every
// publishable package, as installed from the lockfile) and the system libraries the native addon
// links (read off the built addon with ldd, versions from dpkg). `--check` fails when the committed
// file differs from what this machine's install and build give (Debian revisions are not compared:
// a security update of the same upstream version is not a new SOUP item).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const OUT = join(root, 'docs', 'soup.md');

/** Why each direct dependency is there (IEC 62304 8.1.2: the purpose of each SOUP item). */
const PURPOSE = {
  dcmjs: 'DICOM data set model and Part 10 writer used by the IOD builders (DX, CR, RDSR, GSPS)',
  sharp: 'pixel work: PNG previews, resizing and windowing for print (libvips)',
  'better-sqlite3': 'the transmission queue database (SQLite, WAL mode)',
  zod: 'configuration schema and validation',
  '@cornerstonejs/codec-charls': 'JPEG-LS codec in WebAssembly (fallback when the addon is not built)',
  '@cornerstonejs/codec-libjpeg-turbo-8bit': 'JPEG baseline codec in WebAssembly (fallback)',
  '@cornerstonejs/codec-openjpeg':
    'JPEG 2000 / HTJ2K decoder in WebAssembly (fallback, and default HTJ2K decode)',
  '@cornerstonejs/codec-openjph': 'HTJ2K encoder in WebAssembly (fallback)',
  'jpeg-lossless-decoder-js': 'JPEG Lossless decoder in JavaScript (fallback when the addon is not built)',
  'cmake-js': 'builds the native addon on install',
  'node-addon-api': 'C++ wrapper of Node-API for the native addon',
  pino: 'structured logging',
};

/** What the addon links, and why (the library names as ldd shows them). */
const NATIVE_PURPOSE = {
  libopenjp2: 'JPEG 2000 codec (OpenJPEG) in the addon',
  libcharls: 'JPEG-LS codec (CharLS) in the addon',
  libopenjph: 'HTJ2K encoder (OpenJPH) in the addon',
  libjpeg: 'JPEG baseline codec (libjpeg-turbo) in the addon',
  'libstdc++': 'C++ runtime of the addon',
  libgcc_s: 'GCC runtime of the addon',
};

function publishable() {
  const dirs = [
    join(root, 'native'),
    ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p)),
  ];
  return dirs
    .filter((d) => existsSync(join(d, 'package.json')))
    .map((d) => ({ dir: d, pkg: JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private);
}

function resolvePackageDir(fromDir, name) {
  const req = createRequire(join(fromDir, 'package.json'));
  for (const base of req.resolve.paths(name) ?? []) {
    const candidate = join(base, name, 'package.json');
    if (existsSync(candidate)) return realpathSync(dirname(candidate));
  }
  return undefined;
}

function licenceOf(pkg) {
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license?.type) return pkg.license.type;
  if (Array.isArray(pkg.licenses)) return pkg.licenses.map((l) => l.type ?? l).join(' OR ');
  return 'UNKNOWN';
}

function anomalies(pkg) {
  const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
  if (bugs) return bugs;
  const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  if (repo) {
    const m = /github\.com[/:]([^/]+\/[^/.#]+)/.exec(repo) ?? /^github:([^/]+\/[^/.#]+)/.exec(repo);
    if (m) return `https://github.com/${m[1]}/issues`;
    if (/^[\w-]+\/[\w.-]+$/.test(repo)) return `https://github.com/${repo}/issues`;
    return repo.replace(/^git\+/, '');
  }
  return `https://www.npmjs.com/package/${pkg.name}`;
}

function npmSoup() {
  const items = new Map();
  const visit = (fromDir, name, usedBy, via) => {
    if (name.startsWith('@hnvue/')) return;
    const dir = resolvePackageDir(fromDir, name);
    if (!dir) {
      // An optional dependency for another platform is absent by design; anything else means the
      // install is incomplete, and a SOUP list written from it would silently lose items.
      if (via === undefined)
        throw new Error(`${name} (a dependency of ${usedBy}) is not installed: run pnpm install first`);
      return;
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const key = `${pkg.name}@${pkg.version}`;
    let item = items.get(key);
    const first = !item;
    if (!item) {
      item = {
        name: pkg.name,
        version: pkg.version,
        licence: licenceOf(pkg),
        anomalies: anomalies(pkg),
        usedBy: new Set(),
        via: new Set(),
      };
      items.set(key, item);
    }
    item.usedBy.add(usedBy);
    if (via) item.via.add(via);
    if (!first) return;
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      visit(dir, dep, usedBy, via ?? pkg.name);
    }
  };
  for (const { dir, pkg } of publishable()) {
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }))
      visit(dir, dep, pkg.name, undefined);
  }
  return [...items.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
  );
}

function upstream(debVersion) {
  return debVersion.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

const quiet = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };

/** The Debian binary and source package owning a library path (merged /usr: try both spellings). */
function debianPackageOf(path) {
  const real = realpathSync(path);
  const candidates = [
    path,
    real,
    real.replace(/^\/usr\/lib\//, '/lib/'),
    real.replace(/^\/lib\//, '/usr/lib/'),
  ];
  for (const candidate of [...new Set(candidates)]) {
    try {
      const pkgName = execFileSync('dpkg', ['-S', candidate], quiet).split(':')[0].trim();
      const [version, source] = execFileSync(
        'dpkg-query',
        // dpkg-query's own ${field} format, not a JavaScript template.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query --showformat syntax
        ['-W', '-f=${Version}\t${source:Package}', pkgName],
        quiet,
      ).split('\t');
      return { pkgName, source: source || pkgName, version: upstream(version) };
    } catch {
      // Not this spelling.
    }
  }
  return { pkgName: '(not from a Debian package)', source: '', version: '' };
}

function nativeSoup() {
  const addon = join(root, 'native', 'build', 'Release', 'hnvue_native.node');
  if (!existsSync(addon)) return { built: false, items: [] };
  const ldd = execFileSync('ldd', [addon], { encoding: 'utf8' });
  const items = [];
  for (const line of ldd.split('\n')) {
    const m = /^\s*(\S+)\s+=>\s+(\S+)/.exec(line);
    if (!m) continue;
    const lib = m[1].replace(/\.so.*$/, '');
    if (['libc', 'libm', 'ld-linux-x86-64'].includes(lib)) continue;
    const owner = debianPackageOf(m[2]);
    items.push({ lib, soname: m[1], ...owner, purpose: NATIVE_PURPOSE[lib] ?? 'linked by the addon' });
  }
  return { built: true, items: items.sort((a, b) => a.lib.localeCompare(b.lib)) };
}

function render() {
  const npm = npmSoup();
  const native = nativeSoup();
  const direct = npm.filter((i) => i.via.size === 0);
  let md = '# SOUP list (IEC 62304 8.1.2)\n\n';
  md +=
    'Generated by `node scripts/soup.mjs` from the installed production dependency closure of every ' +
    'publishable package and from the libraries the built native addon links. Do not edit; CI runs ' +
    "`node scripts/soup.mjs --check`. Known anomalies: each item's issue tracker (npm) or the Debian " +
    'security tracker (system libraries), reviewed at each release.\n\n';
  md += `## npm packages (${npm.length}; ${direct.length} direct)\n\n`;
  md +=
    '| component | version | licence | used by | purpose | known anomalies |\n|---|---|---|---|---|---|\n';
  for (const i of npm) {
    const purpose =
      PURPOSE[i.name] ?? (i.via.size ? `dependency of ${[...i.via].sort().join(', ')}` : 'direct dependency');
    md += `| ${i.name} | ${i.version} | ${i.licence} | ${[...i.usedBy].sort().join(', ')} | ${purpose} | ${i.anomalies} |\n`;
  }
  md += '\n## System libraries linked by the native addon (Debian 12)\n\n';
  if (!native.built)
    md += 'The addon is not built on this machine: the WebAssembly/JavaScript fallbacks serve.\n';
  else {
    md +=
      '| library | soname | Debian package (source) | upstream version | purpose | known anomalies |\n|---|---|---|---|---|---|\n';
    for (const i of native.items) {
      const tracker = i.source
        ? `https://security-tracker.debian.org/tracker/source-package/${i.source}`
        : '—';
      md += `| ${i.lib} | ${i.soname} | ${i.pkgName} (${i.source || '—'}) | ${i.version} | ${i.purpose} | ${tracker} |\n`;
    }
  }
  return md;
}

const md = render();
if (process.argv.includes('--check')) {
  const committed = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
  if (committed !== md) {
    console.error(`${relative(root, OUT)} is out of date: run node scripts/soup.mjs and commit it`);
    process.exit(1);
  }
  console.log(`${relative(root, OUT)} is up to date`);
} else {
  writeFileSync(OUT, md);
  console.log(`wrote ${relative(root, OUT)}`);
}
