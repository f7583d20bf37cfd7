/**
 * The zod schema of `DicomServiceOptions` (NFR-CFG-01). Every message is written as
 * `expected …` so that `issues.ts` can print `path: expected …, got <value>`. The schema has no
 * transforms (so `z.toJSONSchema` can describe it); derived values (TLS merged with the global
 * block, the Implicit VR LE fallback) are computed after validation by `resolve`.
 */
import { isLossyTransferSyntax, transferSyntax } from '@hnvue/dicom';
import { MAX_UID_PREFIX_LENGTH } from '@hnvue/uid';
// zod/mini, imported as a namespace: a bundler keeps only the schema types in use, and a mini
// schema does not carry classic's methods on every instance, which made building this schema and
// its first parse most of a CLI command's start-up (docs/benchmarks.md, "CLI start-up").
import * as z from 'zod/mini';
import {
  DEFAULT_IMPLEMENTATION_CLASS_UID,
  DEFAULT_IMPLEMENTATION_VERSION_NAME,
  DEFAULT_STORAGE_TRANSFER_SYNTAXES,
  DEFAULT_TRANSFER_SYNTAXES,
  DEFAULTS,
  TRANSFER_SYNTAX,
} from './defaults.js';
import {
  aeTitle,
  flag,
  host,
  intIn,
  ipAddress,
  ms,
  oneOf,
  paths,
  pduLength,
  subnet,
  text,
  tlsVersion,
  UID_SYNTAX,
  uid,
} from './primitives.js';
import { printDefaultsSchema } from './print-defaults.js';
import { type StorageRuleInput, storageProblems } from './storage-rules.js';
import {
  DESTINATION_NAMES,
  type DestinationTlsOptions,
  type DicomServiceConfig,
  type DicomServiceOptions,
  OBJECT_KINDS,
  type ObjectKind,
} from './types.js';

const certificateFields = {
  caPaths: z.optional(paths()),
  certPath: z.optional(text('file path')),
  keyPath: z.optional(text('file path')),
  pfxPath: z.optional(text('file path')),
  passphrase: z.optional(z.string({ error: 'expected string' })),
  storeId: z.optional(text('certificate label or thumbprint')),
  // Windows CryptoAPI store; elsewhere a typed store-unavailable error at start().
  storeLocation: z.optional(oneOf(['CurrentUser', 'LocalMachine'])),
  pkcs11: z.optional(
    z.strictObject({
      uri: z.optional(
        text('PKCS#11 URI (RFC 7512)').check(
          z.regex(/^pkcs11:/, { error: 'expected PKCS#11 URI (RFC 7512), starting with "pkcs11:"' }),
          // NFR-SEC-02: the PIN is never in the file.
          z.refine((v: string) => !/[;?&]pin-value=/.test(v), {
            error: 'expected PKCS#11 URI without pin-value (give the PIN through pinEnv or pinFile)',
          }),
        ),
      ),
      modulePath: z.optional(text('file path')),
      enginePath: z.optional(text('file path')),
      pinEnv: z.optional(text('environment variable name')),
      pinFile: z.optional(text('file path')),
    }),
  ),
};
const CERTIFICATE_SOURCES = ['pem', 'pfx', 'pkcs11', 'store'] as const;

const globalTlsFields = z.strictObject({
  certificateSource: z._default(oneOf(CERTIFICATE_SOURCES), DEFAULTS.tls.certificateSource),
  ...certificateFields,
  minVersion: z._default(tlsVersion(), DEFAULTS.tls.minVersion),
});
const globalTls = z.prefault(globalTlsFields, {});

const destinationTls = z.prefault(
  z.strictObject({
    enabled: z._default(flag(), DEFAULTS.destination.tls.enabled),
    servername: z.optional(host()),
    rejectUnauthorized: z._default(flag(), DEFAULTS.destination.tls.rejectUnauthorized),
    // Absent fields fall back to the global `tls` block.
    certificateSource: z.optional(oneOf(CERTIFICATE_SOURCES)),
    ...certificateFields,
    minVersion: z.optional(tlsVersion()),
  }),
  {},
);

