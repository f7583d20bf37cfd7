import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import {
  type GeneratedItem,
  KOREAN_NAME,
  LATIN1_NAME,
  UTF8_NAME,
  worklistItem,
  writeWorklistFiles,
} from '@hnvue/testing/worklist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association } from '../../src/index.js';
import {
  findWorklist,
  parseCharacterSet,
  queryWorklist,
  WORKLIST_CONTEXT,
  type WorklistResult,
} from '../../src/workflow/index.js';
import { type Peer, startPeer, wlmFolder } from './helpers.js';

const COUNT = 1000;

async function collect(results: AsyncIterable<WorklistResult>): Promise<WorklistResult[]> {
  const out: WorklistResult[] = [];
  for await (const r of results) out.push(r);
  return out;
}

const ids = (rs: readonly { item: { patientId?: string | undefined } }[]) =>
  rs.map((r) => r.item.patientId).sort();
const expectedIds = (items: readonly GeneratedItem[], keep: (i: GeneratedItem) => boolean) =>
  items
    .filter(keep)
    .map((i) => i.patientId)
    .sort();

describe('Modality Worklist C-FIND SCU against DCMTK wlmscpfs (1000 items)', () => {
  let dataDir: string;
  let plain: Peer; // wlmscpfs default: returns no Specific Character Set
  let keep: Peer; // wlmscpfs -csk: returns the file's Specific Character Set
  let generated: GeneratedItem[];
  let association: Association;

  beforeAll(async () => {
    dataDir = await makeTempDir('hnvue-mwl-');
    generated = await writeWorklistFiles(await wlmFolder(dataDir, 'WLMSCP'), COUNT);
    // Bad input: a name whose bytes do not fit the declared character set, and an unsupported set.
    const bad = await wlmFolder(dataDir, 'BADWL');
    await writeWorklistFiles(bad, 4);
    const latin = await readFile(join(bad, 'item00003.wl')); // ISO_IR 100, "Müller"
    const patch = (...pairs: [string, string][]) => {
      const copy = Buffer.from(latin);
      for (const [from, to] of pairs) copy.write(to, copy.indexOf(from, 0, 'latin1'), 'latin1');
      return copy;
    };
    await writeFile(join(bad, 'item00003.wl'), patch(['ISO_IR 100', 'ISO_IR 192'])); // 0xFC is not UTF-8
    // 'ISO_IR 99' is no Defined Term of PS3.3 C.12.1.1.2: unsupported, never guessed.
    await writeFile(join(bad, 'item00002.wl'), patch(['ISO_IR 100', 'ISO_IR 99 '], ['PID00003', 'PID00002']));
    plain = await startPeer('wlmscpfs', (port) => ['-dfp', dataDir, String(port)]);
    keep = await startPeer('wlmscpfs', (port) => ['-csk', '-dfp', dataDir, String(port)]);
    association = await Association.open({
      host: '127.0.0.1',
      port: plain.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'WLMSCP',
      presentationContexts: [
        WORKLIST_CONTEXT,
        { abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
      ],
    });
  });

  afterAll(async () => {
    await association?.release().catch(() => association.abort());
    await plain?.stop();
    await keep?.stop();
    if (dataDir) await rmTempDir(dataDir);
  });

  // conformance: SCU modalityWorklistFind
  it('FR-DICOM-03.responses: an unfiltered query returns exactly the 1000 items, typed, as they arrive', async () => {
    const results = await collect(findWorklist(association, {}));
    expect(results).toHaveLength(COUNT);
    expect(ids(results)).toEqual(expectedIds(generated, () => true));
    const first = results.find((r) => r.item.patientId === 'PID00007');
    expect(first?.item).toMatchObject({
      patientName: { alphabetic: 'DOE^JOHN7' },
      accessionNumber: 'ACC000007',
      requestedProcedureId: 'RP00007',
      studyInstanceUid: '1.2.826.0.1.3680043.10.1234.1.7',
      referencedStudies: [
        { sopClassUid: '1.2.840.10008.3.1.2.3.1', sopInstanceUid: '1.2.826.0.1.3680043.10.1234.1.7.9' },
      ],
      requestedProcedureCodes: [{ codeValue: 'RPX1', codingSchemeDesignator: 'LOCAL', codeMeaning: 'Chest' }],
      scheduledProcedureSteps: [
        {
          modality: worklistItem(7).modality,
          scheduledStationAeTitle: worklistItem(7).station,
          startDate: worklistItem(7).date,
          startTime: worklistItem(7).time,
          stepId: 'SPS00007',
          protocolCodes: [{ codeValue: 'P1', codingSchemeDesignator: 'LOCAL', codeMeaning: 'Chest PA' }],
        },
      ],
    });
    // wlmscpfs answers FF01 (optional keys not supported, PS3.4 K.4.1.2.2): still a match.
    expect([0xff00, 0xff01]).toContain(first?.status);
    expect(first?.problems).toEqual([]);
  });

  it('FR-DICOM-03.query: modality + station + date filters return exactly the matching items', async () => {
    const results = await collect(
      findWorklist(association, {
        modality: 'DX',
        scheduledStationAeTitle: 'DX_ROOM1',
        scheduledDate: '20260302',
      }),
    );
    const expected = expectedIds(
      generated,
      (i) => i.modality === 'DX' && i.station === 'DX_ROOM1' && i.date === '20260302',
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(results)).toEqual(expected);
  });

  it('FR-DICOM-03.query: a date range and a time range are range matches', async () => {
    const results = await collect(
      findWorklist(association, {
        scheduledDate: { from: '20260302', to: '20260303' },
        scheduledTime: { from: '100000', to: '115959' },
      }),
    );
    // PS3.4 C.2.2.2.5.1: date and time ranges combine into one date-time range.
    const expected = expectedIds(generated, (i) => {
      const at = `${i.date}${i.time}`;
      return at >= '20260302100000' && at <= '20260303115959';
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(results)).toEqual(expected);
  });

  it('FR-DICOM-03.query: patient name wildcards, patient ID, accession number and requested procedure ID', async () => {
    const byName = await collect(findWorklist(association, { patientName: 'DOE^JOHN12*' }));
    expect(ids(byName)).toEqual(expectedIds(generated, (i) => i.patientName.startsWith('DOE^JOHN12')));
    const byId = await collect(findWorklist(association, { patientId: 'PID00042' }));
    expect(ids(byId)).toEqual(['PID00042']);
    const byAccession = await collect(findWorklist(association, { accessionNumber: 'ACC000314' }));
    expect(ids(byAccession)).toEqual(['PID00314']);
    const byProcedure = await collect(findWorklist(association, { requestedProcedureId: 'RP00999' }));
    expect(ids(byProcedure)).toEqual(['PID00999']);
    const none = await collect(findWorklist(association, { patientId: 'NOPE' }));
    expect(none).toEqual([]);
  });

  it('FR-DICOM-03.charset: without Specific Character Set in the response, the configured fallback decodes Korean', async () => {
    const [ascii] = await collect(findWorklist(association, { patientId: 'PID00000' }));
    // Default repertoire: the Korean bytes cannot be decoded: flagged, not thrown.
    expect(ascii?.problems.length).toBeGreaterThan(0);
    expect(ascii?.problems[0]?.error.code).toBe('HNV_ERR_CHARSET');
    const [korean] = await collect(
      findWorklist(association, { patientId: 'PID00000' }, { fallbackCharacterSet: ['', 'ISO 2022 IR 149'] }),
    );
    expect(korean?.problems).toEqual([]);
    expect(korean?.item.patientName).toEqual({
      alphabetic: 'Hong^Gildong',
      ideographic: '洪^吉洞',
      phonetic: '홍^길동',
    });
    expect(korean?.item.requestedProcedureDescription).toBe('흉부 촬영');
  });

  it('FR-DICOM-03.responses: cancelling after 10 results (AbortSignal → C-CANCEL) ends cleanly and the association stays usable', async () => {
    const controller = new AbortController();
    const seen: WorklistResult[] = [];
    for await (const r of findWorklist(association, {}, { signal: controller.signal })) {
      seen.push(r);
      if (seen.length === 10) controller.abort();
    }
    expect(seen).toHaveLength(10);
    expect(association.usable).toBe(true);
    expect((await association.echo()).status).toBe(0);
    expect(ids(await collect(findWorklist(association, { patientId: 'PID00500' })))).toEqual(['PID00500']);
  });

  it('FR-DICOM-03.responses: a result limit cancels after N matches; the association stays usable', async () => {
    const limited = await collect(findWorklist(association, {}, { limit: 10 }));
    expect(limited).toHaveLength(10);
    expect(association.usable).toBe(true);
    expect(ids(await collect(findWorklist(association, { patientId: 'PID00001' })))).toEqual(['PID00001']);
  });

  it('FR-DICOM-03.charset: with -csk the items carry their character set: Korean, UTF-8 and Latin-1 names are right', async () => {
    const results = await collect(
      queryWorklist({
        host: '127.0.0.1',
        port: keep.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'WLMSCP',
        query: {},
      }),
    );
    expect(results).toHaveLength(COUNT);
    for (const r of results) {
      expect(r.problems).toEqual([]);
      const expected = generated.find((g) => g.patientId === r.item.patientId);
      const [alphabetic = '', ideographic, phonetic] = (expected?.patientName ?? '').split('=');
      expect(r.item.patientName?.alphabetic).toBe(alphabetic);
      if (ideographic) expect(r.item.patientName?.ideographic).toBe(ideographic);
      if (phonetic) expect(r.item.patientName?.phonetic).toBe(phonetic);
    }
    const byKind = (name: string) =>
      results.filter((r) => r.dataset.PatientName && String(r.dataset.PatientName) === name);
    expect(byKind(KOREAN_NAME)).toHaveLength(COUNT / 10);
    expect(results.filter((r) => r.item.patientName?.ideographic === '王^小東')).toHaveLength(COUNT / 10);
    expect(results.filter((r) => r.item.patientName?.alphabetic === LATIN1_NAME)).toHaveLength(COUNT / 10);
    expect(UTF8_NAME.startsWith('Wang')).toBe(true);
    const korean = results.find((r) => r.item.patientId === 'PID00020');
    expect(korean?.characterSet).toEqual(parseCharacterSet(['', 'ISO 2022 IR 149']));
  });

  it('FR-DICOM-03.charset: undecodable or unsupported character sets flag the item, and the query completes', async () => {
    const results = await collect(
      queryWorklist({
        host: '127.0.0.1',
        port: keep.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'BADWL',
        query: {},
      }),
    );
    expect(results).toHaveLength(4);
    const invalidUtf8 = results.find((r) => r.item.patientId === 'PID00003');
    expect(invalidUtf8?.problems[0]?.error).toMatchObject({ code: 'HNV_ERR_CHARSET', reason: 'undecodable' });
    expect(invalidUtf8?.problems[0]?.path).toBe('00100010');
    const unsupported = results.find((r) => r.item.patientId === 'PID00002');
    expect(unsupported?.problems[0]?.error).toMatchObject({ code: 'HNV_ERR_CHARSET', reason: 'unsupported' });
    // The error text names the problem, never the value (NFR-SEC-01).
    expect(invalidUtf8?.problems[0]?.error.message).not.toContain('ller');
    const clean = results.filter((r) => r.problems.length === 0);
    expect(clean.map((r) => r.item.patientId).sort()).toEqual(['PID00000', 'PID00001']);
    await expect(
      collect(
        queryWorklist({
          host: '127.0.0.1',
          port: keep.port,
          callingAeTitle: 'HNVUE',
          calledAeTitle: 'BADWL',
          query: { patientId: 'PID00003' },
          charsetErrors: 'throw',
        }),
      ),
    ).rejects.toMatchObject({ code: 'HNV_ERR_CHARSET' });
  });
});
