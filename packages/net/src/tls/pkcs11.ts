import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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
  /**
   * User PIN. Never logged and never put in the URI: libp11 prints the URI of a key it cannot find
   * to stderr, so the PIN reaches the engine through an RFC 7512 `pin-source` file (mode 0600,
   * removed as soon as the key is loaded).
   */
  readonly pin?: string;
  /** A file holding the user PIN (`pin-source=file:…`), instead of `pin`. */
  readonly pinFile?: string;
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

// A PIN in the URI (`pin-value=`) would be printed by libp11 when the key is not found.
function stripPinValue(uri: string): string {
  return uri.replace(/[;?&]pin-value=[^;?&]*/g, '');
}

function withPinSource(uri: string, file: string): string {
  return `${uri}${uri.includes('?') ? '&' : '?'}pin-source=file:${file}`;
}

/**
 * One engine per process. Node's `privateKeyEngine` given as a path loads the .so through
 * OpenSSL's "dynamic" engine as a NEW engine instance each time, and a second instance fails
 * ENGINE_init ("engine routines::init failed") once the first holds a key — measured with SoftHSM2
 * loaded directly and through p11-kit's proxy alike (two secure contexts, or a TLS client and a
 * TLS server, both token-backed). Given as an id (`pkcs11`) with OPENSSL_ENGINES pointing at its
 * folder, OpenSSL's ENGINE_by_id loads it once, adds it to its engine list, and every later
 * context shares it: the same module session, one login.
 */
let boundModule: string | undefined;
let boundEngine: string | undefined;

function engineId(enginePath: string): string {
  const id = basename(enginePath).replace(/^lib/, '').replace(/\.so$/, '');
  if (boundEngine !== undefined && boundEngine !== enginePath) {
    throw new TlsError('credentials', 'only one PKCS#11 engine can serve this process', {
      details: { enginePath, inUse: boundEngine },
      hint: 'use the same enginePath for every token key',
    });
  }
  process.env.OPENSSL_ENGINES = dirname(enginePath);
  boundEngine = enginePath;
  return id;
}

/** libp11 reads the module from the environment once, when the engine binds (eng_front.c). */
function bindModule(modulePath: string | undefined): void {
  // Without modulePath: whatever PKCS11_MODULE_PATH says (libp11 honours it), else p11-kit's proxy.
  const wanted = modulePath ?? process.env.PKCS11_MODULE_PATH ?? '';
  if (boundModule !== undefined && boundModule !== wanted) {
    throw new TlsError('credentials', 'the PKCS#11 engine is already bound to another module', {
      details: { modulePath: modulePath ?? 'p11-kit-proxy', inUse: boundModule || 'p11-kit-proxy' },
      hint: "give every token key the same modulePath (or none: p11-kit's proxy serves every registered module)",
    });
  }
  if (modulePath !== undefined) process.env.PKCS11_MODULE_PATH = modulePath;
  boundModule = wanted;
}

/**
 * The node:tls options that make OpenSSL load the key through the (shared) engine. The
 * identifier carries no PIN: `pinSource` names the file the engine reads it from, if any.
 */
export function pkcs11ContextOptions(
  key: Pkcs11KeyOptions,
  pinSource?: string,
): Pick<SecureContextOptions, 'privateKeyEngine' | 'privateKeyIdentifier'> {
  const engine = key.enginePath ?? defaultPkcs11EnginePath();
  if (!existsSync(engine)) {
    throw new TlsError('key-not-found', 'the PKCS#11 engine for OpenSSL is not installed', {
      details: { enginePath: engine },
      hint: 'install libengine-pkcs11-openssl (Debian) or set enginePath',
    });
  }
  const id = engineId(engine);
  bindModule(key.modulePath);
  const uri = stripPinValue(key.uri);
  return { privateKeyEngine: id, privateKeyIdentifier: pinSource ? withPinSource(uri, pinSource) : uri };
}

/** Runs `load` with the PIN in a private file the engine can read; the file is gone afterwards. */
function withPinFile<T>(key: Pkcs11KeyOptions, load: (pinSource: string) => T): T {
  if (key.pinFile !== undefined) return load(key.pinFile);
  const pinValue = key.pin ?? /[;?&]pin-value=([^;?&]*)/.exec(key.uri)?.[1];
  if (pinValue === undefined) {
    // Without a PIN libp11 asks on the terminal: a service would hang.
    throw new TlsError('credentials', 'a PKCS#11 key needs its PIN (pin or pinFile)', {
      details: { uri: redactPkcs11Uri(key.uri) },
      hint: 'give the token PIN through the environment or a PIN file',
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'hnvue-pin-'));
  const file = join(dir, 'pin');
  try {
    const pin = key.pin ?? decodeURIComponent(pinValue);
    writeFileSync(file, pin, { mode: 0o600 });
    return load(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
 * PKCS#11 login state belongs to the process: once a key of a token has loaded, later loads from
 * that token in this process do not check the PIN again (a wrong PIN then goes unnoticed).
 */
export function pkcs11SecureContext(options: SecureContextOptions, key: Pkcs11KeyOptions): SecureContext {
  if (options.cert === undefined) {
    throw new TlsError('credentials', 'a PKCS#11 key needs its certificate (certFile or cert)', {
      hint: 'export the certificate that matches the token key to a PEM file',
    });
  }
  checkOwnCertificate(options.cert as Buffer);
  try {
    return withPinFile(key, (pinSource) =>
      createSecureContext({ ...options, ...pkcs11ContextOptions(key, pinSource) }),
    );
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
