#!/usr/bin/env node
/**
 * API reports: every name exported by every entry point (package.json `exports` with the
 * `@hnvue/source` condition) of every workspace package, with its kind and signature, written to
 * `<package>/api-report.md`. `--check` compares instead of writing and exits 1 naming the lines
 * that differ, so a change of a public surface is visible in review (issue 14 item 5).
 *
 * TypeScript 7 has no JavaScript compiler API, so this reads the sources with TypeScript 5.9
 * (dev-only alias `typescript5`). Output is sorted and has no timestamps: deterministic.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript5';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
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

/** Entry points of one package: `[subpath, absolute source file]`, in `exports` order. */
function entryPoints(dir) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const entries = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    const source = target && typeof target === 'object' ? target['@hnvue/source'] : undefined;
    if (typeof source === 'string') entries.push([subpath, resolve(root, dir, source)]);
  }
  return { name: pkg.name, entries };
}

const packages = packageDirs.map((dir) => ({ dir, ...entryPoints(dir) }));
const program = ts.createProgram({
  rootNames: packages.flatMap((p) => p.entries.map(([, file]) => file)),
  options: {
    target: ts.ScriptTarget.ES2023,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['@hnvue/source'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    resolveJsonModule: true,
  },
});
const checker = program.getTypeChecker();
const flags =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType |
  ts.TypeFormatFlags.WriteArrowStyleSignature;

const sigFlags = flags & ~ts.TypeFormatFlags.WriteArrowStyleSignature;
const sig = (signature) => checker.signatureToString(signature, undefined, sigFlags);
/** Members declared outside the repository (EventEmitter's, for one) are not our surface. */
const ours = (member) =>
  !(member.declarations ?? []).some((d) => d.getSourceFile().fileName.includes('/node_modules/'));
/** `@internal` members are left out, as `stripInternal` leaves them out of the .d.ts. */
const internal = (member) =>
  (member.declarations ?? []).some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === 'internal'));

const oneLine = (text) => text.replace(/\s+/g, ' ').trim();

/** The kind and the signature lines of one exported symbol. */
function describe(symbol) {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const f = target.flags;
  const decl = target.declarations?.[0];
  const lines = [];
  let kind;
  if (f & ts.SymbolFlags.Class) {
    kind = 'class';
    const heritage =
      decl && ts.isClassDeclaration(decl)
        ? (decl.heritageClauses ?? []).map((h) => oneLine(h.getText()))
        : [];
    lines.push(`class ${symbol.name}${heritage.length ? ` ${heritage.join(' ')}` : ''}`);
    const staticType = checker.getTypeOfSymbol(target);
    for (const s of staticType.getConstructSignatures()) lines.push(`  constructor${paramsOf(s)}`);
    for (const member of staticType.getProperties()) {
      if (member.name === 'prototype' || !ours(member) || internal(member)) continue;
      lines.push(`  static ${memberLine(member)}`);
    }
    for (const member of checker.getDeclaredTypeOfSymbol(target).getProperties()) {
      if (isPrivate(member) || !ours(member) || internal(member)) continue;
      lines.push(`  ${memberLine(member)}`);
    }
  } else if (f & ts.SymbolFlags.Function) {
    kind = 'function';
    for (const s of checker.getTypeOfSymbol(target).getCallSignatures()) {
      lines.push(`function ${symbol.name}${sig(s)}`);
    }
  } else if (f & ts.SymbolFlags.Enum) {
    kind = 'enum';
    lines.push(`enum ${symbol.name}`);
    for (const member of checker.getExportsOfModule(target)) lines.push(`  ${member.name}`);
  } else if (f & ts.SymbolFlags.Variable) {
    kind = 'const';
    lines.push(
      `const ${symbol.name}: ${checker.typeToString(checker.getTypeOfSymbol(target), undefined, flags)}`,
    );
  } else if (f & ts.SymbolFlags.Interface) {
    kind = 'interface';
    const type = checker.getDeclaredTypeOfSymbol(target);
    const bases = (type.getBaseTypes?.() ?? []).map((b) => checker.typeToString(b, undefined, flags));
    lines.push(
      `interface ${symbol.name}${typeParams(target)}${bases.length ? ` extends ${bases.join(', ')}` : ''}`,
    );
    for (const member of type.getProperties()) lines.push(`  ${memberLine(member)}`);
    for (const s of type.getCallSignatures()) lines.push(`  ${sig(s)}`);
  } else if (f & ts.SymbolFlags.TypeAlias) {
    kind = 'type';
    const node = decl && ts.isTypeAliasDeclaration(decl) ? decl.type : undefined;
    lines.push(`type ${symbol.name}${typeParams(target)} = ${node ? oneLine(node.getText()) : '?'}`);
  } else if (f & ts.SymbolFlags.Module) {
    kind = 'namespace';
    lines.push(`namespace ${symbol.name}`);
  } else {
    kind = 'other';
    lines.push(symbol.name);
  }
  return { kind, lines };
}

function typeParams(symbol) {
  const params =
    checker.getDeclaredTypeOfSymbol(symbol).aliasTypeArguments ??
    checker.getDeclaredTypeOfSymbol(symbol).typeParameters;
  return params?.length ? `<${params.map((p) => checker.typeToString(p)).join(', ')}>` : '';
}

