/**
 * FR-DICOM-03: the worklist items of mwl-charsets.test.ts (one per Specific Character Set Defined
 * Term, written with our codec), served by Orthanc's ModalityWorklists plugin and queried by our
 * SCU. Skipped when Orthanc or the plugin is missing, unless HNVUE_REQUIRE_PEERS=1.
 *
 * What Orthanc 1.10.1 does (measured here, and what the assertions pin down):
 * - It never serves the file as it is: the plugin hands the file to the core, which re-encodes
 *   every answer into its DefaultEncoding and writes that as (0008,0005). There is no option to
 *   keep the file's character set. DefaultEncoding can be changed at run time
 *   (PUT /tools/default-encoding), so each item is queried with the DefaultEncoding of its own
 *   term: then the name's bytes are the file's bytes ("byte-for-byte"), though (0008,0005) may be
 *   respelled (`\ISO 2022 IR 149` comes back as `ISO 2022 IR 149`, GBK as GB18030).
 * - Terms with no DefaultEncoding of their own: ISO_IR 203 (Orthanc does not know Latin-9: its
 *   non-ASCII characters are dropped, in every DefaultEncoding that re-encodes); code extensions
 *   of two sets (`ISO 2022 IR 100\ISO 2022 IR 144`, `ISO 2022 IR 13\ISO 2022 IR 87`,
 *   `\ISO 2022 IR 87\ISO 2022 IR 159`): in the DefaultEncoding of value 1 (or of IR 87) the bytes
 *   come back unchanged but (0008,0005) keeps one term only, so the escapes name a set not
 *   declared — our SCU flags the item (problems), it does not show the name.
 * - DefaultEncoding Utf8 (transcoding): every name comes back equal, except ISO_IR 203 (non-ASCII
 *   dropped by Orthanc; valid UTF-8, so nothing to flag) and the two cases Orthanc mis-converts
 *   (`ISO 2022 IR 13\ISO 2022 IR 87`: kanji left as 7-bit JIS behind ESC $ B;
 *   `ISO 2022 IR 100\ISO 2022 IR 144`: Cyrillic read as Latin-1 behind ESC - L), which we flag.
 */
import { spawnSync } from 'node:child_process';
import { makeTempDir, type OrthancPeer, rmTempDir, startOrthanc } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association } from '../../src/index.js';
import { findWorklist, WORKLIST_CONTEXT, type WorklistResult } from '../../src/workflow/index.js';
import {
  CHARSET_CASES,
  casePatientId,
  expectedNameBytes,
  expectedPatientName,
  orthancWorklistPlugin,
  rawNameAndCharset,
  termsLabel,
  writeCharsetWorklist,
} from './mwl-charsets-cases.js';

const PLUGIN = orthancWorklistPlugin();
const HAVE_ORTHANC = spawnSync('which', ['Orthanc']).status === 0 && PLUGIN !== undefined;
const RUN = HAVE_ORTHANC || process.env.HNVUE_REQUIRE_PEERS === '1';

type Outcome =
  /** The name's bytes as written, (0008,0005) as given; the names equal. */
  | { kind: 'bytes'; charset: string }
  /** The bytes as written but (0008,0005) names one set only: our SCU flags the item. */
  | { kind: 'relabelled-flagged'; charset: string; reason: 'undecodable' | 'unsupported' };

