/**
 * NFR-SEC-02 with the private key in a PKCS#11 token: SoftHSM2 as the token, a key generated
 * inside it (never extractable), its certificate signed by the test CA through OpenSSL's PKCS#11
 * engine. Mutual TLS to DCMTK storescp and to our own listener; a wrong PIN or a removed token is
 * a TlsError('key-not-found') when the connector is made (start-up), not at the first association.
 * Skipped when softhsm2/opensc/libengine-pkcs11-openssl are missing, unless HNVUE_REQUIRE_PEERS=1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateTlsMaterial,
  type RunningPeer,
  rmTempDir,
  startStorescp,
  type TlsMaterial,
} from '../../../testing/peers.js';
import {
  Association,
  checkOwnCertificate,
  createServer,
  type DicomServer,
  TlsError,
  tlsConnector,
} from '../src/index.js';
import { defaultPkcs11EnginePath } from '../src/tls/pkcs11.js';

const MODULE = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find(
  existsSync,
);
function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAVE =
  MODULE !== undefined &&
  existsSync(defaultPkcs11EnginePath()) &&
  onPath('softhsm2-util') &&
  onPath('pkcs11-tool');
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
    const dir = tls.dir;
    execFileSync('mkdir', ['-p', join(dir, 'tokens')]);
    const conf = join(dir, 'softhsm2.conf');
    writeFileSync(
      conf,
      `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
    );
    // SoftHSM reads its configuration from the environment; the engine runs in this process.
    process.env.SOFTHSM2_CONF = conf;
    const env = { ...process.env, PKCS11_MODULE_PATH: MODULE as string };
    const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: dir, env, stdio: 'pipe' });
    run('softhsm2-util', [
      '--init-token',
      '--free',
      '--label',
      'hnvue-test',
      '--so-pin',
      '13579',
      '--pin',
      PIN,
    ]);
    // Generated inside the token: CKA_SENSITIVE, never extractable.
    run('pkcs11-tool', [
      '--module',
      MODULE as string,
      '--token-label',
      'hnvue-test',
      '--login',
      '--pin',
      PIN,
      '--keypairgen',
      '--key-type',
      'EC:prime256v1',
      '--id',
      '01',
      '--label',
      'console',
    ]);
    const objects = run('pkcs11-tool', [
      '--module',
      MODULE as string,
      '--token-label',
      'hnvue-test',
      '--login',
      '--pin',
      PIN,
      '--list-objects',
    ]).toString();
    expect(objects).toMatch(/never extractable/);
    run('openssl', [
      'req',
      '-new',
      '-engine',
      'pkcs11',
      '-keyform',
      'engine',
      '-key',
      `${URI};pin-value=${PIN}`,
      '-subj',
      '/CN=hnvue-console',
      '-out',
      'token.csr',
    ]);
    writeFileSync(join(dir, 'token.ext'), 'extendedKeyUsage=clientAuth,serverAuth\n');
    run('openssl', [
      'x509',
      '-req',
      '-in',
      'token.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      'token.ext',
      '-out',
      'token.crt',
    ]);
    clientCert = join(dir, 'token.crt');
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

  it('NFR-SEC-02: mutual TLS with the client key in SoftHSM2, to storescp and to our listener', async () => {
    const connector = tlsConnector({ caFile: tls.caCert, certFile: clientCert, pkcs11Key: key() });
    expect(await echo({ port: storescp.port, calledAeTitle: 'STORESCP' }, connector)).toBe(0);
    // The same connector twice: the context (and the engine's session) is reused.
    expect(await echo({ port, calledAeTitle: 'HNVUE' }, connector)).toBe(0);
    expect(await echo({ port, calledAeTitle: 'HNVUE' }, connector)).toBe(0);
  });

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

  it('NFR-SEC-02: our own certificate past its end of validity is a typed start-up error', () => {
    const notAfter = checkOwnCertificate(execFileSync('cat', [clientCert]));
    expect(notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(() =>
      checkOwnCertificate(execFileSync('cat', [clientCert]), new Date(Date.now() + 5 * 86_400_000)),
    ).toThrow(expect.objectContaining({ reason: 'own-certificate-expired' }));
  });
});
