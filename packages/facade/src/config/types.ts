/**
 * The public shape of `DicomServiceOptions` (NFR-CFG-01): what `parseConfig` and `loadConfig`
 * return, with every default filled in and every derived value resolved (the TLS settings of a
 * destination already merged with the global `tls` block, the Implicit VR LE fallback already
 * appended or dropped). Explicit interfaces rather than `z.output<…>` because `isolatedDeclarations`
 * needs declaration files that do not depend on inference.
 */
import type { LogLevel } from '@hnvue/core';

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/**
 * Where our own certificate comes from (NFR-SEC-02): PEM files, a PFX file, a PKCS#11 token (the
 * key never leaves it), or the OS store (`storeId`: label or thumbprint; on Linux p11-kit's tokens).
 */
export type CertificateSource = 'pem' | 'pfx' | 'pkcs11' | 'store';

/** A PKCS#11 token key (`certificateSource: "pkcs11"`), or the PIN of the OS store's token (`"store"`). */
export interface Pkcs11TokenOptions {
  /** RFC 7512 URI of the private key, without `pin-value`: `pkcs11:token=console;object=tls-key`. */
  readonly uri?: string;
  /** The token's module (`libsofthsm2.so`, a vendor's .so); absent: p11-kit's proxy. */
  readonly modulePath?: string;
  /** OpenSSL's PKCS#11 engine; absent: Debian's `engines-3/pkcs11.so`. */
  readonly enginePath?: string;
  /** Name of the environment variable holding the user PIN. */
  readonly pinEnv?: string;
  /** A file holding the user PIN (read by the engine). */
  readonly pinFile?: string;
}

/** Which association a Storage Commitment N-EVENT-REPORT is expected on (PS3.4 J.3.3, FR-DICOM-07). */
export type CommitmentReportAssociation = 'same-association' | 'new-association' | 'either';

/** The named destinations, one per remote service the console talks to. */
export type DestinationName = 'ris' | 'mpps' | 'pacs' | 'commitment' | 'queryRetrieve' | 'printer';

export const DESTINATION_NAMES: readonly DestinationName[] = [
  'ris',
  'mpps',
  'pacs',
  'commitment',
  'queryRetrieve',
  'printer',
];

/** What a storage destination may receive, by SOP class (routing.ts `objectKindOf`). */
export type ObjectKind = 'images' | 'dose-reports' | 'presentation-states';

export const OBJECT_KINDS: readonly ObjectKind[] = ['images', 'dose-reports', 'presentation-states'];

/** Certificate material, shared by the global `tls` block and each destination's override. */
export interface TlsCertificateOptions {
  readonly certificateSource: CertificateSource;
  /** Trusted CA bundles (PEM). Absent: Node's built-in root store. */
  readonly caPaths?: readonly string[];
  readonly certPath?: string;
  readonly keyPath?: string;
  readonly pfxPath?: string;
  /** Key/PFX passphrase. Accepted from the environment or `overrides` only, never from the file. */
  readonly passphrase?: string;
  /** `store`: the certificate's label, or its SHA-1 / SHA-256 thumbprint (hex). */
  readonly storeId?: string;
  /** `store` on Windows (CryptoAPI); anywhere else a typed `store-unavailable` error at start(). */
  readonly storeLocation?: 'CurrentUser' | 'LocalMachine';
  readonly pkcs11?: Pkcs11TokenOptions;
  readonly minVersion: TlsVersion;
}

/** The global `tls` block: defaults for every destination and the listener. */
export type TlsOptions = TlsCertificateOptions;

/** A destination's effective TLS settings (global `tls` merged with the destination's own). */
export interface DestinationTlsOptions extends TlsCertificateOptions {
  readonly enabled: boolean;
  /** SNI and certificate host name check; defaults to the destination host in the TLS connector. */
  readonly servername?: string;
  /** Server certificate verification; on unless explicitly turned off (NFR-SEC-02). */
  readonly rejectUnauthorized: boolean;
}