/** Per term (as termsLabel spells it): Orthanc's DefaultEncoding for it and what comes back. */
const BYTE_FOR_BYTE: Readonly<Record<string, { encoding: string } & Outcome>> = {
  'ISO_IR 100': { encoding: 'Latin1', kind: 'bytes', charset: 'ISO_IR 100' },
  'ISO_IR 101': { encoding: 'Latin2', kind: 'bytes', charset: 'ISO_IR 101' },
  'ISO_IR 109': { encoding: 'Latin3', kind: 'bytes', charset: 'ISO_IR 109' },
  'ISO_IR 110': { encoding: 'Latin4', kind: 'bytes', charset: 'ISO_IR 110' },
  'ISO_IR 144': { encoding: 'Cyrillic', kind: 'bytes', charset: 'ISO_IR 144' },
  'ISO_IR 127': { encoding: 'Arabic', kind: 'bytes', charset: 'ISO_IR 127' },
  'ISO_IR 126': { encoding: 'Greek', kind: 'bytes', charset: 'ISO_IR 126' },
  'ISO_IR 138': { encoding: 'Hebrew', kind: 'bytes', charset: 'ISO_IR 138' },
  'ISO_IR 148': { encoding: 'Latin5', kind: 'bytes', charset: 'ISO_IR 148' },
  'ISO_IR 13': { encoding: 'Japanese', kind: 'bytes', charset: 'ISO_IR 13' },
  'ISO_IR 166': { encoding: 'Thai', kind: 'bytes', charset: 'ISO_IR 166' },
  'ISO 2022 IR 100\\ISO 2022 IR 144': {
    encoding: 'Latin1',
    kind: 'relabelled-flagged',
    charset: 'ISO_IR 100',
    reason: 'undecodable',
  },
  'ISO 2022 IR 13\\ISO 2022 IR 87': {
    encoding: 'Japanese',
    kind: 'relabelled-flagged',
    charset: 'ISO_IR 13',
    reason: 'undecodable',
  },
  '\\ISO 2022 IR 87': {
    encoding: 'JapaneseKanji',
    kind: 'bytes',
    charset: 'ISO 2022 IR 87',
  },
  '\\ISO 2022 IR 87\\ISO 2022 IR 159': {
    encoding: 'JapaneseKanji',
    kind: 'relabelled-flagged',
    charset: 'ISO 2022 IR 87',
    reason: 'unsupported',
  },
  '\\ISO 2022 IR 149': { encoding: 'Korean', kind: 'bytes', charset: 'ISO 2022 IR 149' },
  '\\ISO 2022 IR 58': { encoding: 'SimplifiedChinese', kind: 'bytes', charset: 'ISO 2022 IR 58' },
  'ISO_IR 192': { encoding: 'Utf8', kind: 'bytes', charset: 'ISO_IR 192' },
  GB18030: { encoding: 'Chinese', kind: 'bytes', charset: 'GB18030' },
  // Orthanc has no GBK encoding; its GB18030 output keeps GBK's two-byte codes (GB18030 ⊃ GBK).
  GBK: { encoding: 'Chinese', kind: 'bytes', charset: 'GB18030' },
};

/** The one term Orthanc 1.10.1 cannot carry in any DefaultEncoding (it does not know Latin-9). */
const LATIN9 = 'ISO_IR 203';

/** Under DefaultEncoding Utf8: the terms Orthanc mis-converts (we flag them) or loses (ISO_IR 203). */
const UTF8_FLAGGED = new Set(['ISO 2022 IR 100\\ISO 2022 IR 144', 'ISO 2022 IR 13\\ISO 2022 IR 87']);

async function collect(results: AsyncIterable<WorklistResult>): Promise<WorklistResult[]> {
  const out: WorklistResult[] = [];
  for await (const r of results) out.push(r);
  return out;
}

