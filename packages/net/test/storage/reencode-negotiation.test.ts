/**
 * Issue 12: negotiation and transcoding rules for Big Endian and Deflated objects, and the
 * storage tables taken from @hnvue/dicom's registry; then our SCP receiving such objects from
 * our SCU, stored as they came (byte-identical data set, read by dcmdump).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  codecsFor,
  SOP_CLASS,
  STORAGE_SOP_CLASSES,
  TRANSFER_SYNTAXES,
  TS,
  transferSyntax,
} from '@hnvue/dicom';
import { makeTempDir, rmTempDir, run } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NegotiatedContext } from '../../src/acse/negotiate.js';
import { Association } from '../../src/association.js';
import {
  DEFAULT_SCP_TRANSFER_SYNTAXES,
  planTransfer,
  STORAGE_SOP_CLASS,
  storageContexts,
} from '../../src/storage/negotiation.js';
import { createStorageScp, type StoredInstance } from '../../src/storage/scp.js';
import { storeInstance } from '../../src/storage/scu.js';
import { canTranscode, TRANSCODABLE_TRANSFER_SYNTAXES } from '../../src/storage/transcode.js';
import { readPart10 } from './helpers.js';
import { type TestObject, writeReencodeObjects } from './reencode-objects.js';

function accepted(sopClass: string, syntaxes: readonly string[]): NegotiatedContext[] {
  return syntaxes.map((transferSyntax, i) => ({
    id: 2 * i + 1,
    abstractSyntax: sopClass,
    proposedTransferSyntaxes: [transferSyntax],
    result: 0,
    transferSyntax,
    requestorScu: true,
    requestorScp: false,
  }));
}

const DX = SOP_CLASS.digitalXRayImageStorageForPresentation;

describe('Big Endian and Deflated objects: negotiation and transcoding rules', () => {
  it('FR-DICOM-04.negotiation: a Big Endian or Deflated object proposes its own syntax and Explicit VR LE, even when the policy lists only a compressed one', () => {
    for (const own of [TS.explicitVrBigEndian, TS.deflatedExplicitVrLittleEndian]) {
      const syntaxes = storageContexts([{ sopClassUid: DX, transferSyntax: own }], {
        transferSyntaxes: [TS.jpeg2000Lossless],
        proposeImplicit: false,
      }).map((c) => c.transferSyntaxes[0]);
      expect(syntaxes).toEqual([own, TS.explicitVrLittleEndian, TS.jpeg2000Lossless]);
    }
    // A Little Endian object under the same policy gets nothing added.
    expect(
      storageContexts([{ sopClassUid: DX, transferSyntax: TS.implicitVrLittleEndian }], {
        transferSyntaxes: [TS.jpeg2000Lossless],
        proposeImplicit: false,
      }).map((c) => c.transferSyntaxes[0]),
    ).toEqual([TS.implicitVrLittleEndian, TS.jpeg2000Lossless]);
  });

  it('FR-DICOM-04.negotiation: a Big Endian or Deflated object is re-encoded to the accepted Little Endian syntax, compressed only when that is all', () => {
    for (const own of [TS.explicitVrBigEndian, TS.deflatedExplicitVrLittleEndian]) {
      expect(planTransfer(accepted(DX, [TS.implicitVrLittleEndian]), DX, own)).toMatchObject({
        kind: 'transcode',
        transferSyntax: TS.implicitVrLittleEndian,
      });
      expect(
        planTransfer(accepted(DX, [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian]), DX, own),
      ).toMatchObject({
        kind: 'transcode',
        transferSyntax: TS.explicitVrLittleEndian,
        candidates: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
      });
      expect(planTransfer(accepted(DX, [own]), DX, own)).toEqual({ kind: 'asIs', transferSyntax: own });
      // Lossless compression from a Big Endian or deflated source goes through Explicit VR LE.
      expect(canTranscode(own, TS.jpeg2000Lossless)).toBe(true);
      expect(canTranscode(own, TS.jpeg2000)).toBe(false);
      expect(canTranscode(own, TS.jpeg2000, { allowLossy: true })).toBe(true);
    }
    // Native ⇄ native always; an encapsulated syntax as far as a registered codec goes (codecs
    // register themselves with @hnvue/native as they arrive); no codec, or referenced pixels
    // (JPIP): never.
    expect(canTranscode(TS.implicitVrLittleEndian, TS.explicitVrBigEndian)).toBe(true);
    expect(canTranscode(TS.rleLossless, TS.explicitVrBigEndian)).toBe(true);
    expect(canTranscode(TS.explicitVrLittleEndian, TS.rleLossless)).toBe(
      codecsFor(TS.rleLossless, 'encode').length > 0,
    );
    const uncoded = TRANSFER_SYNTAXES.find(
      (t) => t.pixelEncoding === 'encapsulated' && codecsFor(t.uid).length === 0,
    )!.uid;
    expect(canTranscode(TS.explicitVrLittleEndian, uncoded, { allowLossy: true })).toBe(false);
    expect(canTranscode(uncoded, TS.explicitVrLittleEndian)).toBe(false);
    const jpip = TRANSFER_SYNTAXES.find((t) => t.pixelEncoding === 'referenced')!.uid;
    expect(canTranscode(jpip, TS.explicitVrLittleEndian)).toBe(false);
  });

  it('FR-DICOM-04.transcode: the transcodable list and the storage SOP classes are the registry own', () => {
    for (const uid of TRANSCODABLE_TRANSFER_SYNTAXES) {
      const ts = transferSyntax(uid)!;
      expect(
        ts.pixelEncoding === 'native' ||
          (codecsFor(uid, 'decode').length > 0 && codecsFor(uid, 'encode').length > 0),
      ).toBe(true);
    }
    expect(TRANSCODABLE_TRANSFER_SYNTAXES).toEqual(
      expect.arrayContaining([
        TS.implicitVrLittleEndian,
        TS.explicitVrLittleEndian,
        TS.explicitVrBigEndian,
        TS.deflatedExplicitVrLittleEndian,
        TS.jpeg2000Lossless,
      ]),
    );
    const storage = new Set(STORAGE_SOP_CLASSES.map((c) => c.uid));
    for (const uid of Object.values(STORAGE_SOP_CLASS)) expect(storage.has(uid), uid).toBe(true);
    // Big Endian is accepted by our SCP only after Implicit VR LE (storescu offers [BE, Implicit]).
    expect(DEFAULT_SCP_TRANSFER_SYNTAXES.indexOf(TS.explicitVrBigEndian)).toBeGreaterThan(
      DEFAULT_SCP_TRANSFER_SYNTAXES.indexOf(TS.implicitVrLittleEndian),
    );
  });
});

describe('our SCP receiving Big Endian and Deflated objects', { timeout: 60_000 }, () => {
  let dir: string;
  let objects: TestObject[];
  beforeAll(async () => {
    dir = await makeTempDir('hnv-scp-reencode-');
    objects = await writeReencodeObjects(dir);
  }, 60_000);
  afterAll(async () => {
    await rmTempDir(dir);
  });

  it('FR-DICOM-04.negotiation: Big Endian and Deflated objects proposed as they are land byte-identical, and dcmdump reads them', async () => {
    const out = join(dir, 'received');
    const stored: StoredInstance[] = [];
    const server = createStorageScp({
      directory: out,
      fsync: false,
      sopClasses: objects.map((o) => o.sopClassUid),
      decide: (info) => ({
        action: 'store',
        path: join(out, `${info.sopInstanceUid}-${info.transferSyntax}.dcm`),
      }),
      onStored: (i) => stored.push(i),
    });
    const port = await server.listen(0, '127.0.0.1');
    try {
      const association = await Association.open({
        host: '127.0.0.1',
        port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'ANY',
        presentationContexts: storageContexts(
          objects.flatMap((o) => [
            { sopClassUid: o.sopClassUid, transferSyntax: TS.explicitVrBigEndian },
            { sopClassUid: o.sopClassUid, transferSyntax: TS.deflatedExplicitVrLittleEndian },
          ]),
        ),
      });
      try {
        for (const o of objects) {
          for (const [file, ts] of [
            [o.bigEndianPath, TS.explicitVrBigEndian],
            [o.deflatedPath, TS.deflatedExplicitVrLittleEndian],
          ] as const) {
            expect(await storeInstance(association, file)).toMatchObject({
              status: 0,
              transferSyntax: ts,
              transcoded: false,
            });
          }
        }
      } finally {
        await association.release();
      }
      expect(stored).toHaveLength(6);
      expect((await readdir(out)).filter((f) => !f.startsWith('.'))).toHaveLength(6);
      for (const o of objects) {
        for (const [file, ts] of [
          [o.bigEndianPath, TS.explicitVrBigEndian],
          [o.deflatedPath, TS.deflatedExplicitVrLittleEndian],
        ] as const) {
          const path = join(out, `${o.sopInstanceUid}-${ts}.dcm`);
          const got = await readPart10(path);
          expect(got.transferSyntax).toBe(ts);
          expect(got.dataset.equals((await readPart10(file)).dataset)).toBe(true);
          const dump = await run('dcmdump', ['-q', path]);
          expect(dump.code, dump.stderr).toBe(0);
          expect(dump.stdout).toContain(`(0008,0018) UI [${o.sopInstanceUid}`);
        }
      }
    } finally {
      await server.close();
    }
  });
});
