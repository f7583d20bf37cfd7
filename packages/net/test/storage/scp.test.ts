/**
 * Our C-STORE SCP receiving from real senders: DCMTK storescu (plain and mutual TLS) and Orthanc
 * (REST /modalities/{id}/store). Files land atomically with a meta header; their data sets are
 * byte-identical to what was sent. The decide hook and status answers are checked with our SCU.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  generateTlsMaterial,
  makeTempDir,
  rmTempDir,
  run,
  startOrthanc,
  type TlsMaterial,
} from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association, type DimseReply, type IncomingRequest } from '../../src/association.js';
import { DimseFailureError } from '../../src/errors.js';
import type { DicomServer } from '../../src/server.js';
import { storageContexts } from '../../src/storage/negotiation.js';
import {
  createStorageScp,
  type StoredInstance,
  type StoreRequestInfo,
  storageScpHandler,
} from '../../src/storage/scp.js';
import { storeInstance } from '../../src/storage/scu.js';
import { convertFile, makeImage, readPart10, SOP, type TestImage, TS, writeImageFile } from './helpers.js';

let dir: string;
let tls: TlsMaterial;
let image: TestImage;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = await makeTempDir('hnv-scp-');
  tls = await generateTlsMaterial();
  image = makeImage({ rows: 200, columns: 180 });
  files[TS.explicit] = await writeImageFile(dir, image);
  for (const ts of [TS.implicit, TS.jpegLosslessSv1, TS.jpeg2000Lossless]) {
    files[ts] = await convertFile(files[TS.explicit]!, ts, join(dir, `src-${ts}.dcm`));
  }
});
afterAll(async () => {
  await rmTempDir(dir);
  if (tls) await rmTempDir(tls.dir);
});

async function listVisible(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true })).map(String);
}

interface Scp {
  server: DicomServer;
  port: number;
  out: string;
  stored: StoredInstance[];
  failed: { info: StoreRequestInfo; error: Error }[];
}

async function startScp(options: Partial<Parameters<typeof createStorageScp>[0]> = {}): Promise<Scp> {
  const out = await makeTempDir('hnv-scp-out-');
  const stored: StoredInstance[] = [];
  const failed: { info: StoreRequestInfo; error: Error }[] = [];
  const server = createStorageScp({
    directory: out,
    fsync: false,
    onStored: (i) => stored.push(i),
    onFailed: (info, error) => failed.push({ info, error }),
    ...options,
  });
  const port = await server.listen(0);
  return { server, port, out, stored, failed };
}

async function stopScp(scp: Scp): Promise<void> {
  await scp.server.close({ abort: true });
  await rmTempDir(scp.out);
}

/** storescu sends each file with a context for its own syntax (+ the uncompressed ones). */
async function storescu(port: number, paths: string[], extra: string[] = []) {
  return await run('storescu', [
    '-aec',
    'HNVUE',
    '-aet',
    'STORESCU',
    ...extra,
    '127.0.0.1',
    String(port),
    ...paths,
  ]);
}

