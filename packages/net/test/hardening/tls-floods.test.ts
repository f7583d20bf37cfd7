/**
 * Issue 17 items 1 and 6 on a TLS listener: a TCP connection counts as pending from accept, so
 * connections that never start (or never finish) their TLS handshake are bounded and cut at the
 * request deadline like plain ones, while legitimate TLS clients (our SCU and echoscu +tls) are
 * served.
 */

import { generateTlsMaterial, rmTempDir, runEchoscu, type TlsMaterial } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association, createServer, type DicomServer, type DropInfo, tlsConnector } from '../../src/index.js';
import { destroyAll, openIdle } from './helpers.js';

describe('FR-DICOM-02 / NFR-SEC-02: floods against a TLS listener', () => {
  let tls: TlsMaterial;
  let server: DicomServer;
  let port: number;
  const drops: DropInfo[] = [];

  beforeAll(async () => {
    tls = await generateTlsMaterial();
    server = createServer({
      aeTitles: ['HNVUE'],
      tls: {
        certFile: tls.serverCert,
        keyFile: tls.serverKey,
        caFile: tls.caCert,
        requireClientCertificate: true,
      },
      limits: { associationRequestTimeoutMs: 800, maxPendingPerAddress: 16 },
    });
    server.on('connectionDropped', (d) => drops.push(d));
    port = await server.listen(0);
  });

  afterAll(async () => {
    await server?.close({ abort: true });
    if (tls) await rmTempDir(tls.dir);
  });

  it('FR-DICOM-02.limits: 100 TCP connections that never handshake are bounded per address and cut at the deadline; TLS echoes are served within 1 s', async () => {
    const started = Date.now();
    const idle = await openIdle(port, 100, 25);
    expect(server.pendingConnections).toBeLessThanOrEqual(16);
    const echoes = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const t0 = performance.now();
        if (i % 2 === 0) {
          const association = await Association.open({
            host: 'localhost',
            port,
            callingAeTitle: 'LEGIT',
            calledAeTitle: 'HNVUE',
            connector: tlsConnector({ caFile: tls.caCert, certFile: tls.clientCert, keyFile: tls.clientKey }),
          });
          const ok = (await association.echo()).status === 0;
          await association.release();
          return { ok, ms: performance.now() - t0 };
        }
        const result = await runEchoscu({
          port,
          calledAe: 'HNVUE',
          tls: { key: tls.clientKey, cert: tls.clientCert, ca: tls.caCert },
        });
        return { ok: result.code === 0, ms: performance.now() - t0 };
      }),
    );
    for (const e of echoes) {
      expect(e.ok).toBe(true);
      expect(e.ms).toBeLessThan(1000);
    }
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (server.pendingConnections === 0 || Date.now() - started > 3000) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    expect(server.pendingConnections).toBe(0);
    expect(drops.filter((d) => d.reason === 'maxPendingPerAddress').length).toBeGreaterThanOrEqual(84);
    expect(drops.filter((d) => d.reason === 'associationRequestTimeout').length).toBeGreaterThanOrEqual(1);
    destroyAll(idle);
  });
});