export interface DestinationTimeouts {
  /** TCP (and TLS handshake) connection. */
  readonly connectMs: number;
  /** A-ASSOCIATE-AC/RJ and A-RELEASE-RP wait (the ARTIM timer, PS3.8 9.1.5). */
  readonly acseMs: number;
  /** Wait for the next DIMSE message of an operation in progress. */
  readonly dimseMs: number;
  /** No byte in either direction while an operation is in progress; a transfer making progress never trips it. */
  readonly idleMs: number;
}

/** PS3.7 D.3.3.3 Asynchronous Operations Window; 0 means unlimited. */
export interface AsyncOpsWindow {
  readonly maxInvoked: number;
  readonly maxPerformed: number;
}

/** P-DATA-TF shaping for peers that reject what the standard allows. */
export interface PdvOptions {
  /** At most this many PDVs in one P-DATA-TF; absent means no limit. */
  readonly maxPdvsPerPdu?: number;
  /** Never put a command and its dataset in the same P-DATA-TF. */
  readonly separateCommandAndDataPdus: boolean;
}

export interface DestinationOptions {
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
  readonly tls: DestinationTlsOptions;
  readonly timeouts: DestinationTimeouts;
  /** Proposed transfer syntaxes, in order of preference, exactly as they go on the wire. */
  readonly transferSyntaxes: readonly string[];
  /** When true, Implicit VR LE is never proposed; when false it is appended last if missing. */
  readonly dropImplicitFallback: boolean;
  /** Lossy transfer syntaxes may be proposed (and transcoded to). */
  readonly allowLossy: boolean;
  /** Maximum PDU length we receive (PS3.8 D.1); 0 means unlimited. */
  readonly maxPduLength: number;
  /** Proposed only when set: some peers reject associations that carry it (fo-dicom #1387). */
  readonly asyncOpsWindow?: AsyncOpsWindow;
  readonly pdv: PdvOptions;
}

export interface CommitmentDestinationOptions extends DestinationOptions {
  /** How long to wait for the N-EVENT-REPORT after the N-ACTION-RSP (FR-DICOM-07). */
  readonly timeoutMs: number;
  readonly reportOn: CommitmentReportAssociation;
  /** Asking again when no report came (PS3.4 J.3.3). */
  readonly reRequest: CommitmentReRequestOptions;
}

/**
 * A commitment without its report is requested again: a new N-ACTION with a new Transaction UID
 * for the same references (PS3.4 J.3.2, J.3.3); a late report of an earlier request still counts.
 */
export interface CommitmentReRequestOptions {
  /** N-ACTIONs per study in all, the first included (1: never again); the last one's timeout fails it. */
  readonly maxRequests: number;
  /** Request n waits `timeoutMs × backoffMultiplier^(n−1)` for its report. */
  readonly backoffMultiplier: number;
  /**
   * On start, ask again at once for the commitments an earlier run had requested: a report sent
   * while the console was down is not sent again by most SCPs (Orthanc does not).
   */
  readonly onRestart: boolean;
}

/**
 * What `print()` uses when its options leave it out (FR-DICOM-11): the site's usual film. Film
 * Session attributes of PS3.3 C.13.1, Film Box attributes of C.13.3, image box depth and matrix.
 */
