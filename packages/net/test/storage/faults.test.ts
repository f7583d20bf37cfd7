/**
 * C-STORE faults: a scripted raw peer (pynetdicom's parrot idea) that accepts the association and
 * then aborts, or vanishes, in the middle of the data set; our SCP losing its sender mid data
 * set; a failure status. Errors are typed, no half file is ever visible on our SCP side, and the
 * pool never hands out the broken association again.
 */
import { readdir } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { beforeAll, describe, expect, it } from 'vitest';
import { decideAssociation } from '../../src/acse/negotiate.js';
import { Association } from '../../src/association.js';
import { tcpConnector } from '../../src/connector.js';
import { DimseFailureError } from '../../src/errors.js';
import { createPduFramer, decodePdu, encodePdu } from '../../src/pdu/index.js';
import type { AssociateRq } from '../../src/pdu/types.js';
import { createStoreScu } from '../../src/storage/client.js';
import { storageContexts, storageSupportedContexts } from '../../src/storage/negotiation.js';
import { createStorageScp, type StoreRequestInfo } from '../../src/storage/scp.js';
import { storeInstance } from '../../src/storage/scu.js';
import { makeImage, SOP, type TestImage, TS } from './helpers.js';

let image: TestImage;
beforeAll(() => {
  // 1 MiB of pixels: many PDUs, so "mid data set" is well inside the transfer.
  image = makeImage({ rows: 512, columns: 1024 });
});

type Behaviour = 'abort' | 'vanish';

/** A raw acceptor: answers A-ASSOCIATE-AC, then aborts or drops the TCP connection after 64 KiB of P-DATA. */
async function rawPeer(
  behaviour: Behaviour,
): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const framer = createPduFramer({ maxPduLength: 0 });
    let pdata = 0;
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      framer.push(chunk);
      for (let pdu = framer.next(); pdu; pdu = framer.next()) {
        if (pdu.pduType === 0x01) {
          const rq = decodePdu(pdu.bytes) as AssociateRq;
          const decision = decideAssociation(rq, {
            contexts: storageSupportedContexts([SOP.dx], [TS.explicit, TS.implicit]),
            maxPduLength: 16_384,
            implementationClassUid: '1.2.3.4',
          });
          if (decision.type === 'accept') socket.write(encodePdu(decision.ac));
        } else if (pdu.pduType === 0x04) {
          pdata += pdu.bytes.length;
          if (pdata > 65_536) {
            if (behaviour === 'abort') {
              socket.end(encodePdu({ type: 'A-ABORT', source: 0, reason: 0 }));
            } else {
              socket.destroy();
            }
            return;
          }
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => connections,
  };
}

const sockets = new Set<Socket>();

async function closeServer(server: Server): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('C-STORE faults', () => {
  for (const behaviour of ['abort', 'vanish'] as const) {
    it(`FR-DICOM-04 FR-DICOM-02: the peer ${behaviour === 'abort' ? 'aborts' : 'disappears'} mid data set: typed error, the pool discards the association`, async () => {
      const peer = await rawPeer(behaviour);
      const client = createStoreScu(
        {
          host: '127.0.0.1',
          port: peer.port,
          calledAeTitle: 'PARROT',
          callingAeTitle: 'HNVUE',
          sopClasses: [SOP.dx],
          transferSyntaxes: [TS.explicit],
        },
        { pool: { maxSize: 1 } },
      );
      try {
        const instance = { dataset: image.dataset, transferSyntax: TS.explicit };
        const first = client.store(instance);
        await expect(first).rejects.toMatchObject({
          code: expect.stringMatching(/^HNV_ERR_ASSOC_(ABORTED|CLOSED)$/),
        });
        if (behaviour === 'abort')
          await expect(first).rejects.toMatchObject({ code: 'HNV_ERR_ASSOC_ABORTED' });
        expect(client.stats[0]).toMatchObject({ size: 0, busy: 0 });
        // The next store gets a fresh association (a second connection), not the broken one.
        await expect(client.store(instance)).rejects.toMatchObject({
          code: expect.stringMatching(/^HNV_ERR_ASSOC_/),
        });
        expect(peer.connections()).toBe(2);
      } finally {
        client.destroy();
        await closeServer(peer.server);
      }
    });
  }

  for (const behaviour of ['abort', 'vanish'] as const) {
    it(`FR-DICOM-04.store: our SCP whose sender ${behaviour === 'abort' ? 'aborts' : 'disappears'} mid data set shows no file, half or whole`, async () => {
      const out = await makeTempDir('hnv-scp-fault-');
      const failures: { info: StoreRequestInfo; error: Error }[] = [];
      let failed!: () => void;
      const failedOnce = new Promise<void>((resolve) => {
        failed = resolve;
      });
      const server = createStorageScp({
        directory: out,
        fsync: false,
        onFailed: (info, error) => {
          failures.push({ info, error });
          failed();
        },
      });
      const port = await server.listen(0);
      let socket: { destroy(): void } | undefined;
      try {
        const association = await Association.open({
          host: '127.0.0.1',
          port,
          callingAeTitle: 'HNVUE',
          calledAeTitle: 'HNVUE',
          presentationContexts: storageContexts([{ sopClassUid: SOP.dx }]),
          connector: async (options) => {
            const s = await tcpConnector(options);
            socket = s;
            return s;
          },
        });
        const half = image.dataset.subarray(0, image.dataset.length >> 1);
        async function* source() {
          yield half;
          // Let the SCP receive and write the first half before the sender goes away.
          await new Promise((r) => setTimeout(r, 100));
          if (behaviour === 'abort') association.abort();
          else socket?.destroy();
          yield image.dataset.subarray(half.length);
        }
        // A resolved instance whose chunks we control: half, then the sender goes away.
        const attempt = storeInstance(association, {
          sopClassUid: SOP.dx,
          sopInstanceUid: image.sopInstanceUid,
          transferSyntax: TS.explicit,
          length: image.dataset.length,
          chunks: source,
          load: async () => image.dataset,
        });
        await expect(attempt).rejects.toMatchObject({ code: expect.stringMatching(/^HNV_ERR_/) });
      } catch (err) {
        await server.close({ abort: true });
        throw err;
      }
      await failedOnce;
      expect(failures[0]!.info.sopInstanceUid).toBe(image.sopInstanceUid);
      expect(await readdir(out, { recursive: true })).toEqual([]);
      await server.close({ abort: true });
      await rmTempDir(out);
    });
  }

  it('FR-DICOM-04 FR-DICOM-02: a failure status is a DimseFailureError and the pool keeps the healthy association', async () => {
    const out = await makeTempDir('hnv-scp-refuse-');
    const server = createStorageScp({
      directory: out,
      fsync: false,
      decide: () => ({ action: 'refuse', status: 0xa900, errorComment: 'does not match SOP class' }),
    });
    const port = await server.listen(0);
    const client = createStoreScu({
      host: '127.0.0.1',
      port,
      calledAeTitle: 'HNVUE',
      callingAeTitle: 'HNVUE',
    });
    try {
      const error = await client
        .store({ dataset: image.dataset, transferSyntax: TS.explicit })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DimseFailureError);
      expect(error).toMatchObject({ status: 0xa900 });
      expect(client.stats[0]).toMatchObject({ size: 1, idle: 1 });
      expect(server.associations).toHaveLength(1);
    } finally {
      await client.close();
      await server.close({ abort: true });
      await rmTempDir(out);
    }
  });
});
