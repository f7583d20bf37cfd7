import { readFileSync } from 'node:fs';
import {
  type ConnectionOptions,
  type SecureContextOptions,
  type SecureVersion,
  type TlsOptions,
  connect as tlsConnect,
} from 'node:tls';
import type { Logger } from '@hnvue/core';
import type { Connector, DicomSocket } from '../connector.js';
import { ConnectError, TlsError, type TlsFailure } from '../errors.js';
import { type Pkcs11KeyOptions, pkcs11ContextOptions, pkcs11SecureContext } from './pkcs11.js';

/**
 * TLS for DICOM (PS3.15 B.1 "Basic TLS Secure Transport Connection Profile", NFR-SEC-02) on
 * node:tls: TLS 1.2 minimum by default, server certificate verification on by default, mutual TLS,
 * credentials from PEM or PKCS#12 (PFX) files or in-memory buffers. Failures become TlsError with a
 * `reason` that tells an untrusted server from a missing client certificate.
 */
export interface TlsCredentials {
  /** PEM certificate chain (ours): a path or the PEM text/bytes. */
  readonly certFile?: string;
  readonly cert?: string | Uint8Array;
  /** PEM private key. */
  readonly keyFile?: string;
  readonly key?: string | Uint8Array;
  /** PKCS#12 bundle with key and chain, instead of cert + key. */
  readonly pfxFile?: string;
  readonly pfx?: Uint8Array;
  /** The private key stays in a PKCS#11 token instead (see pkcs11.ts); the certificate comes from certFile/cert. */
  readonly pkcs11Key?: Pkcs11KeyOptions;
  /** Passphrase of the key or the PFX. */
  readonly passphrase?: string;
  /** Trusted CA certificates (PEM). Without them Node's bundled public roots are used. */
  readonly caFile?: string | readonly string[];
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Lowest protocol version; 'TLSv1.2' by default (NFR-SEC-02). */
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  /** OpenSSL cipher list; Node's defaults otherwise. */
  readonly ciphers?: string;
}

export interface TlsClientOptions extends TlsCredentials {
  /**
   * Verify the server's certificate chain and host name. On by default; turning it off is for
   * test benches only and is logged by callers as a warning.
   */
  readonly verifyServer?: boolean;
  /** SNI / host name checked against the certificate; defaults to the host connected to. */
  readonly servername?: string;
  /**
   * Where `verifyServer: false` is reported: one warning per destination (host:port), at the
   * first connection to it. Without a logger the warning goes to `process.emitWarning`.
   */
  readonly logger?: Pick<Logger, 'warn'>;
}

export interface TlsServerOptions extends TlsCredentials {
  /** Ask for and verify a client certificate (mutual TLS). Off by default. */
  readonly requireClientCertificate?: boolean;
}

function toBuffer(value: string | Uint8Array): Buffer {
  return typeof value === 'string'
    ? Buffer.from(value)
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TlsError('credentials', `cannot read TLS ${what} file`, {
      cause: err,
      details: { path },
      hint: 'check the path and permissions of the certificate/key file',
    });
  }
}

/** Resolves file paths into the buffers node:tls wants. Throws TlsError('credentials') on unreadable files. */
export function loadTlsCredentials(options: TlsCredentials): SecureContextOptions {
  const out: SecureContextOptions = {
    minVersion: options.minVersion ?? 'TLSv1.2',
  };
  if (options.maxVersion) out.maxVersion = options.maxVersion;
  if (options.ciphers) out.ciphers = options.ciphers;
  if (options.certFile) out.cert = read(options.certFile, 'certificate');
  else if (options.cert) out.cert = toBuffer(options.cert);
  if (options.keyFile) out.key = read(options.keyFile, 'key');
  else if (options.key) out.key = toBuffer(options.key);
  if (options.pfxFile) out.pfx = read(options.pfxFile, 'PFX');
  else if (options.pfx) out.pfx = toBuffer(options.pfx);
  if (options.passphrase !== undefined) out.passphrase = options.passphrase;
  if (options.caFile !== undefined) {
    const files = typeof options.caFile === 'string' ? [options.caFile] : options.caFile;
    out.ca = files.map((f) => read(f, 'CA'));
  } else if (options.ca !== undefined) {
    const list = Array.isArray(options.ca) ? options.ca : [options.ca];
    out.ca = (list as (string | Uint8Array)[]).map(toBuffer);
  }
  return out;
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);

/**
 * Classifies a node:tls / OpenSSL error. Returns undefined for errors that are not about TLS
 * (ECONNRESET, EPIPE…), so callers can keep them as connection errors.
 */
export function classifyTlsError(err: unknown): TlsFailure | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (UNTRUSTED.has(code)) return 'untrusted-certificate';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return 'hostname-mismatch';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'certificate-expired';
  if (
    code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' ||
    code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' ||
    // TLS 1.2 servers answer a missing client certificate with a generic handshake failure alert.
    code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'
  ) {
    return 'certificate-required';
  }
  if (
    code === 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' ||
    code === 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' ||
    code === 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN' ||
    code === 'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED' ||
    code === 'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE'
  ) {
    return 'bad-certificate';
  }
  if (
    code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' ||
    code === 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' ||
    code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' ||
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_UNKNOWN_PROTOCOL'
  ) {
    return 'protocol-version';
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_'))
    return 'handshake';
  return undefined;
}