export interface PrintDefaults {
  /** Image Display Format `STANDARD\c,r` (built-in default `STANDARD\1,1`). */
  readonly layout?: string;
  /** Number of Copies (built-in default 1). */
  readonly copies?: number;
  readonly priority?: 'HIGH' | 'MED' | 'LOW';
  /** Medium Type: `PAPER`, `CLEAR FILM`, `BLUE FILM`… */
  readonly mediumType?: string;
  /** Film Destination: `MAGAZINE`, `PROCESSOR`, `BIN_i`. */
  readonly filmDestination?: string;
  /** Film Session Label: goes to the printer, no patient data. */
  readonly label?: string;
  /** Film Size ID: `14INX17IN`, `8INX10IN`, `24CMX30CM`… */
  readonly filmSize?: string;
  readonly orientation?: 'PORTRAIT' | 'LANDSCAPE';
  /** Magnification Type: `REPLICATE`, `BILINEAR`, `CUBIC`, `NONE`. */
  readonly magnification?: string;
  readonly smoothing?: string;
  /** Border Density, also what fills an image box around its image (built-in default BLACK). */
  readonly border?: 'BLACK' | 'WHITE';
  /** Empty Image Density: `BLACK`, `WHITE` or hundredths of OD. */
  readonly emptyImageDensity?: string;
  /** Min / Max Density in hundredths of OD. */
  readonly minDensity?: number;
  readonly maxDensity?: number;
  readonly trim?: boolean;
  readonly configurationInformation?: string;
  /** Image box depth (built-in default 12). */
  readonly bitDepth?: 8 | 12;
  /** A printer refusing 12 bits: send 8 (`convert`, built-in) or fail the job (`error`). */
  readonly on12BitRefused?: 'error' | 'convert';
  /** The image box matrix in pixels (built-in default 1024 × 1024). */
  readonly imageBox?: { readonly rows: number; readonly columns: number };
}

/** The `printer` destination: a destination with the defaults of its films. */
export interface PrinterDestinationOptions extends DestinationOptions {
  readonly defaults?: PrintDefaults;
}

/**
 * A named storage destination beside `pacs` (the `storage` block): its own C-STORE client, queue
 * items, back-off, circuit breaker and, when it has one, storage commitment SCP.
 */
export interface StorageDestinationOptions extends DestinationOptions {
  /** Object kinds it gets (default all); `routing` may add kinds. */
  readonly receives: readonly ObjectKind[];
  /** Its storage commitment SCP; absent (`"none"` as written): a C-STORE accepted is final. */
  readonly commitment?: CommitmentDestinationOptions;
  /** A study is delivered only once this destination has it committed (or accepted). Default true. */
  readonly requiredForDelivered: boolean;
}

/** Routing rules: object kind → further storage destinations that get it (beside `receives`). */
export type RoutingOptions = { readonly [K in ObjectKind]?: readonly string[] };

export interface ListenerTimeouts {
  readonly acseMs: number;
  readonly dimseMs: number;
  readonly idleMs: number;
}

export interface LocalTlsOptions {
  /** The listener speaks TLS with the global `tls` certificate. */
  readonly enabled: boolean;
  /** Mutual TLS for inbound associations. */
  readonly requireClientCertificate: boolean;
}

/** Bounds on what reaches the listener before and during an association (floods, slowloris). */
export interface ListenerLimits {
  readonly maxPendingConnections?: number;
  readonly maxPendingPerAddress?: number;
  /** From TCP accept to a complete A-ASSOCIATE-RQ (slowloris). */
  readonly associationRequestTimeoutMs?: number;
  readonly maxAssociationsPerCallingAe?: number;
}

/** Our own AE: the calling AE of every association and the listener (C-MOVE target, commitment reports). */
export interface LocalAeOptions {
  readonly aeTitle: string;
  /** Defaults to 127.0.0.1: nothing listens on the network until a site configures it. */
  readonly bindAddress: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Concurrent inbound associations; bounds memory against connection floods. */
  readonly maxAssociations: number;
  /**
   * Calling AE titles that may associate (compared without leading/trailing spaces; others get
   * A-ASSOCIATE-RJ 1/1/3). Default: the configured commitment SCP and PACS AE titles, the only
   * peers that send us reports.
   */
  readonly acceptCallingAeTitles?: readonly string[];
  /** Accept any calling AE title (a PACS that reports under several AE titles). Default false. */
  readonly acceptAnyCallingAeTitle: boolean;
  /** Source addresses or CIDR subnets that may connect; any when omitted. */
  readonly allowedAddresses?: readonly string[];
  /** Connection limits of the listener; each defaults to @hnvue/net's DEFAULT_SERVER_LIMITS. */
  readonly limits: ListenerLimits;
  /** Reject calling AE titles that break the PS3.5 AE VR; off by default, real devices send odd ones. */
  readonly strictCallingAe: boolean;
  readonly maxPduLength: number;
  readonly timeouts: ListenerTimeouts;
  readonly tls: LocalTlsOptions;
}

