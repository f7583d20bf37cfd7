/**
 * The facade's certificate sources against real parts (NFR-SEC-02, issue 21): SoftHSM2 as the
 * token, a key generated inside it, its certificate signed by the test CA. The console starts with
 * `certificateSource: "pkcs11"` for the PACS, the commitment SCP and its own listener; Orthanc
 * requires our client certificate, and its storage commitment report comes back over its own TLS
 * association to our token-backed listener. The same key through the OS store (p11-kit, by
 * thumbprint). A locked (wrong PIN) or removed token, an expired certificate and a store entry
 * that does not exist fail `start()` with a typed TlsError, before any association.
 */
import { join } from 'node:path';
import { TlsError } from '@hnvue/net';
import {
  freePort,
  generateTlsMaterial,
  type OrthancPeer,
  rmTempDir,
  startOrthanc,
  type TlsMaterial,
} from '@hnvue/testing/peers';
import { createTokenKey, haveSoftHsm, type TokenKey } from '@hnvue/testing/softhsm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCertificates } from '../src/certificates.js';
import { connectorFor } from '../src/destinations.js';
import { type CommitmentInfo, createDicomServices, type DicomServiceConfig } from '../src/index.js';
import { dxImage, dxWorklistItem } from './support.js';

const RUN = haveSoftHsm() || process.env.HNVUE_REQUIRE_PEERS === '1';

const ITEM = dxWorklistItem({
  patientName: { alphabetic: 'Token^Key' },
  patientId: 'HSM-1',
  patientBirthDate: '19800101',
  accessionNumber: 'HSMACC1',
});

const IMAGE = dxImage(32, { fill: 700 });