type ParsedDestinationTls = z.output<typeof destinationTls>;

const transferSyntaxList = (defaults: readonly string[]) =>
  z._default(
    z
      .array(uid(), { error: 'expected list of transfer syntax UIDs' })
      .check(z.minLength(1, { error: 'expected at least one transfer syntax UID' }))
      .check(
        z.refine((list) => new Set(list).size === list.length, {
          error: 'expected transfer syntax UIDs without duplicates',
        }),
      ),
    () => [...defaults],
  );

function destination(transferSyntaxDefaults: readonly string[]) {
  const d = DEFAULTS.destination;
  return {
    aeTitle: aeTitle(),
    host: host(),
    port: z._default(intIn(1, 65535), d.port),
    tls: destinationTls,
    timeouts: z.prefault(
      z.strictObject({
        connectMs: z._default(ms(), d.timeouts.connectMs),
        acseMs: z._default(ms(), d.timeouts.acseMs),
        dimseMs: z._default(ms(), d.timeouts.dimseMs),
        idleMs: z._default(ms(), d.timeouts.idleMs),
      }),
      {},
    ),
    transferSyntaxes: transferSyntaxList(transferSyntaxDefaults),
    dropImplicitFallback: z._default(flag(), d.dropImplicitFallback),
    allowLossy: z._default(flag(), d.allowLossy),
    maxPduLength: z._default(pduLength(), d.maxPduLength),
    asyncOpsWindow: z.optional(
      z.strictObject({
        maxInvoked: intIn(0, 65535),
        maxPerformed: intIn(0, 65535),
      }),
    ),
    pdv: z.prefault(
      z.strictObject({
        maxPdvsPerPdu: z.optional(intIn(1, 65535)),
        separateCommandAndDataPdus: z._default(flag(), d.pdv.separateCommandAndDataPdus),
      }),
      {},
    ),
  };
}

/** Cross-field rules of one destination: lossy syntaxes and what the fallback rule leaves behind. */
function checkDestination(
  value: { transferSyntaxes: string[]; allowLossy: boolean; dropImplicitFallback: boolean },
  ctx: z.core.$RefinementCtx,
): void {
  value.transferSyntaxes.forEach((ts, i) => {
    // The registry's meaning of lossy (PS3.5 8.2), the one native's transcoder applies too: a UID
    // PS3.6 does not define may be lossy, so it needs allowLossy as well.
    // A string that is no UID has its own issue already.
    if (!value.allowLossy && UID_SYNTAX.test(ts) && isLossyTransferSyntax(ts)) {
      ctx.addIssue({
        code: 'custom',
        path: ['transferSyntaxes', i],
        message:
          transferSyntax(ts) === undefined
            ? 'expected a transfer syntax of PS3.6 (an unknown one may be lossy: set allowLossy: true to propose it)'
            : 'expected a lossless transfer syntax (set allowLossy: true to propose lossy ones)',
        input: ts,
      });
    }
  });
  if (
    value.dropImplicitFallback &&
    value.transferSyntaxes.every((ts) => ts === TRANSFER_SYNTAX.implicitVrLittleEndian)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['transferSyntaxes'],
      message: 'expected a transfer syntax other than Implicit VR LE when dropImplicitFallback is true',
      input: value.transferSyntaxes,
    });
  }
}

const destinationSchema = z
  .strictObject(destination(DEFAULT_TRANSFER_SYNTAXES))
  .check(z.superRefine(checkDestination));
const storageDestinationSchema = z
  .strictObject(destination(DEFAULT_STORAGE_TRANSFER_SYNTAXES))
  .check(z.superRefine(checkDestination));