const FAILURE_TEXT: Record<TlsFailure, string> = {
  'untrusted-certificate': 'the peer certificate is not signed by a trusted CA',
  'hostname-mismatch': 'the server certificate does not match the host name',
  'certificate-expired': 'the peer certificate is expired or not yet valid',
  'certificate-required': 'the peer requires a client certificate and none was accepted',
  'bad-certificate': 'the peer refused our certificate',
  'protocol-version': 'no TLS protocol version in common with the peer',
  credentials: 'the TLS credentials could not be loaded',
  'key-not-found': 'our private key could not be loaded from its token',
  'own-certificate-expired': 'our own certificate is expired or not yet valid',
  'store-unavailable': 'the OS certificate store is not available on this platform',
  handshake: 'the TLS handshake failed',
};

/**
 * OpenSSL's answer to bytes that are not a TLS record at all: the peer speaks plain DICOM (a TLS
 * client on a plain port), or, on our listener, a plain client sent an A-ASSOCIATE-RQ to a TLS
 * port. Without this they read "no TLS protocol version in common", which sends people looking
 * at versions instead of at the port.
 */
const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_RECORD_LENGTH_MISMATCH',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_RECORD_LAYER_FAILURE',
]);

/** True when a TLS failure means the peer did not speak TLS (see {@link NOT_TLS}). */
export function isNotTls(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NOT_TLS.has(code);
}

/** Wraps an error in TlsError when it is a TLS failure; returns undefined otherwise. */
export function toTlsError(err: unknown, where: string): TlsError | undefined {
  if (err instanceof TlsError) return err;
  const reason = classifyTlsError(err);
  if (reason === undefined) return undefined;
  const code = (err as { code?: string }).code;
  const text = isNotTls(err)
    ? 'the peer did not answer with TLS (a plain, non-TLS DICOM port or client?)'
    : FAILURE_TEXT[reason];
  return new TlsError(reason, `TLS with ${where} failed: ${text}`, {
    cause: err,
    details: { opensslCode: code },
  });
}

/**
 * A Connector for TLS clients. Credentials are read once, when the connector is made, so a missing
 * file fails at configuration time rather than on the first association.
 */
export function tlsConnector(options: TlsClientOptions = {}): Connector {
  const loaded = loadTlsCredentials(options);
  // A token key is loaded once, now: a missing key or locked token fails at start-up.
  const base: ConnectionOptions = options.pkcs11Key
    ? { secureContext: pkcs11SecureContext(loaded, options.pkcs11Key) }
    : loaded;
  const verify = options.verifyServer ?? true;
  const warned = new Set<string>();
  return (connect) =>
    new Promise<DicomSocket>((resolve, reject) => {
      const where = `${connect.host}:${connect.port}`;
      if (!verify && !warned.has(where)) {
        warned.add(where);
        const message = `TLS server verification is off for ${where}: its certificate and host name are not checked`;
        if (options.logger) options.logger.warn({ event: 'tls.verify-off', peer: where }, message);
        else process.emitWarning(message, { code: 'HNV_TLS_VERIFY_OFF' });
      }
      const tlsOptions: ConnectionOptions = {
        ...base,
        host: connect.host,
        port: connect.port,
        rejectUnauthorized: verify,
      };
      // An IP literal is not a valid SNI name (RFC 6066 3); node still checks it against the SAN.
      const servername = options.servername ?? (/^[\d.]+$|:/.test(connect.host) ? undefined : connect.host);
      if (servername) tlsOptions.servername = servername;
      const socket = tlsConnect(tlsOptions);
      socket.setNoDelay(true);
      const onAbort = () => {
        socket.destroy();
        reject(new ConnectError(`TLS connection to ${where} cancelled`));
      };
      if (connect.signal?.aborted) return onAbort();
      connect.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('secureConnect', () => {
        connect.signal?.removeEventListener('abort', onAbort);
        // Keep a listener until the upper layer attaches its own: an early 'error' must not crash.
        socket.removeAllListeners('error');
        socket.on('error', () => {});
        resolve(socket);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        connect.signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(
          toTlsError(err, where) ??
            new ConnectError(`cannot connect to ${where}: ${err.code ?? err.message}`, {
              cause: err,
              details: { host: connect.host, port: connect.port, errno: err.code },
            }),
        );
      });
    });
}

/** node:tls server options from our TLS server options (used by createServer({ tls })). */
export function tlsServerOptions(options: TlsServerOptions): TlsOptions {
  const loaded = loadTlsCredentials(options);
  // tls.Server builds its context from key options, not from `secureContext`: check the token now
  // (a typed start-up error), then let the server load the key through the engine itself.
  let base: TlsOptions = loaded;
  if (options.pkcs11Key) {
    pkcs11SecureContext(loaded, options.pkcs11Key);
    // The token is logged in now (PKCS#11 login state is per process) and the engine is shared:
    // the server's own context finds the key without the PIN.
    base = { ...loaded, ...pkcs11ContextOptions(options.pkcs11Key) };
  }
  const mutual = options.requireClientCertificate ?? false;
  return { ...base, requestCert: mutual, rejectUnauthorized: mutual };
}
