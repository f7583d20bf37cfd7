/**
 * C-STORE SCU against DCMTK storescp (real peer, loopback, TCP_NODELAY=1): files in each transfer
 * syntax arrive unchanged when accepted as they are; peers that accept only one syntax force
 * our in-memory transcoding, and DCMTK/GDCM decode what arrived to the original pixels.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openPart10File } from '@hnvue/dicom';
import { generateTlsMaterial, makeTempDir, rmTempDir, startStorescp } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association } from '../../src/association.js';
import { storageContexts } from '../../src/storage/negotiation.js';
import { type StoreProgress, storeInstance, storeInstances } from '../../src/storage/scu.js';
import { tlsConnector } from '../../src/tls/index.js';
import {
  convertFile,
  DCMTK_TS_NAME,
  decodedPixels,
  makeImage,
  readPart10,
  SOP,
  type TestImage,
  TS,
  writeImageFile,
  writeStorescpProfile,
} from './helpers.js';

let dir: string;
const images: { image: TestImage; files: Record<string, string> }[] = [];

beforeAll(async () => {
  dir = await makeTempDir('hnv-store-dcmtk-');
  for (const sopClassUid of [SOP.dx, SOP.cr]) {
    const image = makeImage({ sopClassUid, rows: 192, columns: 160 });
    const explicit = await writeImageFile(dir, image);
    const files: Record<string, string> = { [TS.explicit]: explicit };
    for (const ts of [TS.implicit, TS.jpegLosslessSv1, TS.jpeg2000Lossless]) {
      files[ts] = await convertFile(explicit, ts, join(dir, `${image.sopInstanceUid}-${ts}.dcm`));
    }
    images.push({ image, files });
  }
});
afterAll(async () => {
  await rmTempDir(dir);
});

async function openTo(port: number, kinds: { sopClassUid: string; transferSyntax?: string }[]) {
  return await Association.open({
    host: '127.0.0.1',
    port,
    callingAeTitle: 'HNVUE',
    calledAeTitle: 'STORESCP',
    presentationContexts: storageContexts(kinds),
  });
}

async function receivedFiles(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((f) => !f.startsWith('.')).map((f) => join(folder, f));
}

describe('C-STORE SCU → DCMTK storescp', () => {
  // conformance: SCU digitalXRayImageStorageForPresentation computedRadiographyImageStorage
  it('FR-DICOM-04.store: DX and CR files in each transfer syntax arrive byte-identical when their own syntax is accepted', async () => {
    const out = await makeTempDir('hnv-storescp-out-');
    const peer = await startStorescp({
      args: ['-xf', '/etc/dcmtk/storescp.cfg', 'Default', '+uf'],
      outputDir: out,
    });
    try {
      const kinds = images.flatMap(({ image, files }) =>
        Object.keys(files).map((transferSyntax) => ({ sopClassUid: image.sopClassUid, transferSyntax })),
      );
      const association = await openTo(peer.port, kinds);
      for (const { files } of images) {
        for (const [ts, file] of Object.entries(files)) {
          const result = await storeInstance(association, file);
          expect(result).toMatchObject({
            status: 0,
            statusClass: 'success',
            transferSyntax: ts,
            transcoded: false,
          });
        }
      }
      await association.release();
      const received = await receivedFiles(out);
      expect(received).toHaveLength(8);
      const sent = new Map<string, Buffer>();
      for (const { files } of images) {
        for (const file of Object.values(files)) {
          const p = await readPart10(file);
          sent.set(`${p.sopInstanceUid}|${p.transferSyntax}`, p.dataset);
        }
      }
      for (const file of received) {
        const r = await readPart10(file);
        // storescp names files by SOP instance; the same instance in 4 syntaxes gets suffixes.
        const original = sent.get(`${r.sopInstanceUid}|${r.transferSyntax}`);
        expect(original, `${r.transferSyntax}`).toBeDefined();
        expect(r.dataset.equals(original!)).toBe(true);
      }
    } finally {
      await peer.stop();
      await rmTempDir(out);
    }
  });

  const forced: [string, string][] = [
    [TS.jpeg2000Lossless, TS.explicit],
    [TS.jpegLosslessSv1, TS.explicit],
    [TS.explicit, TS.jpeg2000Lossless],
    [TS.implicit, TS.explicit],
  ];
  for (const [target, sourceTs] of forced) {
    it(`FR-DICOM-04.negotiation: a peer that accepts only ${target} gets a transcoded image that decodes to the original pixels`, async () => {
      const out = await makeTempDir('hnv-storescp-only-');
      const cfg = await writeStorescpProfile(out, DCMTK_TS_NAME[target]!);
      await mkdir(join(out, 'in'));
      const peer = await startStorescp({ args: ['-xf', cfg, 'OnlyProfile'], outputDir: join(out, 'in') });
      try {
        const { image, files } = images[target === TS.implicit ? 1 : 0]!;
        const source = await openPart10File(files[sourceTs]!);
        const association = await openTo(peer.port, [
          { sopClassUid: image.sopClassUid, transferSyntax: source.meta.transferSyntaxUid },
        ]);
        expect(
          association.acceptedContexts
            .filter((c) => c.abstractSyntax === image.sopClassUid)
            .map((c) => c.transferSyntax),
        ).toEqual([target]);
        const result = await storeInstance(association, source);
        expect(result).toMatchObject({ status: 0, transferSyntax: target, transcoded: true });
        await association.release();
        const [file] = await receivedFiles(join(out, 'in'));
        const received = await readPart10(file!);
        expect(received.transferSyntax).toBe(target);
        expect(await decodedPixels(file!, out)).toEqual(image.pixels);
      } finally {
        await peer.stop();
        await rmTempDir(out);
      }
    });
  }

  it('FR-DICOM-04 NFR-SEC-02: our SCU streams to storescp over mutual TLS', async () => {
    const tls = await generateTlsMaterial();
    const out = await makeTempDir('hnv-storescp-tls-');
    const peer = await startStorescp({
      args: ['-xf', '/etc/dcmtk/storescp.cfg', 'Default'],
      outputDir: out,
      tls: { key: tls.serverKey, cert: tls.serverCert, ca: tls.caCert, requirePeerCert: true },
    });
    try {
      const { files } = images[0]!;
      const association = await Association.open({
        host: '127.0.0.1',
        port: peer.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'STORESCP',
        presentationContexts: storageContexts([{ sopClassUid: SOP.dx, transferSyntax: TS.jpeg2000Lossless }]),
        connector: tlsConnector({ caFile: tls.caCert, certFile: tls.clientCert, keyFile: tls.clientKey }),
      });
      expect(await storeInstance(association, files[TS.jpeg2000Lossless]!)).toMatchObject({
        status: 0,
        transcoded: false,
      });
      await association.release();
      const [file] = await receivedFiles(out);
      expect(
        (await readPart10(file!)).dataset.equals((await readPart10(files[TS.jpeg2000Lossless]!)).dataset),
      ).toBe(true);
    } finally {
      await peer.stop();
      await rmTempDir(out);
      await rmTempDir(tls.dir);
    }
  });

  it('FR-DICOM-04.store: a study goes on one association with per-instance and batch progress, move originator set', async () => {
    const out = await makeTempDir('hnv-storescp-study-');
    const peer = await startStorescp({
      args: ['-xf', '/etc/dcmtk/storescp.cfg', 'Default', '+uf'],
      outputDir: out,
    });
    try {
      const study = [
        images[0]!.files[TS.explicit]!,
        images[1]!.files[TS.explicit]!,
        images[0]!.files[TS.implicit]!,
      ];
      const association = await openTo(peer.port, [
        { sopClassUid: SOP.dx, transferSyntax: TS.explicit },
        { sopClassUid: SOP.cr, transferSyntax: TS.explicit },
        { sopClassUid: SOP.dx, transferSyntax: TS.implicit },
      ]);
      const events: StoreProgress[] = [];
      const outcomes = await storeInstances(association, study, {
        onProgress: (p) => events.push(p),
        moveOriginator: { aeTitle: 'MOVER', messageId: 7 },
      });
      await association.release();
      expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
      const last = events.at(-1)!;
      expect(last.batchBytesSent).toBe(last.batchTotalBytes);
      for (const index of [0, 1, 2]) {
        const mine = events.filter((e) => e.index === index);
        expect(mine.at(-1)!.bytesSent).toBe(mine.at(-1)!.totalBytes);
        expect(mine.every((e) => e.count === 3)).toBe(true);
      }
      expect(await receivedFiles(out)).toHaveLength(3);
      expect(peer.output()).not.toMatch(/error/i);
    } finally {
      await peer.stop();
      await rmTempDir(out);
    }
  });
});