const commitmentDestinationSchema = z
  .strictObject({
    ...destination(DEFAULT_TRANSFER_SYNTAXES),
    timeoutMs: z._default(ms(), DEFAULTS.commitment.timeoutMs),
    reportOn: z._default(
      oneOf(['same-association', 'new-association', 'either']),
      DEFAULTS.commitment.reportOn,
    ),
    reRequest: z.prefault(
      z.strictObject({
        maxRequests: z._default(intIn(1, 100), DEFAULTS.commitment.reRequest.maxRequests),
        backoffMultiplier: z._default(
          z
            .number({ error: 'expected number 1-10' })
            .check(z.gte(1, { error: 'expected number 1-10' }))
            .check(z.lte(10, { error: 'expected number 1-10' })),
          DEFAULTS.commitment.reRequest.backoffMultiplier,
        ),
        onRestart: z._default(flag(), DEFAULTS.commitment.reRequest.onRestart),
      }),
      {},
    ),
  })
  .check(z.superRefine(checkDestination));

// Named storage destinations beside `pacs` (issue 21): a storage destination, what it receives,
// its own storage commitment SCP (or 'none') and whether "delivered" waits for it.
const objectKinds = () =>
  z
    .array(oneOf(OBJECT_KINDS as readonly ObjectKind[] as [ObjectKind, ...ObjectKind[]]), {
      error: `expected list of object kinds (${OBJECT_KINDS.join(', ')})`,
    })
    .check(
      z.refine((list) => new Set(list).size === list.length, {
        error: 'expected object kinds without duplicates',
      }),
    );
const namedStorageSchema = z
  .strictObject({
    ...destination(DEFAULT_STORAGE_TRANSFER_SYNTAXES),
    receives: z._default(objectKinds(), () => [...OBJECT_KINDS]),
    commitment: z._default(
      z.union([z.literal('none'), commitmentDestinationSchema], {
        error: 'expected "none" or a commitment SCP block { aeTitle, host, port }',
      }),
      'none',
    ),
    requiredForDelivered: z._default(flag(), true),
  })
  .check(z.superRefine(checkDestination));
const storageSchema = z.record(z.string({ error: 'expected destination name' }), namedStorageSchema, {
  error: 'expected an object of named storage destinations',
});
const destinationNames = () =>
  z.array(text('storage destination name'), { error: 'expected list of storage destination names' });
const routingSchema = z.strictObject({
  images: z.optional(destinationNames()),
  'dose-reports': z.optional(destinationNames()),
  'presentation-states': z.optional(destinationNames()),
});

const printerDestinationSchema = z
  .strictObject({ ...destination(DEFAULT_TRANSFER_SYNTAXES), defaults: z.optional(printDefaultsSchema) })
  .check(z.superRefine(checkDestination));

const localSchema = z.strictObject({
  aeTitle: aeTitle(),
  bindAddress: z._default(ipAddress(), DEFAULTS.local.bindAddress),
  port: z._default(intIn(0, 65535, 'integer 0-65535 (0 picks a free port)'), DEFAULTS.local.port),
  maxAssociations: z._default(intIn(1, 1024), DEFAULTS.local.maxAssociations),
  acceptCallingAeTitles: z.optional(
    z
      .array(aeTitle(), { error: 'expected list of AE titles' })
      .check(z.minLength(1, { error: 'expected at least one AE title (omit the key for the default)' })),
  ),
  acceptAnyCallingAeTitle: z._default(flag(), false),
  allowedAddresses: z.optional(
    z
      .array(subnet(), { error: 'expected list of IP addresses or CIDR subnets' })
      .check(z.minLength(1, { error: 'expected at least one address (omit the key to accept any)' })),
  ),
  limits: z.prefault(
    z.strictObject({
      maxPendingConnections: z.optional(intIn(1, 65_536)),
      maxPendingPerAddress: z.optional(intIn(1, 65_536)),
      associationRequestTimeoutMs: z.optional(intIn(100, 600_000)),
      maxAssociationsPerCallingAe: z.optional(intIn(1, 1024)),
    }),
    {},
  ),
  strictCallingAe: z._default(flag(), DEFAULTS.local.strictCallingAe),
  maxPduLength: z._default(pduLength(), DEFAULTS.local.maxPduLength),
  timeouts: z.prefault(
    z.strictObject({
      acseMs: z._default(ms(), DEFAULTS.local.timeouts.acseMs),
      dimseMs: z._default(ms(), DEFAULTS.local.timeouts.dimseMs),
      idleMs: z._default(ms(), DEFAULTS.local.timeouts.idleMs),
    }),
    {},
  ),
  tls: z.prefault(
    z.strictObject({
      enabled: z._default(flag(), DEFAULTS.local.tls.enabled),
      requireClientCertificate: z._default(flag(), DEFAULTS.local.tls.requireClientCertificate),
    }),
    {},
  ),
});

