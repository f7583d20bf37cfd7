/**
 * Our TLS certificates (NFR-SEC-02): the configured certificate source of each TLS destination
 * and of the listener, resolved ONCE — files read, our certificate's validity checked, a token key
 * loaded — so that an expired certificate, a missing key or a removed/locked token is a typed
 * TlsError from `start()` (or from the first connector built), not at the first association.
 * Resolutions are shared per source: every destination with the same certificate uses one result.
 */
import { createHash } from 'node:crypto';
import {
  type CertificateInfo,
  type CertificateSourceOptions,
  type ResolvedCertificate,
  resolveCertificateSource,
  type TlsCredentials,
  TlsError,
} from '@hnvue/net';
import { DESTINATION_NAMES, type DicomServiceOptions, type TlsCertificateOptions } from './config/index.js';

/** The @hnvue/net source options of a configured TLS block. The PIN is read here from pinEnv. */
export function sourceOptions(
  tls: TlsCertificateOptions,
  env: NodeJS.ProcessEnv = process.env,
): CertificateSourceOptions {
  const ca = tls.caPaths?.length ? { caFile: [...tls.caPaths] } : {};
  const passphrase = tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {};
  const token = tls.pkcs11 ?? {};
  const pin = (): { pin?: string; pinFile?: string } => {
    if (token.pinFile !== undefined) return { pinFile: token.pinFile };
    if (token.pinEnv === undefined) return {};
    const value = env[token.pinEnv];
    if (value === undefined || value === '') {
      throw new TlsError('key-not-found', 'the token PIN is not in the environment', {
        details: { pinEnv: token.pinEnv },
        hint: `set ${token.pinEnv} to the token's user PIN`,
      });
    }
    return { pin: value };
  };
  switch (tls.certificateSource) {
    case 'pem':
      return {
        source: 'pem',
        ...ca,
        ...passphrase,
        ...(tls.certPath !== undefined ? { certFile: tls.certPath } : {}),
        ...(tls.keyPath !== undefined ? { keyFile: tls.keyPath } : {}),
      };
    case 'pfx':
      return { source: 'pfx', ...ca, ...passphrase, pfxFile: tls.pfxPath ?? '' };
    case 'pkcs11':
      return {
        source: 'pkcs11',
        ...ca,
        ...(tls.certPath !== undefined ? { certFile: tls.certPath } : {}),
        key: {
          uri: token.uri ?? '',
          ...(token.modulePath !== undefined ? { modulePath: token.modulePath } : {}),
          ...(token.enginePath !== undefined ? { enginePath: token.enginePath } : {}),
          ...pin(),
        },
      };
    case 'store':
      return {
        source: 'store',
        ...ca,
        storeId: tls.storeId ?? '',
        ...(tls.storeLocation !== undefined ? { storeLocation: tls.storeLocation } : {}),
        ...(token.enginePath !== undefined ? { enginePath: token.enginePath } : {}),
        ...(tls.storeLocation === undefined ? pin() : {}),
      };
  }
}

// One resolution per distinct source: the same token key is loaded once, the same files read once.
const resolved = new Map<string, ResolvedCertificate>();

/** The fields of a TLS block that name its certificate source, in the order `certificateKey` lists them. */
const CERTIFICATE_SOURCE_FIELDS = [
  'certificateSource',
  'caPaths',
  'certPath',
  'keyPath',
  'pfxPath',
  'storeId',
  'storeLocation',
  'pkcs11',
] as const;

/** Identifies a TLS block's certificate source (not its version or verification settings); the passphrase only as a digest. */
export function certificateKey(tls: TlsCertificateOptions): string {
  const { passphrase } = tls;
  const digest = passphrase === undefined ? undefined : createHash('sha256').update(passphrase).digest('hex');
  return JSON.stringify([...CERTIFICATE_SOURCE_FIELDS.map((field) => tls[field]), digest]);
}

/**
 * The resolved certificate of a TLS block; resolved on first use, then shared. `fresh` drops an
 * earlier result (start() resolves again, so a certificate that expired meanwhile is caught).
 */
export function resolveCertificate(tls: TlsCertificateOptions, fresh = false): ResolvedCertificate {
  const key = certificateKey(tls);
  const known = fresh ? undefined : resolved.get(key);
  if (known !== undefined) return known;
  const result = resolveCertificateSource(sourceOptions(tls));
  resolved.set(key, result);
  return result;
}

/** TLS credentials of a block, for tlsConnector / createServer, from its shared resolution. */
export function credentialsFor(tls: TlsCertificateOptions): TlsCredentials {
  return resolveCertificate(tls).credentials;
}

/** One line of `hnvue doctor`: what serves a destination's (or the listener's) certificate. */
export interface CertificateUse {
  /** `pacs`, `storage.archive`, `storage.archive.commitment`, `listener`… */
  readonly use: string;
  readonly info: CertificateInfo;
}

/** Every TLS use in the configuration with its certificate source block. */
export function tlsUses(config: DicomServiceOptions): { use: string; tls: TlsCertificateOptions }[] {
  const uses: { use: string; tls: TlsCertificateOptions }[] = [];
  if (config.local.tls.enabled) uses.push({ use: 'listener', tls: config.tls });
  for (const name of DESTINATION_NAMES) {
    const d = config[name];
    if (d?.tls.enabled) uses.push({ use: name, tls: d.tls });
  }
  for (const [name, d] of Object.entries(config.storage ?? {})) {
    if (d.tls.enabled) uses.push({ use: `storage.${name}`, tls: d.tls });
    if (d.commitment?.tls.enabled) uses.push({ use: `storage.${name}.commitment`, tls: d.commitment.tls });
  }
  return uses;
}

/**
 * start()'s check: resolve every configured certificate source now, afresh. Throws the first
 * TlsError ('own-certificate-expired', 'key-not-found', 'store-unavailable', 'credentials').
 */
export function checkCertificates(config: DicomServiceOptions): CertificateUse[] {
  const seen = new Set<string>();
  return tlsUses(config).map(({ use, tls }) => {
    const key = certificateKey(tls);
    const info = resolveCertificate(tls, !seen.has(key)).info;
    seen.add(key);
    return { use, info };
  });
}

/** One use's certificate for diagnostics: what serves it, or the typed error resolving it gave. */
export type CertificateReportLine =
  | { readonly use: string; readonly ok: true; readonly info: CertificateInfo }
  | { readonly use: string; readonly ok: false; readonly source: string; readonly error: unknown };

/**
 * Every TLS use of the configuration with what serves its certificate (`hnvue doctor`). Each is
 * resolved afresh (a token key is loaded, so a locked token shows here); errors are per line.
 */
export function certificateReport(config: DicomServiceOptions): CertificateReportLine[] {
  const done = new Map<string, CertificateReportLine>();
  return tlsUses(config).map(({ use, tls }) => {
    const key = certificateKey(tls);
    const earlier = done.get(key);
    if (earlier !== undefined) return { ...earlier, use };
    let line: CertificateReportLine;
    try {
      line = { use, ok: true, info: resolveCertificate(tls, true).info };
    } catch (error) {
      line = { use, ok: false, source: tls.certificateSource, error };
    }
    done.set(key, line);
    return line;
  });
}
