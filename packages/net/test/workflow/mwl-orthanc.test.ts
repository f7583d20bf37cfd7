import { makeTempDir, type OrthancPeer, rmTempDir, startOrthanc } from '@hnvue/testing/peers';
import { type GeneratedItem, KOREAN_NAME, writeWorklistFiles } from '@hnvue/testing/worklist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association } from '../../src/index.js';
import { findWorklist, WORKLIST_CONTEXT, type WorklistResult } from '../../src/workflow/index.js';

const COUNT = 1000;

async function collect(results: AsyncIterable<WorklistResult>): Promise<WorklistResult[]> {
  const out: WorklistResult[] = [];
  for await (const r of results) out.push(r);
  return out;
}

describe("Modality Worklist C-FIND SCU against Orthanc's worklist plugin (1000 items)", () => {
  let dir: string;
  let orthanc: OrthancPeer;
  let generated: GeneratedItem[];
  let association: Association;

  beforeAll(async () => {
    dir = await makeTempDir('hnvue-mwl-orthanc-');
    generated = await writeWorklistFiles(dir, COUNT);
    orthanc = await startOrthanc({
      config: {
        Plugins: ['/usr/share/orthanc/plugins/libModalityWorklists.so'],
        Worklists: { Enable: true, Database: dir },
        DicomAlwaysAllowFindWorklist: true,
        // Orthanc answers in its DefaultEncoding whatever the file or the query says (seen with
        // 1.10.1: Latin1 by default, which cannot hold Korean; we flag those items).
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

  // conformance: SCU modalityWorklistFind
  it('FR-DICOM-03.query: unfiltered and filtered queries return exactly the expected items', async () => {
    const all = await collect(findWorklist(association, {}));
    expect(all.map((r) => r.item.patientId).sort()).toEqual(generated.map((g) => g.patientId).sort());
    const filtered = await collect(findWorklist(association, { modality: 'MG', scheduledDate: '20260304' }));
    const expected = generated
      .filter((g) => g.modality === 'MG' && g.date === '20260304')
      .map((g) => g.patientId);
    expect(expected.length).toBeGreaterThan(0);
    expect(filtered.map((r) => r.item.patientId).sort()).toEqual(expected.sort());
  });

  it('FR-DICOM-03.charset: Korean (ISO 2022 IR 149) and UTF-8 names come back as the right strings', async () => {
    const [korean] = await collect(findWorklist(association, { patientId: 'PID00010' }));
    expect(korean?.problems).toEqual([]);
    const [alphabetic, ideographic, phonetic] = KOREAN_NAME.split('=');
    expect(korean?.item.patientName).toEqual({ alphabetic, ideographic, phonetic });
    const [utf8] = await collect(findWorklist(association, { patientId: 'PID00015' }));
    expect(utf8?.problems).toEqual([]);
    expect(utf8?.item.patientName).toEqual({ alphabetic: 'Wang^XiaoDong', ideographic: '王^小東' });
  });

  it('FR-DICOM-03.responses: cancelling after the first 10 results leaves the association usable', async () => {
    const controller = new AbortController();
    let n = 0;
    for await (const _ of findWorklist(association, {}, { signal: controller.signal })) {
      n++;
      if (n === 10) controller.abort();
    }
    expect(n).toBe(10);
    expect(association.usable).toBe(true);
    const [one] = await collect(findWorklist(association, { accessionNumber: 'ACC000123' }));
    expect(one?.item.patientId).toBe('PID00123');
  });
});