// PS3.7 D.3.3.2: Implementation Version Name is 1-16 characters of the default repertoire.
const VERSION_NAME_EXPECTED = 'expected 1-16 characters, no backslash or control characters';
const implementationSchema = z.prefault(
  z.strictObject({
    classUid: z._default(uid(), DEFAULT_IMPLEMENTATION_CLASS_UID),
    versionName: z._default(
      z
        .string({ error: VERSION_NAME_EXPECTED })
        .check(z.regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, { error: VERSION_NAME_EXPECTED })),
      DEFAULT_IMPLEMENTATION_VERSION_NAME,
    ),
  }),
  {},
);

const pool = DEFAULTS.associationPool;
const associationPoolSchema = z.prefault(
  z.strictObject({
    maxSize: z._default(intIn(1, 64), pool.maxSize),
    acquisitionTimeoutMs: z._default(ms(), pool.acquisitionTimeoutMs),
    idleTimeoutMs: z._default(ms(), pool.idleTimeoutMs),
    evictionIntervalMs: z._default(ms(), pool.evictionIntervalMs),
  }),
  {},
);

const queue = DEFAULTS.queue;
const queueSchema = z.prefault(
  z.strictObject({
    path: z._default(text('file path'), queue.path),
    initialIntervalMs: z._default(ms(), queue.initialIntervalMs),
    backoffMultiplier: z._default(
      z
        .number({ error: 'expected number 1-10' })
        .check(z.gte(1, { error: 'expected number 1-10' }))
        .check(z.lte(10, { error: 'expected number 1-10' })),
      queue.backoffMultiplier,
    ),
    maxAttempts: z._default(intIn(1, 1000), queue.maxAttempts),
  }),
  {},
);

// FR-DICOM-01 appends `.{unixTimeMs}.{sequence}` to `orgRoot.deviceSerial`: the generator's own
// limit (@hnvue/uid MAX_UID_PREFIX_LENGTH), so a configuration accepted here also starts.
const UID_PREFIX_MAX = MAX_UID_PREFIX_LENGTH;
const SERIAL_EXPECTED = 'expected UID component: digits without a leading zero';
const uidSchema = z
  .strictObject({
    orgRoot: z.optional(uid()),
    deviceSerial: z
      .string({ error: SERIAL_EXPECTED })
      .check(z.regex(/^(0|[1-9][0-9]*)$/, { error: SERIAL_EXPECTED })),
  })
  .check(
    z.superRefine((v, ctx) => {
      if (v.orgRoot === undefined) return;
      const prefix = `${v.orgRoot}.${v.deviceSerial}`;
      if (prefix.length > UID_PREFIX_MAX) {
        ctx.addIssue({
          code: 'custom',
          path: ['orgRoot'],
          message: `expected orgRoot.deviceSerial of at most ${UID_PREFIX_MAX} characters (room for time and sequence within 64)`,
          input: prefix,
        });
      }
    }),
  );

const loggingSchema = z.prefault(
  z.strictObject({
    level: z._default(
      oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
      DEFAULTS.logging.level,
    ),
  }),
  {},
);

