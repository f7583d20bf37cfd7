import { type OrthancPeer, startOrthanc } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCrImage, buildDxImage, buildGsps, buildRdsr, toPart10Buffer } from '../src/index.js';
import { fullCr, fullDx, fullGsps, fullRdsr } from './fixtures.js';
import { testUids } from './helpers.js';

// FR-DICOM-08..10: what the console produces must be accepted by a real PACS, not only by
// validators. Orthanc parses each object on upload and indexes its patient/study/series tags.
let orthanc: OrthancPeer;
beforeAll(async () => {
  orthanc = await startOrthanc();
});
afterAll(async () => {
  await orthanc?.stop();
});

async function upload(bytes: Uint8Array): Promise<{ ID: string; Status: string }> {
  const res = await fetch(`http://127.0.0.1:${orthanc.httpPort}/instances`, { method: 'POST', body: bytes });
  expect(res.status).toBe(200);
  return (await res.json()) as { ID: string; Status: string };
}

async function tags(id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${orthanc.httpPort}/instances/${id}/simplified-tags`);
  return (await res.json()) as Record<string, unknown>;
}

describe('Orthanc accepts every object the builders produce', () => {
  const uid = testUids();
  const dx = buildDxImage(fullDx(), { uid });

  it('FR-DICOM-08: a DX image is stored and indexed by Orthanc with its pixel data', async () => {
    const { ID, Status } = await upload(toPart10Buffer(dx.dataset, dx.pixelData));
    expect(Status).toBe('Success');
    const t = await tags(ID);
    expect(t.SOPInstanceUID).toBe(dx.dataset.SOPInstanceUID);
    expect(t.Modality).toBe('DX');
    const frame = await fetch(`http://127.0.0.1:${orthanc.httpPort}/instances/${ID}/frames/0/raw`);
    expect(
      Buffer.from(await frame.arrayBuffer()).equals(
        Buffer.from(dx.pixelData.buffer, dx.pixelData.byteOffset, dx.pixelData.byteLength),
      ),
    ).toBe(true);
  });

  it('FR-DICOM-08: a CR image is stored and indexed by Orthanc', async () => {
    const cr = buildCrImage(fullCr(), { uid });
    const { ID } = await upload(toPart10Buffer(cr.dataset, cr.pixelData));
    expect((await tags(ID)).Modality).toBe('CR');
  });

  it('FR-DICOM-09: an X-Ray Radiation Dose SR is stored by Orthanc in the image study', async () => {
    const sr = buildRdsr(fullRdsr(), { uid });
    const { ID } = await upload(toPart10Buffer(sr.dataset));
    const t = await tags(ID);
    expect(t.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.88.67');
    expect(t.Modality).toBe('SR');
  });

  it('FR-DICOM-10: a GSPS referencing the DX image is stored by Orthanc', async () => {
    const ps = buildGsps(fullGsps(dx.dataset), { uid });
    const { ID } = await upload(toPart10Buffer(ps.dataset));
    const t = await tags(ID);
    expect(t.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.11.1');
    expect(t.StudyInstanceUID).toBe(dx.dataset.StudyInstanceUID);
  });
});
