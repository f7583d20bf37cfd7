/**
 * Certificate sources from files (NFR-SEC-02): PEM and PFX resolve once with their metadata; an
 * own certificate past its end, a wrong passphrase, a key that does not match and an unknown OS
 * store are typed errors at resolution (start-up). The system trust store is the bundle file.
 */

import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { generateTlsMaterial, rmTempDir, type TlsMaterial } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateSource, resolveCertificateSource, systemCaFile, TlsError } from '../src/index.js';

let tls: TlsMaterial;
beforeAll(async () => {
  tls = await generateTlsMaterial();
});
afterAll(async () => {
  if (tls) await rmTempDir(tls.dir);
});

describe('certificate sources from files (NFR-SEC-02)', () => {
  it('NFR-SEC-02: pem and pfx resolve to credentials and metadata (subject, notAfter, thumbprint)', () => {
    const x509 = new X509Certificate(readFileSync(tls.clientCert));
    const thumbprint = x509.fingerprint.replace(/:/g, '').toLowerCase();
    const pem = resolveCertificateSource({
      source: 'pem',
      caFile: tls.caCert,
      certFile: tls.clientCert,
      keyFile: tls.clientKey,
    });
    expect(pem.info).toMatchObject({ source: 'pem', trust: 'files', keyLocation: tls.clientKey, thumbprint });
    expect(pem.info.notAfter?.toISOString()).toBe(new Date(x509.validTo).toISOString());
    expect(pem.credentials).toMatchObject({
      certFile: tls.clientCert,
      keyFile: tls.clientKey,
      caFile: tls.caCert,
    });
    const pfx = resolveCertificateSource({
      source: 'pfx',
      pfxFile: tls.clientPfx,
      passphrase: tls.clientPfxPassword,
    });
    expect(pfx.info).toMatchObject({
      source: 'pfx',
      trust: 'node-bundled',
      subject: pem.info.subject,
      thumbprint,
    });
    // A client without a certificate of its own.
    expect(resolveCertificateSource({ source: 'pem', caFile: tls.caCert }).info).toEqual({
      source: 'pem',
      trust: 'files',
    });
  });

  it('NFR-SEC-02: expired own certificate, wrong passphrase, mismatched key: typed errors at resolution', () => {
    const later = new Date(Date.now() + 10 * 86_400_000);
    expect(() =>
      resolveCertificateSource({ source: 'pem', certFile: tls.clientCert, keyFile: tls.clientKey }, later),
    ).toThrow(expect.objectContaining({ code: 'HNV_ERR_TLS', reason: 'own-certificate-expired' }));
    expect(() =>
      resolveCertificateSource({ source: 'pfx', pfxFile: tls.clientPfx, passphrase: 'not-it' }),
    ).toThrow(expect.objectContaining({ reason: 'credentials' }));
    expect(() =>
      resolveCertificateSource({ source: 'pem', certFile: tls.clientCert, keyFile: tls.serverKey }),
    ).toThrow(expect.objectContaining({ reason: 'credentials' }));
    expect(() =>
      resolveCertificateSource({ source: 'pem', certFile: '/nonexistent.crt', keyFile: tls.clientKey }),
    ).toThrow(TlsError);
  });

  it('NFR-SEC-02: a source resolves once; the Windows store elsewhere is store-unavailable', () => {
    const source = certificateSource({ source: 'pem', certFile: tls.clientCert, keyFile: tls.clientKey });
    expect(source.kind).toBe('pem');
    expect(source.resolve()).toBe(source.resolve());
    if (process.platform !== 'win32') {
      expect(() =>
        resolveCertificateSource({
          source: 'store',
          storeId: 'ab'.repeat(20),
          storeLocation: 'CurrentUser',
          caFile: tls.caCert,
        }),
      ).toThrow(expect.objectContaining({ reason: 'store-unavailable' }));
    }
  });

  it('NFR-SEC-02: the system trust store is SSL_CERT_FILE, else the distribution bundle', () => {
    expect(systemCaFile({ SSL_CERT_FILE: tls.caCert })).toBe(tls.caCert);
    const bundle = systemCaFile({});
    if (existsSync('/etc/ssl/certs/ca-certificates.crt'))
      expect(bundle).toBe('/etc/ssl/certs/ca-certificates.crt');
    if (bundle !== undefined) expect(readFileSync(bundle, 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
  });
});
