/**
 * NFR-SEC-02 with the private key in a PKCS#11 token: SoftHSM2 as the token, a key generated
 * inside it (never extractable), its certificate signed by the test CA through OpenSSL's PKCS#11
 * engine. Mutual TLS to DCMTK storescp and to our own listener; a wrong PIN or a removed token is
 * a TlsError('key-not-found') when the connector is made (start-up), not at the first association.
 * The same key found in the OS key store (p11-kit's proxy serves SoftHSM2) by label or thumbprint.
 * Skipped when softhsm2/opensc/libengine-pkcs11-openssl are missing, unless HNVUE_REQUIRE_PEERS=1.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateTlsMaterial,
  type RunningPeer,
  rmTempDir,
  startStorescp,
  type TlsMaterial,
} from '../../../testing/peers.js';
import { createTokenKey, haveSoftHsm, SOFTHSM_MODULE } from '../../../testing/softhsm.js';
import {
  Association,
  checkOwnCertificate,
  createServer,
  type DicomServer,
  resolveCertificateSource,
  TlsError,
  tlsConnector,
} from '../src/index.js';
import { defaultPkcs11EnginePath, pkcs11ContextOptions } from '../src/tls/pkcs11.js';

const HAVE = haveSoftHsm() && existsSync(defaultPkcs11EnginePath());
const RUN = HAVE || process.env.HNVUE_REQUIRE_PEERS === '1';
const PIN = '246810';
const URI = 'pkcs11:token=hnvue-test;object=console;type=private';

describe.runIf(RUN)('TLS with the key in a PKCS#11 token (NFR-SEC-02)', () => {
  let tls: TlsMaterial;
  let storescp: RunningPeer;
  let server: DicomServer;
  let port: number;
  let clientCert: string;
  // No modulePath: p11-kit's proxy loads SoftHSM (its Debian .module file) and, unlike the module
  // itself, accepts the second C_Initialize of a second engine instance in this process.
  const key = () => ({ uri: URI, pin: PIN });

  beforeAll(async () => {
    if (!HAVE)
      throw new Error('HNVUE_REQUIRE_PEERS=1 but softhsm2, opensc or libengine-pkcs11-openssl is missing');
    tls = await generateTlsMaterial();
    // The key is generated inside the token (testing/softhsm.ts): CKA_SENSITIVE, never extractable.
    const token = createTokenKey({ dir: tls.dir, caCert: tls.caCert, caKey: tls.caKey, pin: PIN });
    expect(token.uri).toBe(URI);
    const objects = execFileSync(
      'pkcs11-tool',
      [
        '--module',
        SOFTHSM_MODULE as string,
        '--token-label',
        token.tokenLabel,
        '--login',
        '--pin',
        PIN,
        '--list-objects',
      ],
      { stdio: 'pipe' },
    ).toString();
    expect(objects).toMatch(/never extractable/);
    clientCert = token.certFile;
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
  });

  afterAll(async () => {
    await storescp?.stop();
    await server?.close();
    if (tls) await rmTempDir(tls.dir);
  });

  const echo = async (
    target: { port: number; calledAeTitle: string },
    connector: ReturnType<typeof tlsConnector>,
  ) => {
    const association = await Association.open({
      host: 'localhost',
      ...target,
      callingAeTitle: 'HNVUE',
      connector,
    });
    const { status } = await association.echo();
    await association.release();
    return status;
  };

  // First: PKCS#11 login state is per process, so once a key has loaded the PIN is not checked again.
  it('NFR-SEC-02: a wrong PIN (locked token) is a typed key-not-found error at start-up, without the PIN', () => {
    let caught: unknown;
    try {
      tlsConnector({ caFile: tls.caCert, certFile: clientCert, pkcs11Key: { ...key(), pin: '000000' } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TlsError);
    expect((caught as TlsError).reason).toBe('key-not-found');
    expect((caught as TlsError).code).toBe('HNV_ERR_TLS');
    expect(JSON.stringify({ m: (caught as Error).message, d: (caught as TlsError).details })).not.toContain(
      '000000',
    );
  });

  it('NFR-SEC-02: mutual TLS with the client key in SoftHSM2, to storescp and to our listener', async () => {
    const connector = tlsConnector({ caFile: tls.caCert, certFile: clientCert, pkcs11Key: key() });
    expect(await echo({ port: storescp.port, calledAeTitle: 'STORESCP' }, connector)).toBe(0);
    // The same connector twice: the context (and the engine's session) is reused.
    expect(await echo({ port, calledAeTitle: 'HNVUE' }, connector)).toBe(0);
    expect(await echo({ port, calledAeTitle: 'HNVUE' }, connector)).toBe(0);
  });

  it('NFR-SEC-02: a removed token or a missing key is a typed key-not-found error at start-up', () => {
    for (const uri of [
      'pkcs11:token=not-plugged-in;object=console;type=private',
      'pkcs11:token=hnvue-test;object=nothing;type=private',
    ]) {
      expect(() =>
        tlsConnector({ caFile: tls.caCert, certFile: clientCert, pkcs11Key: { ...key(), uri } }),
      ).toThrow(expect.objectContaining({ reason: 'key-not-found' }));
    }
  });

  it('NFR-SEC-02: several token-backed contexts in one process: two connectors and a listener share one engine', async () => {
    const a = tlsConnector({ caFile: tls.caCert, certFile: clientCert, pkcs11Key: key() });
    const b = tlsConnector({ caFile: tls.caCert, certFile: clientCert, pkcs11Key: key() });
    // The listener's key in the token too (the same key: a console's one identity).
    const tokenServer = createServer({
      aeTitles: ['HNVUE'],
      tls: { certFile: clientCert, caFile: tls.caCert, pkcs11Key: key(), requireClientCertificate: true },
    });
    const tokenPort = await tokenServer.listen(0);
    try {
      for (const connector of [a, b, a]) {
        expect(await echo({ port: storescp.port, calledAeTitle: 'STORESCP' }, connector)).toBe(0);
        expect(await echo({ port: tokenPort, calledAeTitle: 'HNVUE' }, connector)).toBe(0);
      }
    } finally {
      await tokenServer.close();
    }
  });

  it('NFR-SEC-02: the PIN reaches the engine through a pin-source file, never in the key identifier', () => {
    const options = pkcs11ContextOptions({ uri: `${URI}?pin-value=${PIN}`, pin: PIN });
    expect(options.privateKeyEngine).toBe('pkcs11');
    expect(options.privateKeyIdentifier).toBe(URI);
    expect(pkcs11ContextOptions(key(), '/run/pin').privateKeyIdentifier).toBe(
      `${URI}?pin-source=file:/run/pin`,
    );
    // The engine is bound to p11-kit's proxy by now: another module in this process is refused, typed.
    expect(() => pkcs11ContextOptions({ ...key(), modulePath: SOFTHSM_MODULE as string })).toThrow(
      expect.objectContaining({ code: 'HNV_ERR_TLS', reason: 'credentials' }),
    );
  });

  it('NFR-SEC-02: the pkcs11 certificate source resolves once with its metadata, no PIN in it', () => {
    const resolved = resolveCertificateSource({
      source: 'pkcs11',
      caFile: tls.caCert,
      certFile: clientCert,
      key: key(),
    });
    expect(resolved.info).toMatchObject({ source: 'pkcs11', trust: 'files', subject: 'CN=hnvue-console' });
    expect(resolved.info.keyLocation).toBe(URI);
    expect(resolved.info.notAfter!.getTime()).toBeGreaterThan(Date.now());
    expect(JSON.stringify(resolved.info)).not.toContain(PIN);
  });

  it('NFR-SEC-02: a pkcs11 source without a certificate file takes the certificate beside the key in the token', async () => {
    const thumbprint = new X509Certificate(readFileSync(clientCert)).fingerprint
      .replace(/:/g, '')
      .toLowerCase();
    for (const uri of [URI, 'pkcs11:token=hnvue-test;id=%01;type=private']) {
      const resolved = resolveCertificateSource({
        source: 'pkcs11',
        caFile: tls.caCert,
        key: { ...key(), uri },
      });
      expect(resolved.info).toMatchObject({ source: 'pkcs11', subject: 'CN=hnvue-console', thumbprint });
      const connector = tlsConnector(resolved.credentials);
      expect(await echo({ port: storescp.port, calledAeTitle: 'STORESCP' }, connector)).toBe(0);
    }
    expect(() =>
      resolveCertificateSource({
        source: 'pkcs11',
        key: { ...key(), uri: 'pkcs11:token=hnvue-test;object=no-such-cert;type=private' },
      }),
    ).toThrow(expect.objectContaining({ reason: 'key-not-found' }));
  });

  it('NFR-SEC-02: the OS key store (p11-kit) finds our certificate and key by label and by thumbprint', async () => {
    const x509 = new X509Certificate(readFileSync(clientCert));
    const sha1 = x509.fingerprint;
    for (const storeId of ['console', sha1, x509.fingerprint256.toLowerCase()]) {
      const resolved = resolveCertificateSource({ source: 'store', storeId, pin: PIN, caFile: tls.caCert });
      expect(resolved.info).toMatchObject({ source: 'store', subject: 'CN=hnvue-console' });
      expect(resolved.info.thumbprint).toBe(sha1.replace(/:/g, '').toLowerCase());
      const connector = tlsConnector(resolved.credentials);
      expect(await echo({ port: storescp.port, calledAeTitle: 'STORESCP' }, connector)).toBe(0);
    }
    // Without caFile the store source trusts the system bundle, which does not hold our test CA.
    const system = resolveCertificateSource({ source: 'store', storeId: 'console', pin: PIN });
    expect(system.info.trust).toBe('system');
    await expect(
      echo({ port: storescp.port, calledAeTitle: 'STORESCP' }, tlsConnector(system.credentials)),
    ).rejects.toMatchObject({ reason: 'untrusted-certificate' });
  });

  it('NFR-SEC-02: a name or thumbprint in no token is key-not-found; the Windows store here is store-unavailable', () => {
    expect(() =>
      resolveCertificateSource({ source: 'store', storeId: 'ab'.repeat(20), pin: PIN, caFile: tls.caCert }),
    ).toThrow(expect.objectContaining({ reason: 'key-not-found', code: 'HNV_ERR_TLS' }));
    expect(() =>
      resolveCertificateSource({
        source: 'store',
        storeId: 'ab'.repeat(20),
        storeLocation: 'LocalMachine',
        caFile: tls.caCert,
      }),
    ).toThrow(expect.objectContaining({ reason: 'store-unavailable' }));
  });

  it('NFR-SEC-02: our own certificate past its end of validity is a typed start-up error', () => {
    const notAfter = checkOwnCertificate(execFileSync('cat', [clientCert]));
    expect(notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(() =>
      checkOwnCertificate(execFileSync('cat', [clientCert]), new Date(Date.now() + 5 * 86_400_000)),
    ).toThrow(expect.objectContaining({ reason: 'own-certificate-expired' }));
  });
});
