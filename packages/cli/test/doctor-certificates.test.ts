/**
 * `hnvue doctor` names, per destination and for the listener, the certificate source that serves
 * it and when its certificate expires (NFR-SEC-02, issue 21): PEM files (ok, > 30 days), a key in
 * a SoftHSM2 token (WARN: its certificate lasts 2 days), the token with a wrong PIN (FAIL,
 * key-not-found) and an expired certificate (FAIL). The PIN is never printed.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateTlsMaterial, rmTempDir, type TlsMaterial } from '@hnvue/testing/peers';
import { createTokenKey, haveSoftHsm, type TokenKey } from '@hnvue/testing/softhsm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, main } from '../src/index.js';
import { selfSignedCertificate } from './helpers/certificates.js';
import { context } from './helpers/context.js';

const RUN = haveSoftHsm() || process.env.HNVUE_REQUIRE_PEERS === '1';

describe.runIf(RUN)('hnvue doctor: certificate sources (NFR-SEC-02)', () => {
  let tls: TlsMaterial;
  let token: TokenKey;

  beforeAll(async () => {
    tls = await generateTlsMaterial();
    token = createTokenKey({ dir: tls.dir, caCert: tls.caCert, caKey: tls.caKey });
    process.env.HNVUE_DOCTOR_PIN = token.pin;
    process.env.HNVUE_DOCTOR_WRONG_PIN = '999999';
  });

  afterAll(async () => {
    if (tls) await rmTempDir(tls.dir);
  });

  it('NFR-SEC-02: one line per destination and the listener: source, expiry in days, WARN under 30, FAIL expired or locked; no PIN', async () => {
    const { crt, key } = await selfSignedCertificate(tls.dir, 'long', 400, 'long-lived');
    const token11 = (pinEnv: string, certPath = token.certFile) => ({
      enabled: true,
      certificateSource: 'pkcs11',
      certPath,
      pkcs11: { uri: token.uri, pinEnv },
    });
    const file = join(tls.dir, 'console.json');
    await writeFile(
      file,
      JSON.stringify({
        local: { aeTitle: 'HNVUE', tls: { enabled: true } },
        uid: { deviceSerial: '7' },
        tls: { certPath: crt, keyPath: key },
        // Resolved in this order (listener, ris, mpps, pacs): the wrong PIN is tried before any login.
        ris: { aeTitle: 'RIS', host: '127.0.0.1', port: 104, tls: token11('HNVUE_DOCTOR_WRONG_PIN') },
        mpps: {
          aeTitle: 'MPPS',
          host: '127.0.0.1',
          port: 104,
          tls: token11('HNVUE_DOCTOR_PIN', token.expiredCertFile),
        },
        pacs: { aeTitle: 'PACS', host: '127.0.0.1', port: 104, tls: token11('HNVUE_DOCTOR_PIN') },
        queue: { path: join(tls.dir, 'queue') },
      }),
    );
    const ctx = context();
    expect(await main(['doctor', '-c', file, '--no-network'], ctx)).toBe(EXIT_CODES.partial);
    const out = ctx.stdout();
    expect(out).toMatch(
      /^ok {3}certificate listener: pem \(.*long\.key, CN=long-lived\): valid until \S+ \((399|400) days\)$/m,
    );
    expect(out).toMatch(/^FAIL certificate ris: pkcs11: HNV_ERR_TLS key-not-found: /m);
    expect(out).toMatch(/^FAIL certificate mpps: pkcs11: expired on 2020-01-02T00:00:00\.000Z$/m);
    expect(out).toMatch(
      new RegExp(
        `^WARN certificate pacs: pkcs11 \\(${token.uri.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, CN=hnvue-console\\): valid until \\S+ \\([01] days\\), renew within 30 days$`,
        'm',
      ),
    );
    expect(out).not.toContain(token.pin);
    expect(out).not.toContain('999999');
    const json = context();
    await main(['doctor', '-c', file, '--no-network', '--json'], json);
    const report = JSON.parse(json.stdout()) as { checks: { name: string; ok: boolean; warn?: boolean }[] };
    expect(report.checks.find((c) => c.name === 'certificate pacs')).toMatchObject({ ok: true, warn: true });
    expect(json.stdout()).not.toContain(token.pin);
  });
});
