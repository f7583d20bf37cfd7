import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { TlsError } from '../errors.js';

/**
 * A private key that stays in a PKCS#11 token (HSM, TPM-backed token, smart card; NFR-SEC-02).
 * node:tls signs through OpenSSL's PKCS#11 engine (libp11, Debian `libengine-pkcs11-openssl`) with
 * `privateKeyEngine`/`privateKeyIdentifier`; the key never enters this process. Why the engine and
 * not a JS binding: node:tls has no signing callback, so a binding (pkcs11js) could find the key but
 * could not make TLS use it. Node 20's bundled OpenSSL 3.0 still loads engines.
 */
export interface Pkcs11KeyOptions {
  /** RFC 7512 URI of the private key, e.g. `pkcs11:token=hnvue;object=console`. */
  readonly uri: string;
  /** The token's PKCS#11 module (`libsofthsm2.so`, a vendor's .so). Default: p11-kit's proxy. */
  readonly modulePath?: string;
  /** User PIN. Never logged; appended to the URI only inside this process. */
  readonly pin?: string;
  /** The engine's shared object; default: Debian's multiarch `engines-3/pkcs11.so`. */
  readonly enginePath?: string;
}

const MULTIARCH: Partial<Record<string, string>> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
};

/** Where Debian/Ubuntu install libp11's engine. Node's static OpenSSL does not search there by id. */
export function defaultPkcs11EnginePath(): string {
  const arch = MULTIARCH[process.arch] ?? `${process.arch}-linux-gnu`;
  return `/usr/lib/${arch}/engines-3/pkcs11.so`;
}

/** The URI without `pin-value`, for messages and details. */
export function redactPkcs11Uri(uri: string): string {
  return uri.replace(/([;?&])pin-value=[^;?&]*/g, '$1pin-value=***');
}

function withPin(uri: string, pin: string | undefined): string {
  if (pin === undefined || /[;?]pin-value=/.test(uri)) return uri;
  // RFC 7512: pin-value is a query attribute.
  return `${uri}${uri.includes('?') ? '&' : '?'}pin-value=${encodeURIComponent(pin)}`;
}

// Known limit (issue 21): a second engine instance in the same process fails to load after the
// first has a key in use (seen with SoftHSM2: "engine init failed" / "dso not found"). Build one
// connector per token key and reuse it.
/** The node:tls options that make OpenSSL load the key through the engine. */
export function pkcs11ContextOptions(
  key: Pkcs11KeyOptions,
): Pick<SecureContextOptions, 'privateKeyEngine' | 'privateKeyIdentifier'> {
  const engine = key.enginePath ?? defaultPkcs11EnginePath();
  if (!existsSync(engine)) {
    throw new TlsError('key-not-found', 'the PKCS#11 engine for OpenSSL is not installed', {
      details: { enginePath: engine },
      hint: 'install libengine-pkcs11-openssl (Debian) or set enginePath',
    });
  }
  // libp11 reads the module from the environment when the engine binds (eng_front.c).
  if (key.modulePath !== undefined) process.env.PKCS11_MODULE_PATH = key.modulePath;
  return { privateKeyEngine: engine, privateKeyIdentifier: withPin(key.uri, key.pin) };
}

/**
 * Our own certificate must be valid now: an expired or not-yet-valid one is a start-up error, not
 * a handshake failure at the first association. Returns the end of validity.
 */
export function checkOwnCertificate(cert: Buffer | string, now: Date = new Date()): Date {
  const x509 = new X509Certificate(cert);
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (now < notBefore || now > notAfter) {
    throw new TlsError('own-certificate-expired', 'our TLS certificate is expired or not yet valid', {
      details: {
        subject: x509.subject,
        notBefore: notBefore.toISOString(),
        notAfter: notAfter.toISOString(),
      },
      hint: 'renew the console certificate',
    });
  }
  return notAfter;
}

/**
 * Builds the secure context once, at start-up: the engine loads the key now, so a removed token, a
 * locked or wrong PIN, or a missing key is a TlsError('key-not-found') here and not on the first
 * association. The same context serves every later connection (no engine reload per association).
 */
export function pkcs11SecureContext(options: SecureContextOptions, key: Pkcs11KeyOptions): SecureContext {
  if (options.cert === undefined) {
    throw new TlsError('credentials', 'a PKCS#11 key needs its certificate (certFile or cert)', {
      hint: 'export the certificate that matches the token key to a PEM file',
    });
  }
  checkOwnCertificate(options.cert as Buffer);
  try {
    return createSecureContext({ ...options, ...pkcs11ContextOptions(key) });
  } catch (err) {
    if (err instanceof TlsError) throw err;
    throw new TlsError('key-not-found', 'the private key could not be loaded from the PKCS#11 token', {
      // The OpenSSL text names the failing routine; it contains no PIN (the URI is not echoed).
      cause: err,
      details: { uri: redactPkcs11Uri(key.uri), opensslMessage: (err as Error).message },
      hint: 'check that the token is present, the PIN is right and not locked, and the URI names the key',
    });
  }
}
