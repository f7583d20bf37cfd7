import {
  generateTlsMaterial,
  type OrthancPeer,
  rmTempDir,
  startOrthanc,
  type TlsMaterial,
} from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association, TlsError, tlsConnector } from '../src/index.js';

describe('C-ECHO against Orthanc', () => {
  let tls: TlsMaterial;
  let plain: OrthancPeer;
  let secure: OrthancPeer;

  beforeAll(async () => {
    tls = await generateTlsMaterial();
    [plain, secure] = await Promise.all([
      startOrthanc({ aeTitle: 'ORTHANC' }),
      startOrthanc({
        aeTitle: 'ORTHANC',
        tls: { cert: tls.serverCert, key: tls.serverKey, trusted: tls.caCert, requireClientCert: true },
      }),
    ]);
  });

  afterAll(async () => {
    await plain?.stop();
    await secure?.stop();
    if (tls) await rmTempDir(tls.dir);
  });

  it('FR-DICOM-02.negotiation: our C-ECHO SCU → Orthanc (plain TCP)', async () => {
    const association = await Association.open({
      host: '127.0.0.1',
      port: plain.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
    });
    expect(association.negotiated.peerMaxPduLength).toBeGreaterThan(0);
    expect((await association.echo()).status).toBe(0);
    await association.release();
  });

  it('NFR-SEC-02: our C-ECHO SCU → Orthanc over mutual TLS', async () => {
    const association = await Association.open({
      host: 'localhost',
      port: secure.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
      connector: tlsConnector({ caFile: tls.caCert, certFile: tls.clientCert, keyFile: tls.clientKey }),
    });
    expect((await association.echo()).status).toBe(0);
    await association.release();
  });

  it('NFR-SEC-02: Orthanc requiring a client certificate refuses an anonymous TLS client, typed', async () => {
    const error = await Association.open({
      host: 'localhost',
      port: secure.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
      connector: tlsConnector({ caFile: tls.caCert }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).reason).toBe('certificate-required');
  });
});