describe.runIf(RUN)('certificate sources in the facade (NFR-SEC-02)', () => {
  let tls: TlsMaterial;
  let token: TokenKey;
  let orthanc: OrthancPeer;
  let listenerPort: number;

  /** What Orthanc holds under this UID (`Instance` once stored), through its REST lookup. */
  const orthancLookup = async (uid: string): Promise<string | undefined> => {
    const found = await fetch(`http://127.0.0.1:${orthanc.httpPort}/tools/lookup`, {
      method: 'POST',
      body: uid,
    }).then((r) => r.json() as Promise<{ Type: string }[]>);
    return found[0]?.Type;
  };

  beforeAll(async () => {
    if (!haveSoftHsm())
      throw new Error('HNVUE_REQUIRE_PEERS=1 but softhsm2, opensc or the engine is missing');
    tls = await generateTlsMaterial();
    token = createTokenKey({ dir: tls.dir, caCert: tls.caCert, caKey: tls.caKey });
    process.env.HNVUE_TEST_TOKEN_PIN = token.pin;
    process.env.HNVUE_TEST_WRONG_PIN = '000000';
    listenerPort = await freePort();
    orthanc = await startOrthanc({
      tls: { cert: tls.serverCert, key: tls.serverKey, trusted: tls.caCert, requireClientCert: true },
      config: {
        DicomModalities: {
          hnvue: {
            AET: 'HNVUE_HSM',
            Host: '127.0.0.1',
            Port: listenerPort,
            AllowStorageCommitment: true,
            UseDicomTls: true,
          },
        },
      },
    });
  });

  afterAll(async () => {
    await orthanc?.stop();
    if (tls) await rmTempDir(tls.dir);
  });

  const config = (
    certificate: DicomServiceConfig['tls'],
    name: string,
    listener = true,
  ): DicomServiceConfig => {
    const peer = { aeTitle: 'ORTHANC', host: '127.0.0.1', port: orthanc.port, tls: { enabled: true } };
    return {
      local: {
        aeTitle: 'HNVUE_HSM',
        port: listenerPort,
        tls: { enabled: listener, requireClientCertificate: true },
      },
      uid: { deviceSerial: '77' },
      pacs: peer,
      ...(listener ? { commitment: { ...peer, timeoutMs: 20_000 } } : {}),
      queue: { path: join(tls.dir, `${name}.sqlite`), initialIntervalMs: 500 },
      tls: certificate,
    };
  };
  const pkcs11 = (over: { uri?: string; pinEnv?: string; certPath?: string } = {}) => ({
    certificateSource: 'pkcs11' as const,
    certPath: over.certPath ?? token.certFile,
    caPaths: [tls.caCert],
    pkcs11: { uri: over.uri ?? token.uri, pinEnv: over.pinEnv ?? 'HNVUE_TEST_TOKEN_PIN' },
  });

  /** start() rejects with a TlsError of `reason`; nothing runs afterwards. */
  const startFails = async (certificate: DicomServiceConfig['tls'], reason: string, name: string) => {
    const services = createDicomServices({ config: config(certificate, name) });
    const error = await services.start().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(TlsError);
    expect(error).toMatchObject({ code: 'HNV_ERR_TLS', reason });
    expect(services.running).toBe(false);
    expect(JSON.stringify({ m: (error as Error).message, d: (error as TlsError).details })).not.toMatch(
      new RegExp(`${token.pin}|000000`),
    );
    await services.stop();
  };

  // First: PKCS#11 login state is per process; once the key has loaded, a wrong PIN goes unchecked.
  it('NFR-SEC-02: a locked token (wrong PIN) or a PIN missing from the environment: start() fails, typed, no PIN in it', async () => {
    await startFails(pkcs11({ pinEnv: 'HNVUE_TEST_WRONG_PIN' }), 'key-not-found', 'wrong-pin');
    await startFails(pkcs11({ pinEnv: 'HNVUE_TEST_NO_SUCH_PIN' }), 'key-not-found', 'no-pin');
  });

  it('NFR-SEC-02: a removed token, an expired certificate, a store entry nowhere: start() fails, typed', async () => {
    await startFails(
      pkcs11({ uri: 'pkcs11:token=unplugged;object=console;type=private' }),
      'key-not-found',
      'gone',
    );
    await startFails(pkcs11({ certPath: token.expiredCertFile }), 'own-certificate-expired', 'expired');
    await startFails(
      {
        certificateSource: 'store',
        storeId: 'ab'.repeat(20),
        caPaths: [tls.caCert],
        pkcs11: { pinFile: token.pinFile },
      },
      'key-not-found',
      'no-entry',
    );
    await startFails(
      { certificateSource: 'store', storeId: token.thumbprint, storeLocation: 'LocalMachine' },
      'store-unavailable',
      'windows',
    );
  });

  it('NFR-SEC-02, FR-DICOM-04/07: key in SoftHSM2 — DX stored to Orthanc over mutual TLS, committed over TLS to our token-backed listener', async () => {
    const services = createDicomServices({ config: config(pkcs11(), 'pkcs11') });
    await services.start();
    try {
      const committed = new Promise<CommitmentInfo>((resolve, reject) => {
        services.once('committed', resolve);
        services.once('commitmentFailed', () => reject(new Error('commitment failed')));
        services.once('commitmentTimedOut', () => reject(new Error('commitment timed out')));
      });
      const procedure = await services.startProcedure({ worklist: { item: ITEM } });
      const image = await services.storeImage(procedure.id, IMAGE);
      await services.completeProcedure(procedure.id);
      const result = await committed;
      expect(result.committed.map((r) => r.sopInstanceUid)).toContain(image.sopInstanceUid);
      expect(await orthancLookup(image.sopInstanceUid)).toBe('Instance');
    } finally {
      await services.stop({ graceMs: 0 });
    }
    // One connector per resolved certificate: shared until start() resolves the sources again.
    const pacsTls = services.config.pacs!.tls;
    const connector = connectorFor(pacsTls);
    expect(connectorFor(pacsTls)).toBe(connector);
    const uses = checkCertificates(services.config);
    expect(connectorFor(pacsTls)).not.toBe(connector);
    expect(uses.map((u) => u.use)).toEqual(['listener', 'pacs', 'commitment']);
    for (const { info } of uses) {
      expect(info).toMatchObject({ source: 'pkcs11', subject: 'CN=hnvue-console', keyLocation: token.uri });
    }
  });

  it('NFR-SEC-02: the same key through the OS store (p11-kit), by thumbprint — DX stored to Orthanc', async () => {
    const store = {
      certificateSource: 'store' as const,
      storeId: token.thumbprint,
      caPaths: [tls.caCert],
      pkcs11: { pinFile: token.pinFile },
    };
    const services = createDicomServices({ config: config(store, 'store', false) });
    await services.start();
    try {
      const delivered = new Promise<void>((resolve) => services.on('delivered', () => resolve()));
      const procedure = await services.startProcedure({
        worklist: { item: { ...ITEM, accessionNumber: 'HSMACC2' } },
      });
      const image = await services.storeImage(procedure.id, IMAGE);
      await delivered;
      expect(await orthancLookup(image.sopInstanceUid)).toBe('Instance');
    } finally {
      await services.stop({ graceMs: 0 });
    }
    expect(checkCertificates(services.config)[0]?.info).toMatchObject({
      source: 'store',
      thumbprint: token.thumbprint,
    });
  });
});
