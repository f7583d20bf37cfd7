/**
 * FR-DICOM-12: the Conformance Statement is generated from what the code registers, and the
 * committed one is what the code generates today. A changed presentation context, default limit,
 * status table or codec registration makes the first test fail until the statement is regenerated
 * (`node --conditions=@hnvue/source --import tsx packages/net/scripts/conformance/run.ts`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUPPORTED_CHARACTER_SETS } from '@hnvue/dicom';
import { nativeStatus } from '@hnvue/native';
import { describe, expect, it } from 'vitest';
import { markdownToHtml } from '../scripts/conformance/html.js';
import { renderConformanceStatement } from '../scripts/conformance/statement.js';
import {
  DEFAULT_SCP_SOP_CLASSES,
  DEFAULT_SCP_TRANSFER_SYNTAXES,
  DEFAULT_SERVER_LIMITS,
  DEFAULT_STORE_SOP_CLASSES,
  MPPS_CONTEXT,
  PRINT_CONTEXTS,
  QR_SOP_CLASS,
  STORAGE_COMMITMENT_CONTEXT,
  WORKLIST_CONTEXT,
} from '../src/index.js';

const docs = join(import.meta.dirname, '..', '..', '..', 'docs');
// The statement describes the default install, with the addon built (its codec table says so).
const ADDON = nativeStatus().kind === 'loaded';

describe('DICOM Conformance Statement', () => {
  const md = renderConformanceStatement();

  it.runIf(ADDON)(
    'FR-DICOM-12: the committed statement (Markdown and HTML) is exactly what the code generates',
    () => {
      expect(readFileSync(join(docs, 'conformance-statement.md'), 'utf8')).toBe(md);
      expect(readFileSync(join(docs, 'conformance-statement.html'), 'utf8')).toBe(
        markdownToHtml(md, 'HnVue DICOM — DICOM Conformance Statement'),
      );
    },
  );

  it('FR-DICOM-12: every SOP class the services propose or accept is listed with its UID', () => {
    const uids = [
      ...DEFAULT_STORE_SOP_CLASSES,
      ...DEFAULT_SCP_SOP_CLASSES,
      WORKLIST_CONTEXT.abstractSyntax,
      MPPS_CONTEXT.abstractSyntax,
      STORAGE_COMMITMENT_CONTEXT.abstractSyntax,
      ...Object.values(QR_SOP_CLASS).flatMap((m) => Object.values(m)),
      ...PRINT_CONTEXTS.map((c) => c.abstractSyntax),
    ];
    for (const uid of uids) expect(md, uid).toContain(`| ${uid} |`);
  });

  it('FR-DICOM-12: each SOP class and role of table 1.1 links its source export and a real-peer test', () => {
    const overview = md.slice(md.indexOf('### 1.1'), md.indexOf('### 1.2'));
    const roles = [...overview.matchAll(/^\| [^|]+ \| (Yes|No) \| (Yes|No) \|$/gm)].reduce(
      (n, m) => n + (m[1] === 'Yes' ? 1 : 0) + (m[2] === 'Yes' ? 1 : 0),
      0,
    );
    const links = md.slice(md.indexOf('### 1.2'), md.indexOf('## 2 '));
    const rows = links.split('\n').filter((l) => /^\| .+ \| (SCU|SCP) \| \[packages\/net\/src\//.test(l));
    expect(rows).toHaveLength(roles);
    for (const row of rows) expect(row, row.slice(0, 60)).toMatch(/\]\(\.\.\/packages\/[^)]+\.test\.ts\) \(/);
  });

  it('FR-DICOM-12: the storage SCP syntaxes appear in the order the SCP prefers them', () => {
    const section = md.slice(md.indexOf('### 3.6 Storage (SCP)'), md.indexOf('### 3.7'));
    const positions = DEFAULT_SCP_TRANSFER_SYNTAXES.map((ts) => section.indexOf(`| ${ts} |`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('FR-DICOM-12: the listener limits and every supported character set come from the code', () => {
    expect(md).toContain(
      `| Listener: simultaneous associations (default) | ${DEFAULT_SERVER_LIMITS.maxAssociations} |`,
    );
    expect(md).toContain(`at most ${DEFAULT_SERVER_LIMITS.maxPresentationContexts}`);
    for (const cs of SUPPORTED_CHARACTER_SETS)
      expect(md).toContain(`- ${cs === '' ? '(default repertoire' : cs}`);
  });
});