type CertificateInput = {
  certificateSource?: (typeof CERTIFICATE_SOURCES)[number] | undefined;
  certPath?: string | undefined;
  keyPath?: string | undefined;
  pfxPath?: string | undefined;
  storeId?: string | undefined;
  pkcs11?:
    | { uri?: string | undefined; pinEnv?: string | undefined; pinFile?: string | undefined }
    | undefined;
};

/** What is missing from a certificate source, as `[field, expected …]`; `needOwn` for a TLS listener. */
function certificateProblem(tls: CertificateInput, needOwn: boolean): [string, string] | undefined {
  switch (tls.certificateSource ?? DEFAULTS.tls.certificateSource) {
    case 'pem':
      if (tls.certPath !== undefined && tls.keyPath === undefined) {
        return ['keyPath', 'expected keyPath together with certPath'];
      }
      if (tls.keyPath !== undefined && tls.certPath === undefined) {
        return ['certPath', 'expected certPath together with keyPath'];
      }
      if (needOwn && tls.certPath === undefined) {
        return ['certPath', 'expected certPath and keyPath for a TLS listener'];
      }
      return undefined;
    case 'pfx':
      return tls.pfxPath === undefined
        ? ['pfxPath', 'expected a PFX file path when certificateSource is "pfx"']
        : undefined;
    case 'pkcs11':
      if (tls.pkcs11?.uri === undefined) {
        return ['pkcs11', 'expected pkcs11.uri (the token key) when certificateSource is "pkcs11"'];
      }
      // Without certPath the certificate is the one beside the key in the token.
      // keyPath / pfxPath (perhaps inherited from the global block) are not used: the key stays in the token.
      return tls.pkcs11.pinEnv === undefined && tls.pkcs11.pinFile === undefined
        ? ['pkcs11', 'expected pkcs11.pinEnv or pkcs11.pinFile (the token PIN, never in the file)']
        : undefined;
    case 'store':
      return tls.storeId === undefined
        ? ['storeId', 'expected a store entry when certificateSource is "store"']
        : undefined;
  }
}

const rootSchema = z
  .strictObject({
    local: localSchema,
    implementation: implementationSchema,
    ris: z.optional(destinationSchema),
    mpps: z.optional(destinationSchema),
    pacs: z.optional(storageDestinationSchema),
    commitment: z.optional(commitmentDestinationSchema),
    queryRetrieve: z.optional(destinationSchema),
    printer: z.optional(printerDestinationSchema),
    storage: z.optional(storageSchema),
    routing: z.optional(routingSchema),
    associationPool: associationPoolSchema,
    queue: queueSchema,
    uid: uidSchema,
    tls: globalTls,
    logging: loggingSchema,
  })
  .check(
    z.superRefine((config, ctx) => {
      const global = certificateProblem(config.tls, config.local.tls.enabled);
      if (global !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['tls', global[0]], message: global[1], input: undefined });
      }
      const withTls: [(string | number)[], ParsedDestinationTls | undefined][] = DESTINATION_NAMES.map(
        (name) => [[name], config[name]?.tls],
      );
      for (const [name, d] of Object.entries(config.storage ?? {})) {
        withTls.push([['storage', name], d.tls]);
        if (d.commitment !== 'none') withTls.push([['storage', name, 'commitment'], d.commitment.tls]);
      }
      for (const [path, tls] of withTls) {
        if (tls === undefined || !tls.enabled) continue;
        const problem = certificateProblem(mergeCertificate(config.tls, tls), false);
        if (problem !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'tls', problem[0]],
            message: problem[1],
            input: undefined,
          });
        }
      }
      for (const issue of storageProblems(config as StorageRuleInput)) {
        ctx.addIssue({ code: 'custom', ...issue });
      }
    }),
  );

type ParsedConfig = z.output<typeof rootSchema>;

// The hand-written input type (types.ts) and the schema accept the same shapes: a compile error
// here names the side that drifted.
// (Arrays compared as readonly: the schema's input type says `string[]`, it accepts either.)
type Frozen<T> = T extends readonly (infer E)[]
  ? readonly Frozen<E>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;
