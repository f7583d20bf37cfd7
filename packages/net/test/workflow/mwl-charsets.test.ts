/**
 * FR-DICOM-03: for each single-byte and multi-byte Defined Term, a worklist item written with our
 * codec in that character set, served byte-for-byte by DCMTK wlmscpfs (`-csk` keeps the file's
 * Specific Character Set), queried by our SCU: the answer's (0008,0005) and Patient's Name bytes
 * are the file's, and the names equal what we wrote.
 * Skipped when wlmscpfs is missing, unless HNVUE_REQUIRE_PEERS=1.
 * Orthanc's worklist plugin, which re-encodes answers, is in mwl-charsets-orthanc.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryWorklist, type WorklistResult } from '../../src/workflow/index.js';
import { type Peer, startPeer, wlmFolder } from './helpers.js';
import {
  CHARSET_CASES,
  casePatientId,
  expectedNameBytes,
  expectedPatientName,
  rawNameAndCharset,
  termsLabel,
  writeCharsetWorklist,
} from './mwl-charsets-cases.js';

const HAVE_WLM = spawnSync('which', ['wlmscpfs']).status === 0;
const RUN = HAVE_WLM || process.env.HNVUE_REQUIRE_PEERS === '1';

describe.skipIf(!RUN)(
  'FR-DICOM-03.charset: worklist items in every character set, served by DCMTK wlmscpfs -csk',
  () => {
    let dataDir: string;
    let wlm: Peer;

    beforeAll(async () => {
      dataDir = await makeTempDir('hnvue-mwl-cs-');
      await writeCharsetWorklist(await wlmFolder(dataDir, 'CHARSETS'));
      wlm = await startPeer('wlmscpfs', (port) => ['-csk', '-dfp', dataDir, String(port)]);
    });

    afterAll(async () => {
      await wlm?.stop();
      if (dataDir) await rmTempDir(dataDir);
    });

    it('FR-DICOM-03.charset: each name comes back exactly as written, in its own character set', async () => {
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
      expect(results).toHaveLength(CHARSET_CASES.length);
      for (const [i, c] of CHARSET_CASES.entries()) {
        const label = termsLabel(c.terms);
        const r = results.find((x) => x.item.patientId === casePatientId(i));
        expect(r?.problems, label).toEqual([]);
        expect(r?.item.patientName, label).toEqual(expectedPatientName(c.name));
        // Byte-for-byte: the file's (0008,0005) and the name's bytes as our codec wrote them.
        const raw = rawNameAndCharset(r as WorklistResult);
        expect(raw.charset, label).toBe(label);
        expect(Buffer.from(raw.name ?? []).toString('hex'), label).toBe(
          Buffer.from(expectedNameBytes(c)).toString('hex'),
        );
      }
    });
  },
);