describe('C-STORE SCP', () => {
  // conformance: SCP digitalXRayImageStorageForPresentation
  it('FR-DICOM-04.store: DCMTK storescu → our SCP: each syntax lands as a Part 10 file, data set byte-identical', async () => {
    // One SOP instance in four syntaxes: the hook names each file after its syntax.
    const scp = await startScp({
      decide: (info) => ({ action: 'store', path: join(scp.out, `${info.transferSyntax}.dcm`) }),
    });
    try {
      // storescu proposes one compressed syntax per run (-xs JPEG lossless, -xv JPEG 2000 lossless).
      for (const [paths, extra] of [
        [[files[TS.explicit]!, files[TS.implicit]!], []],
        [[files[TS.jpegLosslessSv1]!], ['-xs']],
        [[files[TS.jpeg2000Lossless]!], ['-xv']],
      ] as const) {
        const r = await storescu(scp.port, [...paths], [...extra]);
        expect(r.code, r.stderr).toBe(0);
      }
      expect(scp.stored).toHaveLength(4);
      for (const [ts, path] of Object.entries(files)) {
        const sent = await readPart10(path);
        const received = scp.stored.find((s) => s.transferSyntax === ts);
        expect(received, ts).toBeDefined();
        const got = await readPart10(received!.path);
        expect(got.transferSyntax).toBe(ts);
        expect(got.dataset.equals(sent.dataset)).toBe(true);
        expect(received!.datasetBytes).toBe(sent.dataset.length);
        expect(received!.callingAeTitle).toBe('STORESCU');
        // dcmdump reads our meta header + data set.
        expect((await run('dcmdump', ['-q', received!.path])).code).toBe(0);
      }
      expect((await listVisible(scp.out)).sort()).toEqual(
        Object.keys(files)
          .map((ts) => `${ts}.dcm`)
          .sort(),
      );
    } finally {
      await stopScp(scp);
    }
  });

  it('FR-DICOM-04 NFR-SEC-02: DCMTK storescu over mutual TLS → our SCP', async () => {
    const scp = await startScp({
      server: {
        tls: {
          certFile: tls.serverCert,
          keyFile: tls.serverKey,
          caFile: tls.caCert,
          requireClientCertificate: true,
        },
      },
    });
    try {
      const r = await storescu(
        scp.port,
        [files[TS.explicit]!],
        ['+tls', tls.clientKey, tls.clientCert, '+cf', tls.caCert],
      );
      expect(r.code, r.stderr).toBe(0);
      expect(scp.stored).toHaveLength(1);
      const got = await readPart10(scp.stored[0]!.path);
      expect(got.dataset.equals(image.dataset)).toBe(true);
    } finally {
      await stopScp(scp);
    }
  });

  // conformance: SCP digitalXRayImageStorageForPresentation
  it('FR-DICOM-04.store: Orthanc → our SCP (REST /modalities/{id}/store): byte-identical data set', async () => {
    const scp = await startScp();
    const orthanc = await startOrthanc({
      config: { DicomModalities: { hnvue: { AET: 'HNVUE', Host: '127.0.0.1', Port: scp.port } } },
    });
    try {
      const base = `http://127.0.0.1:${orthanc.httpPort}`;
      const { readFile } = await import('node:fs/promises');
      const upload = await fetch(`${base}/instances`, {
        method: 'POST',
        body: await readFile(files[TS.explicit]!),
      });
      const { ID } = (await upload.json()) as { ID: string };
      const store = await fetch(`${base}/modalities/hnvue/store`, {
        method: 'POST',
        body: JSON.stringify({ Resources: [ID], Synchronous: true }),
      });
      expect(store.status).toBe(200);
      expect(scp.stored).toHaveLength(1);
      expect(scp.stored[0]!.callingAeTitle).toBe('ORTHANC');
      const got = await readPart10(scp.stored[0]!.path);
      // Orthanc sends what it stored: the same data set (it keeps Explicit VR LE as uploaded).
      expect(got.transferSyntax).toBe(TS.explicit);
      expect(got.dataset.equals(image.dataset)).toBe(true);
    } finally {
      await orthanc.stop();
      await stopScp(scp);
    }
  });

  it('FR-DICOM-04.negotiation: the decide hook chooses the path and a Warning; a refusal is a typed DimseFailureError', async () => {
    const scp = await startScp({
      decide: (info) =>
        info.sopClassUid === SOP.cr
          ? { action: 'refuse', status: 0xa700, errorComment: 'disk full' }
          : { action: 'store', path: join(scp.out, 'chosen', 'x.dcm'), status: 0xb000 },
    });
    try {
      const cr = makeImage({ sopClassUid: SOP.cr, rows: 16, columns: 16 });
      const association = await Association.open({
        host: '127.0.0.1',
        port: scp.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'HNVUE',
        presentationContexts: storageContexts([{ sopClassUid: SOP.dx }, { sopClassUid: SOP.cr }]),
      });
      const warned = await storeInstance(association, files[TS.explicit]!, {
        moveOriginator: { aeTitle: 'QRSCU', messageId: 42 },
      });
      expect(warned).toMatchObject({ status: 0xb000, statusClass: 'warning' });
      // The C-MOVE sub-operation fields reach the SCP (PS3.7 9.3.1.1).
      expect(scp.stored[0]).toMatchObject({
        moveOriginatorAeTitle: 'QRSCU',
        moveOriginatorMessageId: 42,
        status: 0xb000,
      });
      expect((await readPart10(join(scp.out, 'chosen', 'x.dcm'))).dataset.equals(image.dataset)).toBe(true);
      const refused = storeInstance(association, { dataset: cr.dataset, transferSyntax: TS.explicit });
      await expect(refused).rejects.toBeInstanceOf(DimseFailureError);
      await expect(refused).rejects.toMatchObject({ status: 0xa700, code: 'HNV_ERR_DIMSE_FAILURE' });
      // A failure status leaves the association usable.
      expect(association.usable).toBe(true);
      await association.release();
    } finally {
      await stopScp(scp);
    }
  });

  it('FR-DICOM-04.store: a received SOP Instance UID that is not a plain UID never becomes a path (C000)', async () => {
    // Our own SCU refuses to encode such a UID, so the handler gets a hand-made request.
    const out = await makeTempDir('hnv-scp-traversal-');
    try {
      const handler = storageScpHandler({ directory: out, fsync: false });
      const request = {
        command: {
          commandField: 0x0001,
          messageId: 1,
          affectedSopClassUid: SOP.dx,
          affectedSopInstanceUid: '../../etc/passwd',
          hasDataset: true,
        },
        contextId: 1,
        abstractSyntax: SOP.dx,
        transferSyntax: TS.explicit,
        dataset: (async function* () {
          yield image.dataset;
        })(),
        signal: new AbortController().signal,
        association: { callingAeTitle: 'EVIL', calledAeTitle: 'HNVUE', peer: '127.0.0.1:1', usable: true },
      } as unknown as IncomingRequest;
      const reply = (await handler(request)) as DimseReply;
      expect(reply.status).toBe(0xc000);
      expect(await listVisible(out)).toEqual([]);
    } finally {
      await rmTempDir(out);
    }
  });
});
