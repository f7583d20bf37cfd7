/**
 * FR-DICOM-03: for each single-byte and multi-byte Defined Term, a worklist item written with our
 * codec in that character set, served byte-for-byte by DCMTK wlmscpfs (`-csk` keeps the file's
 * Specific Character Set), queried by our SCU: the names equal what we wrote.
 * Skipped when wlmscpfs is missing, unless HNVUE_REQUIRE_PEERS=1.
 * Orthanc's worklist plugin is not covered here yet (see mwl-orthanc.test.ts for IR 149 / UTF-8).
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDataset, encodePart10Header } from '../../../../packages/dicom/src/index.js';
import { makeTempDir, rmTempDir } from '../../../../testing/peers.js';
import { worklistItem } from '../../../../testing/worklist.js';
import { queryWorklist, type WorklistResult } from '../../src/workflow/index.js';
import { type Peer, startPeer, wlmFolder } from './helpers.js';

const HAVE_WLM = spawnSync('which', ['wlmscpfs']).status === 0;
const RUN = HAVE_WLM || process.env.HNVUE_REQUIRE_PEERS === '1';

/** Term list written in the file → a PN (alphabetic[=ideographic]) that needs it. */
const CASES: readonly [string | string[], string][] = [
  ['ISO_IR 100', 'Müller^Jürgen'],
  ['ISO_IR 101', 'Dvořák^Antonín'],
  ['ISO_IR 109', 'Ħaġar^Ċikku'],
  ['ISO_IR 110', 'Ķēniņš^Jānis'],
  ['ISO_IR 144', 'Иванов^Иван'],
  ['ISO_IR 127', 'قباني^لنزار'],
  ['ISO_IR 126', 'Διονυσιος^Νικος'],
  ['ISO_IR 138', 'שרון^דבורה'],
  ['ISO_IR 148', 'Çağlar^Şükrü'],
  ['ISO_IR 203', 'Œuvre^Zoë'],
  ['ISO_IR 13', 'ﾔﾏﾀﾞ^ﾀﾛｳ'],
  ['ISO_IR 166', 'ประเทศ^ไทย'],
  [['ISO 2022 IR 100', 'ISO 2022 IR 144'], 'Müller^Иван'],
  [['ISO 2022 IR 13', 'ISO 2022 IR 87'], 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎'],
  [['', 'ISO 2022 IR 87'], 'Yamada^Tarou=山田^太郎'],
  [['', 'ISO 2022 IR 87', 'ISO 2022 IR 159'], 'Kou^Ichi=丂^乚'],
  [['', 'ISO 2022 IR 149'], 'Hong^Gildong=洪^吉洞'],
  [['', 'ISO 2022 IR 58'], 'Zhang^XiaoDong=张^小东'],
  ['ISO_IR 192', 'Wang^XiaoDong=王^小東'],
  ['GB18030', 'Wang^XiaoDong=王^小东'],
  ['GBK', 'Wang^XiaoDong=王^小东'],
];

describe.skipIf(!RUN)(
  'FR-DICOM-03: worklist items in every character set, served by DCMTK wlmscpfs -csk',
  () => {
    let dataDir: string;
    let wlm: Peer;

    beforeAll(async () => {
      dataDir = await makeTempDir('hnvue-mwl-cs-');
      const dir = await wlmFolder(dataDir, 'CHARSETS');
      for (const [i, [terms, name]] of CASES.entries()) {
        const base = worklistItem(i + 1);
        const dataset = {
          ...base.dataset,
          SpecificCharacterSet: terms,
          PatientName: name,
          PatientID: `CS${i}`,
          RequestedProcedureDescription: 'CHEST PA',
        };
        const header = encodePart10Header({
          mediaStorageSopClassUid: '1.2.840.10008.5.1.4.31',
          mediaStorageSopInstanceUid: `1.2.826.0.1.3680043.10.1234.3.${i}`,
          transferSyntaxUid: '1.2.840.10008.1.2.1',
          implementationClassUid: '1.2.826.0.1.3680043.10.1234.99',
        });
        const body = encodeDataset(dataset, { transferSyntax: '1.2.840.10008.1.2.1' });
        await writeFile(join(dir, `cs${i}.wl`), Buffer.concat([header, body]));
      }
      wlm = await startPeer('wlmscpfs', (port) => ['-csk', '-dfp', dataDir, String(port)]);
    });

    afterAll(async () => {
      await wlm?.stop();
      if (dataDir) await rmTempDir(dataDir);
    });

    it('FR-DICOM-03: each name comes back exactly as written, in its own character set', async () => {
      const results: WorklistResult[] = [];
      for await (const r of queryWorklist({
        host: '127.0.0.1',
        port: wlm.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'CHARSETS',
        query: {},
      })) {
        results.push(r);
      }
      expect(results).toHaveLength(CASES.length);
      for (const [i, [terms, name]] of CASES.entries()) {
        const r = results.find((x) => x.item.patientId === `CS${i}`);
        expect(r?.problems, String(terms)).toEqual([]);
        const [alphabetic, ideographic] = name.split('=');
        expect(r?.item.patientName, String(terms)).toEqual({
          alphabetic,
          ...(ideographic === undefined ? {} : { ideographic }),
        });
      }
    });
  },
);