function paramsOf(signature) {
  return `(${signature.parameters.map((p) => `${p.name}: ${checker.typeToString(checker.getTypeOfSymbol(p), undefined, flags)}`).join(', ')})`;
}

function isPrivate(member) {
  const decl = member.valueDeclaration ?? member.declarations?.[0];
  if (!decl) return false;
  if (member.name.startsWith('#') || member.name.startsWith('__#')) return true;
  const mods = ts.getCombinedModifierFlags(decl);
  return (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0;
}

function memberLine(member) {
  const decl = member.valueDeclaration ?? member.declarations?.[0];
  const type = checker.getTypeOfSymbol(member);
  const calls = type.getCallSignatures();
  const isMethod = decl && (ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl));
  const optional = member.flags & ts.SymbolFlags.Optional ? '?' : '';
  const readonly = decl && ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Readonly ? 'readonly ' : '';
  if (isMethod && calls.length > 0) {
    return calls.map((s) => `${member.name}${optional}${sig(s)}`).join('; ');
  }
  return `${readonly}${member.name}${optional}: ${checker.typeToString(type, decl, flags)}`;
}

/** Every symbol any entry point of any workspace package exports (aliases resolved). */
const exportedAnywhere = new Set();
for (const pkg of packages) {
  for (const [, file] of pkg.entries) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    for (const symbol of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
      exportedAnywhere.add(symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
    }
  }
}

/**
 * Types of this repository that an exported declaration names (in a parameter, a return type, a
 * property) but that no entry point exports: a consumer cannot name them. Bodies and initialisers
 * are not visited, only type nodes.
 */
function unexportedTypes(symbol) {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const found = new Set();
  const visit = (node) => {
    if (ts.isBlock(node) || node.kind === ts.SyntaxKind.PrivateIdentifier) return;
    if (ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessor(node)) {
      if (
        isPrivate(checker.getSymbolAtLocation(node.name) ?? { name: '' }) ||
        ts.getJSDocTags(node).some((t) => t.tagName.text === 'internal')
      )
        return;
    }
    if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
      const name = ts.isTypeReferenceNode(node) ? node.typeName : node.expression;
      let ref = checker.getSymbolAtLocation(name);
      if (ref && ref.flags & ts.SymbolFlags.Alias) ref = checker.getAliasedSymbol(ref);
      const decl = ref?.declarations?.[0];
      const file = decl?.getSourceFile().fileName ?? '';
      const local = decl && ts.isTypeParameterDeclaration(decl);
      if (
        ref &&
        !local &&
        file.startsWith(root) &&
        !file.includes('/node_modules/') &&
        !exportedAnywhere.has(ref)
      ) {
        found.add(ref.name);
      }
    }
    if (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isParameter(node)) {
      if (node.type) visit(node.type);
      if (ts.isParameter(node)) return;
      return;
    }
    ts.forEachChild(node, visit);
  };
  for (const decl of target.declarations ?? []) {
    if (decl.getSourceFile().fileName.includes('/node_modules/')) continue;
    ts.forEachChild(decl, visit);
  }
  return [...found].sort();
}

function report(pkg) {
  const out = [
    `# API report: ${pkg.name}`,
    '',
    '<!-- Generated by scripts/api-report.mjs; do not edit. `node scripts/api-report.mjs` rewrites it. -->',
    '',
  ];
  const counts = [];
  for (const [subpath, file] of pkg.entries) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`${pkg.name}: cannot read ${relative(root, file)}`);
    const exported = checker
      .getExportsOfModule(moduleSymbol)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const entry = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    counts.push(`${entry}: ${exported.length}`);
    out.push(
      `## ${entry}`,
      '',
      `Source: \`${relative(root, file)}\`. ${exported.length} exported names.`,
      '',
    );
    out.push('| Name | Kind |', '| --- | --- |');
    const described = exported.map((symbol) => ({ symbol, ...describe(symbol) }));
    for (const { symbol, kind } of described) out.push(`| \`${symbol.name}\` | ${kind} |`);
    out.push('', '```ts');
    for (const { lines } of described) out.push(...lines);
    out.push('```', '');
    const hidden = new Set(exported.flatMap((symbol) => unexportedTypes(symbol)));
    if (hidden.size > 0) {
      out.push(
        `Named by these declarations but exported by no entry point: ${[...hidden]
          .sort()
          .map((n) => `\`${n}\``)
          .join(', ')}.`,
        '',
      );
    }
  }
  return { text: `${out.join('\n').trimEnd()}\n`, counts };
}

let differs = 0;
for (const pkg of packages) {
  const file = join(root, pkg.dir, 'api-report.md');
  const { text, counts } = report(pkg);
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {}
  if (!check) {
    if (committed !== text) writeFileSync(file, text);
    console.log(counts.join('\n'));
    continue;
  }
  if (committed === text) continue;
  differs++;
  const before = new Set(committed.split('\n'));
  const after = new Set(text.split('\n'));
  console.error(
    `${relative(root, file)} differs from the code (run node scripts/api-report.mjs and review):`,
  );
  for (const line of committed.split('\n')) if (!after.has(line)) console.error(`- ${line}`);
  for (const line of text.split('\n')) if (!before.has(line)) console.error(`+ ${line}`);
}
if (check && differs > 0) process.exit(1);