describe.skipIf(!RUN)(
  "FR-DICOM-03.charset: worklist items in every character set, served by Orthanc's worklist plugin",
  () => {
    let dir: string;
    let orthanc: OrthancPeer;
    let association: Association;

    async function setDefaultEncoding(encoding: string): Promise<void> {
      const url = `http://127.0.0.1:${orthanc.httpPort}/tools/default-encoding`;
      const put = await fetch(url, { method: 'PUT', body: encoding });
      expect(put.status, `PUT default-encoding ${encoding}`).toBe(200);
      expect((await (await fetch(url)).text()).trim()).toBe(encoding);
    }

    async function query(i: number): Promise<WorklistResult> {
      const results = await collect(findWorklist(association, { patientId: casePatientId(i) }));
      expect(results).toHaveLength(1);
      return results[0] as WorklistResult;
    }

    beforeAll(async () => {
      if (!HAVE_ORTHANC)
        throw new Error('HNVUE_REQUIRE_PEERS=1 but Orthanc or its ModalityWorklists plugin is missing');
      dir = await makeTempDir('hnvue-mwl-cs-orthanc-');
      await writeCharsetWorklist(dir);
      orthanc = await startOrthanc({
        config: {
          Plugins: [PLUGIN],
          Worklists: { Enable: true, Database: dir },
          DicomAlwaysAllowFindWorklist: true,
          DefaultEncoding: 'Utf8',
        },
      });
      association = await Association.open({
        host: '127.0.0.1',
        port: orthanc.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'ORTHANC',
        presentationContexts: [WORKLIST_CONTEXT],
      });
    });

    afterAll(async () => {
      await association?.release().catch(() => association.abort());
      await orthanc?.stop();
      if (dir) await rmTempDir(dir);
    });

    it('FR-DICOM-03.charset: every term is covered (a DefaultEncoding for it, or documented as one Orthanc cannot carry)', () => {
      for (const c of CHARSET_CASES) {
        const label = termsLabel(c.terms);
        expect(label === LATIN9 || BYTE_FOR_BYTE[label] !== undefined, label).toBe(true);
      }
    });

    it("FR-DICOM-03.charset: with the term's own DefaultEncoding, the name's bytes are the file's and the names equal what we wrote", async () => {
      for (const [i, c] of CHARSET_CASES.entries()) {
        const label = termsLabel(c.terms);
        const expected = BYTE_FOR_BYTE[label];
        if (expected === undefined) continue;
        await setDefaultEncoding(expected.encoding);
        const r = await query(i);
        const raw = rawNameAndCharset(r);
        expect(raw.charset, label).toBe(expected.charset);
        const written = Buffer.from(expectedNameBytes(c)).toString('hex');
        const got = Buffer.from(raw.name ?? []).toString('hex');
        expect(got, label).toBe(written);
        if (expected.kind === 'bytes') {
          expect(r.problems, label).toEqual([]);
          expect(r.item.patientName, label).toEqual(expectedPatientName(c.name));
        } else {
          // The escapes designate a set (0008,0005) no longer declares: flagged, the item kept.
          expect(
            r.problems.map((p) => p.error.reason),
            label,
          ).toEqual([expected.reason]);
          expect(r.problems[0]?.error.message, label).not.toContain(c.name.split('^')[0] as string);
        }
      }
    });

    it('FR-DICOM-03.charset: transcoded to UTF-8 (DefaultEncoding Utf8), the names equal what we wrote, or the item is flagged', async () => {
      await setDefaultEncoding('Utf8');
      for (const [i, c] of CHARSET_CASES.entries()) {
        const label = termsLabel(c.terms);
        const r = await query(i);
        expect(rawNameAndCharset(r).charset, label).toBe('ISO_IR 192');
        if (UTF8_FLAGGED.has(label)) {
          expect(
            r.problems.map((p) => p.error.reason),
            label,
          ).toEqual(['undecodable']);
        } else if (label === LATIN9) {
          // Orthanc 1.10.1 does not know ISO_IR 203: 'Œuvre^Zoë' loses Œ and ë, silently (valid UTF-8).
          expect(r.problems, label).toEqual([]);
          expect(r.item.patientName, label).toEqual({ alphabetic: 'uvre^Zo' });
        } else {
          expect(r.problems, label).toEqual([]);
          expect(r.item.patientName, label).toEqual(expectedPatientName(c.name));
        }
      }
    });

    it('FR-DICOM-03.charset: ISO_IR 203 cannot go through Orthanc 1.10.1 intact in any DefaultEncoding', async () => {
      const i = CHARSET_CASES.findIndex((c) => termsLabel(c.terms) === LATIN9);
      const written = expectedNameBytes(CHARSET_CASES[i] as (typeof CHARSET_CASES)[number]);
      // Ascii: the Latin-9 bytes pass through unchanged but are declared ISO_IR 6 — flagged.
      await setDefaultEncoding('Ascii');
      const ascii = await query(i);
      expect(rawNameAndCharset(ascii).charset).toBe('ISO_IR 6');
      expect(Buffer.from(rawNameAndCharset(ascii).name ?? []).equals(Buffer.from(written))).toBe(true);
      expect(ascii.problems.map((p) => p.error.reason)).toEqual(['undecodable']);
      // Latin1 (the closest set): the non-ASCII characters are dropped.
      await setDefaultEncoding('Latin1');
      const latin1 = await query(i);
      expect(rawNameAndCharset(latin1).charset).toBe('ISO_IR 100');
      expect(latin1.item.patientName).toEqual({ alphabetic: 'uvre^Zo' });
      await setDefaultEncoding('Utf8');
    });
  },
);