/** PS3.7 D.3.3.2: our Implementation Class UID and Version Name. */
export interface ImplementationOptions {
  readonly classUid: string;
  readonly versionName: string;
}

/** FR-DICOM-02 association pool, per destination. */
export interface AssociationPoolOptions {
  readonly maxSize: number;
  readonly acquisitionTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly evictionIntervalMs: number;
}

/** NFR-REL-01: `nextRetryAt = lastAttemptAt + initialIntervalMs * backoffMultiplier ^ attemptCount`. */
export interface QueueOptions {
  /** SQLite database file. */
  readonly path: string;
  readonly initialIntervalMs: number;
  readonly backoffMultiplier: number;
  readonly maxAttempts: number;
}

/** FR-DICOM-01: `{orgRoot}.{deviceSerial}.{unixTimeMs}.{sequence}`. */
export interface UidOptions {
  /** Registered organisation root; absent means the `2.25.{uuid}` test root. */
  readonly orgRoot?: string;
  readonly deviceSerial: string;
}

export interface LoggingOptions {
  readonly level: LogLevel;
}

export interface DicomServiceOptions {
  readonly local: LocalAeOptions;
  readonly implementation: ImplementationOptions;
  readonly ris?: DestinationOptions;
  readonly mpps?: DestinationOptions;
  readonly pacs?: DestinationOptions;
  readonly commitment?: CommitmentDestinationOptions;
  readonly queryRetrieve?: DestinationOptions;
  readonly printer?: PrinterDestinationOptions;
  /** Named storage destinations beside `pacs` (which keeps the top-level `commitment`). */
  readonly storage?: Readonly<Record<string, StorageDestinationOptions>>;
  readonly routing?: RoutingOptions;
  readonly associationPool: AssociationPoolOptions;
  readonly queue: QueueOptions;
  readonly uid: UidOptions;
  readonly tls: TlsOptions;
  readonly logging: LoggingOptions;
}

/** `T` as a caller may write it: every member optional (the schema's defaults fill them in). */
export type ConfigInput<T> = T extends readonly (infer E)[]
  ? readonly ConfigInput<E>[]
  : T extends object
    ? { readonly [K in keyof T]?: ConfigInput<T[K]> }
    : T;

/** A destination as written: the AE title and host have no default, nor a window's two numbers. */
export type DestinationConfig<D extends DestinationOptions = DestinationOptions> = ConfigInput<
  Omit<D, 'asyncOpsWindow'>
> &
  Pick<D, 'aeTitle' | 'host'> & { readonly asyncOpsWindow?: AsyncOpsWindow };

/**
 * What a caller writes (NFR-CFG-01), as `createDicomServices`, `parseConfig` and a JSON file
 * accept it: the calling AE title, the device serial and each destination's AE title and host
 * are required, everything else has a default. `DicomServiceOptions` is the validated form.
 * (schema.ts checks at compile time that this type and the schema accept the same shapes.)
 */
/** A named storage destination as written: `commitment` a commitment block or `"none"`. */
export type StorageDestinationConfig = DestinationConfig<Omit<StorageDestinationOptions, 'commitment'>> & {
  readonly commitment?: DestinationConfig<CommitmentDestinationOptions> | 'none';
};

export interface DicomServiceConfig
  extends ConfigInput<Omit<DicomServiceOptions, 'local' | 'uid' | 'storage' | DestinationName>> {
  readonly local: ConfigInput<LocalAeOptions> & Pick<LocalAeOptions, 'aeTitle'>;
  readonly uid: UidOptions;
  readonly ris?: DestinationConfig;
  readonly mpps?: DestinationConfig;
  readonly pacs?: DestinationConfig;
  readonly commitment?: DestinationConfig<CommitmentDestinationOptions>;
  readonly queryRetrieve?: DestinationConfig;
  /** Its `defaults` as written: already all optional, an image box needs both numbers. */
  readonly printer?: DestinationConfig & { readonly defaults?: PrintDefaults };
  readonly storage?: Readonly<Record<string, StorageDestinationConfig>>;
}
