/**
 * C-STORE SCU → Orthanc (real PACS, loopback) through the pooled StorageClient: DX and CR in each
 * transfer syntax arrive (REST API) and the file Orthanc stored decodes (GDCM) to the original
 * pixels; an Orthanc restricted to one syntax ("AcceptedTransferSyntaxes") forces transcoding.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type OrthancPeer, rmTempDir, startOrthanc } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreScu } from '../../src/storage/client.js';
import { convertFile, decodedPixels, makeImage, SOP, type TestImage, TS, writeImageFile } from './helpers.js';

let dir: string;
let orthanc: OrthancPeer;
const images: { image: TestImage; files: Record<string, string> }[] = [];

beforeAll(async () => {
  dir = await makeTempDir('hnv-store-orthanc-');
  const started = startOrthanc();
  for (const sopClassUid of [SOP.dx, SOP.cr]) {
    const files: Record<string, string> = {};
    for (const ts of [TS.explicit, TS.implicit, TS.jpegLosslessSv1, TS.jpeg2000Lossless]) {
      // One SOP instance per file: Orthanc keeps one copy per instance.
      const image = makeImage({ sopClassUid, rows: 96, columns: 80 });
      const explicit = await writeImageFile(dir, image);
      files[ts] =
        ts === TS.explicit
          ? explicit
          : await convertFile(explicit, ts, join(dir, `${image.sopInstanceUid}-${ts}.dcm`));
      images.push({ image, files: { [ts]: files[ts]! } });
    }
  }
  orthanc = await started;
});
afterAll(async () => {
  await orthanc?.stop();
  await rmTempDir(dir);
});

async function rest<T>(port: number, path: string, body?: unknown): Promise<T> {
  const response = await fetch(
    `http://127.0.0.1:${port}${path}`,
    body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) },
  );
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function fetchStoredFile(port: number, sopInstanceUid: string): Promise<string> {
  const found = await fetch(`http://127.0.0.1:${port}/tools/lookup`, {
    method: 'POST',
    body: sopInstanceUid,
  });
  const matches = (await found.json()) as { ID: string; Type: string }[];
  const instance = matches.find((m) => m.Type === 'Instance');
  if (!instance) throw new Error('instance not found in Orthanc');
  const file = Buffer.from(
    await (await fetch(`http://127.0.0.1:${port}/instances/${instance.ID}/file`)).arrayBuffer(),
  );
  const path = join(dir, `orthanc-${sopInstanceUid}.dcm`);
  await writeFile(path, file);
  return path;
}

describe('C-STORE SCU → Orthanc', () => {
  // conformance: SCU digitalXRayImageStorageForPresentation computedRadiographyImageStorage
  it('FR-DICOM-04 FR-DICOM-02: DX and CR in each transfer syntax arrive as sent and decode to the original pixels', async () => {
    const client = createStoreScu({
      host: '127.0.0.1',
      port: orthanc.port,
      calledAeTitle: 'ORTHANC',
      callingAeTitle: 'HNVUE',
    });
    try {
      const outcomes = await client.storeStudy(images.map((i) => Object.values(i.files)[0]!));
      expect(outcomes.map((o) => (o.ok ? o.result.status : o.error.message))).toEqual(images.map(() => 0));
      for (const o of outcomes) if (o.ok) expect(o.result.transcoded).toBe(false);
      const stats = await rest<{ CountInstances: number }>(orthanc.httpPort, '/statistics');
      expect(stats.CountInstances).toBe(8);
      for (const { image, files } of images) {
        const [ts] = Object.keys(files);
        const stored = await fetchStoredFile(orthanc.httpPort, image.sopInstanceUid);
        expect(await decodedPixels(stored, dir), `${image.sopClassUid} ${ts}`).toEqual(image.pixels);
      }
    } finally {
      await client.close();
    }
  });

  it('FR-DICOM-04.negotiation: an Orthanc that accepts only JPEG Lossless SV1 gets a transcoded image, pixel-exact', async () => {
    const restricted = await startOrthanc({ config: { AcceptedTransferSyntaxes: [TS.jpegLosslessSv1] } });
    const client = createStoreScu({
      host: '127.0.0.1',
      port: restricted.port,
      calledAeTitle: 'ORTHANC',
      callingAeTitle: 'HNVUE',
    });
    try {
      const { image, files } = images[0]!;
      const result = await client.store(files[TS.explicit]!);
      expect(result).toMatchObject({ status: 0, transferSyntax: TS.jpegLosslessSv1, transcoded: true });
      const stored = await fetchStoredFile(restricted.httpPort, image.sopInstanceUid);
      expect(await decodedPixels(stored, dir)).toEqual(image.pixels);
    } finally {
      await client.close();
      await restricted.stop();
    }
  });
});