type SchemaInput = Frozen<z.input<typeof rootSchema>>;
const inputTypesAgree: [SchemaInput] extends [DicomServiceConfig]
  ? [DicomServiceConfig] extends [SchemaInput]
    ? true
    : 'DicomServiceConfig accepts what the schema refuses'
  : 'the schema accepts what DicomServiceConfig refuses' = true;
void inputTypesAgree;

/** A destination's own certificate fields win; absent ones come from the global block. */
function mergeCertificate(global: ParsedConfig['tls'], own: ParsedDestinationTls): ParsedConfig['tls'] {
  const merged: Record<string, unknown> = { ...global };
  for (const [key, value] of Object.entries(own)) {
    if (value !== undefined && key in globalTlsFields.shape) merged[key] = value;
  }
  return merged as ParsedConfig['tls'];
}

type Resolved<T> = Omit<T, 'tls'> & { tls: DestinationTlsOptions };

function resolveDestination<T extends NonNullable<ParsedConfig['pacs']>>(
  global: ParsedConfig['tls'],
  d: T,
): Resolved<T> {
  const implicit = TRANSFER_SYNTAX.implicitVrLittleEndian;
  // fo-dicom #934/#1475: picky peers need Implicit VR LE gone; everyone else gets it as the
  // always-available last resort (PS3.5 10.1: the default transfer syntax).
  const transferSyntaxes = d.dropImplicitFallback
    ? d.transferSyntaxes.filter((ts) => ts !== implicit)
    : d.transferSyntaxes.includes(implicit)
      ? d.transferSyntaxes
      : [...d.transferSyntaxes, implicit];
  const { servername, enabled, rejectUnauthorized } = d.tls;
  const tls: DestinationTlsOptions = { ...mergeCertificate(global, d.tls), enabled, rejectUnauthorized };
  return { ...d, transferSyntaxes, tls: servername === undefined ? tls : { ...tls, servername } };
}

function resolve(config: ParsedConfig): DicomServiceOptions {
  const dest = <T extends NonNullable<ParsedConfig['pacs']>>(d: T | undefined): Resolved<T> | undefined =>
    d === undefined ? undefined : resolveDestination(config.tls, d);
  const { storage, ...sections } = config;
  const resolved: DicomServiceOptions = {
    ...sections,
    ris: dest(config.ris),
    mpps: dest(config.mpps),
    pacs: dest(config.pacs),
    commitment: dest(config.commitment),
    queryRetrieve: dest(config.queryRetrieve),
    printer: dest(config.printer),
    ...(storage === undefined
      ? {}
      : {
          storage: Object.fromEntries(
            Object.entries(storage).map(([name, d]) => {
              const { commitment, ...rest } = resolveDestination(config.tls, d);
              return [
                name,
                commitment === 'none'
                  ? rest
                  : { ...rest, commitment: resolveDestination(config.tls, commitment) },
              ];
            }),
          ),
        }),
  };
  // Absent destinations stay absent rather than present-and-undefined.
  return Object.fromEntries(
    Object.entries(resolved).filter(([, v]) => v !== undefined),
  ) as DicomServiceOptions;
}

export type ValidationResult =
  | { readonly ok: true; readonly value: DicomServiceOptions }
  | { readonly ok: false; readonly issues: readonly z.core.$ZodIssue[] };

/** Validate and resolve; issues carry their input (`reportInput`) so messages can show the bad value. */
export function validateConfig(input: unknown): ValidationResult {
  const result = rootSchema.safeParse(input, { reportInput: true });
  return result.success
    ? { ok: true, value: resolve(result.data) }
    : { ok: false, issues: result.error.issues };
}

/** The schema, for tools that walk it (environment coercion, JSON Schema). */
export function configSchema(): z.core.$ZodType {
  return rootSchema;
}
