/**
 * Every storage SOP class of the Conformance Statement against DCMTK, in each role: one small
 * object per class (sop-class-objects.ts), sent by DCMTK storescu to our storage SCP for each
 * class it accepts (DEFAULT_SCP_SOP_CLASSES), and by our SCU to DCMTK storescp for each class it
 * proposes (DEFAULT_STORE_SOP_CLASSES). What arrives must be the data set that was sent, byte for
 * byte, under its SOP class and instance UIDs. The lists are read from the code, so a class added
 * to either is tested here (and fails here until it has a test object).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePart10Header, TS } from '@hnvue/dicom';
import { makeTempDir, rmTempDir, run, startStorescp } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association } from '../../src/association.js';
import {
  DEFAULT_SCP_SOP_CLASSES,
  DEFAULT_STORE_SOP_CLASSES,
  storageContexts,
} from '../../src/storage/negotiation.js';
import { createStorageScp, type StoredInstance } from '../../src/storage/scp.js';
import { storeInstance } from '../../src/storage/scu.js';
import { type SopClassObject, sopClassObject } from './sop-class-objects.js';

let dir: string;
const objects = new Map<string, SopClassObject & { path: string }>();

beforeAll(async () => {
  dir = await makeTempDir('hnv-sop-classes-');
  const classes = [...new Set([...DEFAULT_SCP_SOP_CLASSES, ...DEFAULT_STORE_SOP_CLASSES])];
  for (const [i, uid] of classes.entries()) {
    const object = sopClassObject(uid, i);
    const path = join(dir, `${i}.dcm`);
    await writeFile(path, object.file);
    objects.set(uid, { ...object, path });
  }
});
afterAll(async () => {
  await rmTempDir(dir);
});

/** SOP class and instance of a received file's meta header, and its data set. */
async function received(path: string) {
  const file = new Uint8Array(await readFile(path));
  const { meta, datasetOffset } = parsePart10Header(file);
  return {
    sopClassUid: meta.mediaStorageSopClassUid,
    sopInstanceUid: meta.mediaStorageSopInstanceUid,
    transferSyntax: meta.transferSyntaxUid,
    dataset: file.subarray(datasetOffset),
  };
}

/** The same SOP class and instance, in the syntax sent, with the data set byte for byte. */
function expectIntact(sent: SopClassObject, got: Awaited<ReturnType<typeof received>>): void {
  expect(got.sopClassUid, sent.sopClassUid).toBe(sent.sopClassUid);
  expect(got.sopInstanceUid).toBe(sent.sopInstanceUid);
  expect(got.transferSyntax).toBe(TS.explicitVrLittleEndian);
  expect(Buffer.from(got.dataset).equals(Buffer.from(sent.dataset)), sent.sopClassUid).toBe(true);
}

describe('every storage SOP class against DCMTK', { timeout: 60_000 }, () => {
  // conformance: SCP DEFAULT_SCP_SOP_CLASSES
  it('FR-DICOM-04.store: storescu sends one object of each SOP class our SCP accepts; each is stored intact', async () => {
    const out = await makeTempDir('hnv-sop-classes-scp-');
    const stored: StoredInstance[] = [];
    const server = createStorageScp({ directory: out, fsync: false, onStored: (s) => stored.push(s) });
    const port = await server.listen(0);
    try {
      const sent = DEFAULT_SCP_SOP_CLASSES.map((uid) => objects.get(uid)!);
      // -R: propose only the SOP classes of the files given, each with Explicit VR LE first.
      const r = await run('storescu', [
        '-aec',
        'HNVUE',
        '-aet',
        'STORESCU',
        '-R',
        '127.0.0.1',
        String(port),
        ...sent.map((o) => o.path),
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(stored.map((s) => s.sopClassUid).sort()).toEqual([...DEFAULT_SCP_SOP_CLASSES].sort());
      for (const object of sent) {
        const instance = stored.find((s) => s.sopInstanceUid === object.sopInstanceUid);
        expect(instance, object.sopClassUid).toBeDefined();
        expect(instance!.sopClassUid).toBe(object.sopClassUid);
        expectIntact(object, await received(instance!.path));
      }
    } finally {
      await server.close({ abort: true });
      await rmTempDir(out);
    }
  });

  // conformance: SCU DEFAULT_STORE_SOP_CLASSES
  it('FR-DICOM-04.store: our SCU sends one object of each SOP class it proposes to storescp; each arrives intact', async () => {
    const out = await makeTempDir('hnv-sop-classes-scu-');
    const peer = await startStorescp({ args: ['+uf'], outputDir: out });
    try {
      const sent = DEFAULT_STORE_SOP_CLASSES.map((uid) => objects.get(uid)!);
      const association = await Association.open({
        host: '127.0.0.1',
        port: peer.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'STORESCP',
        presentationContexts: storageContexts(
          sent.map((o) => ({ sopClassUid: o.sopClassUid, transferSyntax: TS.explicitVrLittleEndian })),
        ),
      });
      try {
        for (const object of sent) {
          const result = await storeInstance(association, object.path);
          expect(result, object.sopClassUid).toMatchObject({ status: 0, transcoded: false });
        }
      } finally {
        await association.release();
      }
      const files = (await readdir(out)).filter((f) => !f.startsWith('.'));
      expect(files).toHaveLength(sent.length);
      const arrived = await Promise.all(files.map((f) => received(join(out, f))));
      for (const object of sent) {
        const got = arrived.find((g) => g.sopInstanceUid === object.sopInstanceUid);
        expect(got, object.sopClassUid).toBeDefined();
        expectIntact(object, got!);
      }
    } finally {
      await peer.stop();
      await rmTempDir(out);
    }
  });
});
