import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { TlsError } from '../errors.js';
import { loadTlsCredentials, type TlsCredentials } from './index.js';
import {
  checkOwnCertificate,
  type Pkcs11KeyOptions,
  pkcs11SecureContext,
  redactPkcs11Uri,
} from './pkcs11.js';
import { findInStore, findTokenCertificate, type StoreKeyOptions, systemCaFile } from './store.js';

/**
 * Pluggable certificate sources (NFR-SEC-02): where our certificate and private key come from.
 * A source is resolved ONCE, at start-up: files are read, our certificate's validity is checked
 * (expired: TlsError('own-certificate-expired')), a token key is loaded (absent token, wrong PIN,
 * no such key: TlsError('key-not-found')). The result is plain {@link TlsCredentials} for
 * `tlsConnector` / `createServer({ tls })`, and metadata for diagnostics — never a PIN.
 */
export type CertificateSourceKind = 'pem' | 'pfx' | 'pkcs11' | 'store';

export interface CertificateTrustOptions {
  /** Trusted CAs (PEM files). Absent: Node's bundled roots, or the system store for `store`. */
  readonly caFile?: string | readonly string[];
}

export interface PemSource extends CertificateTrustOptions {
  readonly source: 'pem';
  /** Absent for a client without a certificate of its own. */
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly passphrase?: string;
}

export interface PfxSource extends CertificateTrustOptions {
  readonly source: 'pfx';
  readonly pfxFile: string;
  readonly passphrase?: string;
}

export interface Pkcs11Source extends CertificateTrustOptions {
  readonly source: 'pkcs11';
  /**
   * Our certificate (PEM) that matches the token key. Absent: the certificate object beside the
   * key in the token (same `id=`, or the `object=` label), read with OpenSC's pkcs11-tool.
   */
  readonly certFile?: string;
  readonly key: Pkcs11KeyOptions;
}

export interface StoreSource extends CertificateTrustOptions, StoreKeyOptions {
  readonly source: 'store';
}

export type CertificateSourceOptions = PemSource | PfxSource | Pkcs11Source | StoreSource;

/** What serves a certificate, for logs and `hnvue doctor`. No secret in it. */
export interface CertificateInfo {
  readonly source: CertificateSourceKind;
  /** Our certificate's subject; undefined when we present none (a PEM client without a certificate). */
  readonly subject?: string;
  readonly notAfter?: Date;
  /** SHA-1 thumbprint (hex), as certificate stores show it. */
  readonly thumbprint?: string;
  /** File path, PKCS#11 URI (PIN redacted) or store entry. */
  readonly keyLocation?: string;
  /** Where the trusted CAs come from. */
  readonly trust: 'files' | 'system' | 'node-bundled';
}

export interface ResolvedCertificate {
  readonly info: CertificateInfo;
  /** For `tlsConnector` / `tlsServerOptions` (add minVersion, ciphers…). */
  readonly credentials: TlsCredentials;
}

/** A source of our certificate; `resolve` does the start-up work once and is memoised. */
export interface CertificateSource {
  readonly kind: CertificateSourceKind;
  resolve(): ResolvedCertificate;
}

function describe(cert: Buffer | string): Pick<CertificateInfo, 'subject' | 'notAfter' | 'thumbprint'> {
  const x509 = new X509Certificate(cert);
  return {
    subject: x509.subject.replace(/\n/g, ', '),
    notAfter: new Date(x509.validTo),
    thumbprint: x509.fingerprint.replace(/:/g, '').toLowerCase(),
  };
}

function trustOf(options: CertificateSourceOptions): Pick<TlsCredentials, 'caFile'> & {
  trust: CertificateInfo['trust'];
} {
  if (options.caFile !== undefined) return { caFile: options.caFile, trust: 'files' };
  if (options.source !== 'store') return { trust: 'node-bundled' };
  const file = systemCaFile();
  if (file === undefined) {
    throw new TlsError('store-unavailable', 'no system trust store (CA bundle) was found', {
      details: { platform: process.platform },
      hint: 'set SSL_CERT_FILE or caPaths',
    });
  }
  return { caFile: file, trust: 'system' };
}

/** Does the start-up work of one source (see {@link CertificateSource}); throws typed TlsErrors. */
export function resolveCertificateSource(
  options: CertificateSourceOptions,
  now: Date = new Date(),
): ResolvedCertificate {
  const { trust, ...ca } = trustOf(options);
  switch (options.source) {
    case 'pem': {
      const credentials: TlsCredentials = {
        ...ca,
        ...(options.certFile !== undefined ? { certFile: options.certFile } : {}),
        ...(options.keyFile !== undefined ? { keyFile: options.keyFile } : {}),
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      };
      const loaded = loadTlsCredentials(credentials);
      if (loaded.cert === undefined) return { info: { source: 'pem', trust }, credentials };
      checkOwnCertificate(loaded.cert as Buffer, now);
      buildContext(loaded);
      return {
        info: {
          source: 'pem',
          trust,
          ...describe(loaded.cert as Buffer),
          keyLocation: options.keyFile ?? '',
        },
        credentials,
      };
    }
    case 'pfx': {
      const credentials: TlsCredentials = {
        ...ca,
        pfxFile: options.pfxFile,
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      };
      const context = buildContext(loadTlsCredentials(credentials));
      // The native context knows the certificate it took from the bundle.
      const der = (context.context as { getCertificate?: () => Buffer | null }).getCertificate?.();
      if (der) checkOwnCertificate(der, now);
      return {
        info: { source: 'pfx', trust, ...(der ? describe(der) : {}), keyLocation: options.pfxFile },
        credentials,
      };
    }
    case 'pkcs11': {
      const cert =
        options.certFile !== undefined
          ? { certFile: options.certFile }
          : { cert: findTokenCertificate(options.key).certPem };
      const credentials: TlsCredentials = { ...ca, ...cert, pkcs11Key: options.key };
      const loaded = loadTlsCredentials(credentials);
      if (loaded.cert !== undefined) checkOwnCertificate(loaded.cert as Buffer, now);
      pkcs11SecureContext(loaded, options.key);
      return {
        info: {
          source: 'pkcs11',
          trust,
          ...describe(loaded.cert as Buffer),
          keyLocation: redactPkcs11Uri(options.key.uri),
        },
        credentials,
      };
    }
    case 'store': {
      const entry = findInStore(options);
      checkOwnCertificate(entry.certPem, now);
      const credentials: TlsCredentials = { ...ca, cert: entry.certPem, pkcs11Key: entry.key };
      pkcs11SecureContext(loadTlsCredentials(credentials), entry.key);
      return {
        info: {
          source: 'store',
          trust,
          ...describe(entry.certPem),
          keyLocation: redactPkcs11Uri(entry.key.uri),
        },
        credentials,
      };
    }
  }
}

/** A bad passphrase, a key that does not match the certificate: 'credentials', at start-up. */
function buildContext(options: ReturnType<typeof loadTlsCredentials>) {
  try {
    return createSecureContext(options);
  } catch (err) {
    throw new TlsError('credentials', 'the TLS certificate and key could not be used', {
      cause: err,
      details: { opensslMessage: (err as Error).message },
      hint: 'check the passphrase and that the key belongs to the certificate',
    });
  }
}

/** A source that resolves on first use and then always answers the same. */
export function certificateSource(options: CertificateSourceOptions): CertificateSource {
  let resolved: ResolvedCertificate | undefined;
  return {
    kind: options.source,
    resolve: () => {
      resolved ??= resolveCertificateSource(options);
      return resolved;
    },
  };
}
