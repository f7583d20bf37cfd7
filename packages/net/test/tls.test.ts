import { HnvError } from '@hnvue/core';
import {
  generateTlsMaterial,
  type RunningPeer,
  rmTempDir,
  runEchoscu,
  startStorescp,
  type TlsMaterial,
} from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association, createServer, type DicomServer, TlsError, tlsConnector } from '../src/index.js';

describe('TLS (NFR-SEC-02)', () => {
  let tls: TlsMaterial;
  let storescp: RunningPeer;
  let server: DicomServer;
  let port: number;
  let untrustedServer: DicomServer;
  let untrustedPort: number;

  beforeAll(async () => {
    tls = await generateTlsMaterial();
    storescp = await startStorescp({
      aeTitle: 'STORESCP',
      tls: { key: tls.serverKey, cert: tls.serverCert, ca: tls.caCert, requirePeerCert: true },
    });
    server = createServer({
      aeTitles: ['HNVUE'],
      tls: {
        certFile: tls.serverCert,
        keyFile: tls.serverKey,
        caFile: tls.caCert,
        requireClientCertificate: true,
      },
    });
    port = await server.listen(0);
    untrustedServer = createServer({
      tls: { certFile: tls.untrustedServerCert, keyFile: tls.untrustedServerKey },
    });
    untrustedPort = await untrustedServer.listen(0);
  });

  afterAll(async () => {
    await storescp?.stop();
    await server?.close();
    await untrustedServer?.close();
    if (tls) await rmTempDir(tls.dir);
  });

  const mutual = () => tlsConnector({ caFile: tls.caCert, certFile: tls.clientCert, keyFile: tls.clientKey });

  it('NFR-SEC-02: our C-ECHO SCU → storescp over mutual TLS (PEM files)', async () => {
    const association = await Association.open({
      host: 'localhost',
      port: storescp.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORESCP',
      connector: mutual(),
    });
    expect((await association.echo()).status).toBe(0);
    await association.release();
  });

  it('NFR-SEC-02: TLS 1.2 and TLS 1.3 both work against storescp and against our SCP', async () => {
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      for (const target of [
        { port: storescp.port, calledAeTitle: 'STORESCP' },
        { port, calledAeTitle: 'HNVUE' },
      ]) {
        const association = await Association.open({
          host: 'localhost',
          ...target,
          callingAeTitle: 'HNVUE',
          connector: tlsConnector({
            caFile: tls.caCert,
            certFile: tls.clientCert,
            keyFile: tls.clientKey,
            minVersion: version,
            maxVersion: version,
          }),
        });
        expect((await association.echo()).status).toBe(0);
        await association.release();
      }
    }
  });

  it('NFR-SEC-02: client certificate from a PFX file works as well', async () => {
    const association = await Association.open({
      host: '127.0.0.1',
      port: storescp.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORESCP',
      connector: tlsConnector({
        caFile: tls.caCert,
        pfxFile: tls.clientPfx,
        passphrase: tls.clientPfxPassword,
      }),
    });
    expect((await association.echo()).status).toBe(0);
    await association.release();
  });

  it('NFR-SEC-02: DCMTK echoscu +tls → our SCP with mutual TLS', async () => {
    const result = await runEchoscu({
      port,
      calledAe: 'HNVUE',
      tls: { key: tls.clientKey, cert: tls.clientCert, ca: tls.caCert },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('NFR-SEC-02: our SCU ↔ our SCP over mutual TLS', async () => {
    const association = await Association.open({
      host: 'localhost',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'HNVUE',
      connector: mutual(),
    });
    expect((await association.echo()).status).toBe(0);
    await association.release();
  });

  it('NFR-SEC-02: a server certificate from an untrusted CA → TlsError untrusted-certificate', async () => {
    const error = await Association.open({
      host: 'localhost',
      port: untrustedPort,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ANY',
      connector: tlsConnector({ caFile: tls.caCert }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).code).toBe('HNV_ERR_TLS');
    expect((error as TlsError).reason).toBe('untrusted-certificate');
  });

  it('NFR-SEC-02: no client certificate against storescp --require-peer-cert → TlsError certificate-required', async () => {
    const error = await Association.open({
      host: 'localhost',
      port: storescp.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORESCP',
      connector: tlsConnector({ caFile: tls.caCert }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).reason).toBe('certificate-required');
  });

  it('NFR-SEC-02: no client certificate against our mutual-TLS SCP → TlsError, and the SCP reports it', async () => {
    const reported = new Promise<TlsError>((resolve) => server.once('tlsError', resolve));
    const error = await Association.open({
      host: 'localhost',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'HNVUE',
      connector: tlsConnector({ caFile: tls.caCert }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).reason).toBe('certificate-required');
    expect((await reported).reason).toBe('certificate-required');
  });

  it('NFR-SEC-02: a client certificate from an untrusted CA → storescp refuses it: TlsError bad-certificate', async () => {
    const error = await Association.open({
      host: 'localhost',
      port: storescp.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORESCP',
      connector: tlsConnector({
        caFile: tls.caCert,
        certFile: tls.untrustedClientCert,
        keyFile: tls.untrustedClientKey,
      }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).reason).toBe('bad-certificate');
  });

  it('NFR-SEC-02: a client certificate from an untrusted CA never gets an association from our SCP', async () => {
    // node:tls closes such a connection without an alert, so the client sees an A-P-ABORT.
    const error = await Association.open({
      host: 'localhost',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'HNVUE',
      connector: tlsConnector({
        caFile: tls.caCert,
        certFile: tls.untrustedClientCert,
        keyFile: tls.untrustedClientKey,
      }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HnvError);
    expect(['HNV_ERR_TLS', 'HNV_ERR_ASSOC_ABORTED']).toContain((error as HnvError).code);
    expect(server.associations).toHaveLength(0);
  });

  it('NFR-SEC-02: TLS 1.0 and 1.1 are refused by our SCP (1.2 minimum by default)', async () => {
    for (const version of ['TLSv1', 'TLSv1.1'] as const) {
      const error = await Association.open({
        host: 'localhost',
        port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'HNVUE',
        connector: tlsConnector({
          caFile: tls.caCert,
          certFile: tls.clientCert,
          keyFile: tls.clientKey,
          minVersion: version,
          maxVersion: version,
          // OpenSSL 3 refuses TLS < 1.2 at security level 1+; level 0 lets the client try.
          ciphers: 'DEFAULT@SECLEVEL=0',
        }),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TlsError);
      expect((error as TlsError).reason).toBe('protocol-version');
    }
  });
});
