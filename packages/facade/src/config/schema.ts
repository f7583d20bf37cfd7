/**
 * The zod schema of `DicomServiceOptions` (NFR-CFG-01). Every message is written as
 * `expected …` so that `issues.ts` can print `path: expected …, got <value>`. The schema has no
 * transforms (so `z.toJSONSchema` can describe it); derived values (TLS merged with the global
 * block, the Implicit VR LE fallback) are computed after validation by `resolve`.
 */
import { isIP } from 'node:net';
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
  MAX_TIMER_MS,
  TRANSFER_SYNTAX,
} from './defaults.js';
import {
  DESTINATION_NAMES,
  type DestinationTlsOptions,
  type DicomServiceConfig,
  type DicomServiceOptions,
} from './types.js';

function intIn(min: number, max: number, what = `integer ${min}-${max}`) {
  const error = `expected ${what}`;
  return z.int({ error }).check(z.gte(min, { error }), z.lte(max, { error }));
}

const ms = () => intIn(1, MAX_TIMER_MS, `milliseconds as an integer 1-${MAX_TIMER_MS}`);
const flag = () => z.boolean({ error: 'expected true or false' });

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
}

function text(what: string) {
  const error = `expected ${what}`;
  return z.string({ error }).check(z.minLength(1, { error }));
}

// PS3.5 6.2 AE VR: 16 bytes max, default repertoire without backslash and control characters;
// leading/trailing spaces are not significant, so a title that relies on them is refused when we
// are the one sending it.
const AE_EXPECTED = 'expected AE title: 1-16 characters, no backslash or control characters, not all spaces';
const aeTitle = () =>
  z.string({ error: AE_EXPECTED }).check(
    z.regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, { error: AE_EXPECTED }),
    z.refine((v: string) => v.trim().length > 0, { error: AE_EXPECTED }),
    z.refine((v: string) => v.trim() === v || v.trim() === '', {
      error: 'expected AE title without leading or trailing spaces (not significant, PS3.5 6.2)',
    }),
  );

// PS3.5 9.1: digits and dots, no leading zero in a component, at most 64 characters.
const UID_EXPECTED = 'expected UID: digits and dots, no leading zeros, at most 64 characters';
const UID_SYNTAX = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
const uid = () =>
  z
    .string({ error: UID_EXPECTED })
    .check(z.maxLength(64, { error: UID_EXPECTED }), z.regex(UID_SYNTAX, { error: UID_EXPECTED }));

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const HOST_EXPECTED = 'expected host name or IP address';
const host = () =>
  z
    .string({ error: HOST_EXPECTED })
    .check(z.refine((v: string) => isIP(v) !== 0 || HOSTNAME.test(v), { error: HOST_EXPECTED }));
const ipAddress = () =>
  z
    .string({ error: 'expected IP address' })
    .check(z.refine((v: string) => isIP(v) !== 0, { error: 'expected IP address' }));

// An address or a CIDR subnet (`10.0.0.0/8`, `fd00::/8`), as @hnvue/net's allowedAddresses takes them.
const SUBNET_EXPECTED = 'expected IP address or CIDR subnet (10.0.0.0/8)';
const subnet = () =>
  z.string({ error: SUBNET_EXPECTED }).check(
    z.refine(
      (v: string) => {
        const [address = '', bits, extra] = v.split('/');
        const family = isIP(address);
        if (family === 0 || extra !== undefined) return false;
        if (bits === undefined) return true;
        return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
      },
      { error: SUBNET_EXPECTED },
    ),
  );

const tlsVersion = () => oneOf(['TLSv1.2', 'TLSv1.3']);
const paths = () =>
  z
    .array(text('file path'), { error: 'expected list of file paths' })
    .check(z.minLength(1, 'expected at least one file path'));

// PS3.8 D.1: 0 means unlimited; otherwise no peer handles less than a few KiB, and dcm4che caps what
// it accepts at 16 MiB, so anything outside [4096, 16 MiB] is a typo.
const PDU_EXPECTED = '0 (unlimited) or integer 4096-16777216';
const pduLength = () =>
  z.union([z.literal(0, { error: `expected ${PDU_EXPECTED}` }), intIn(4096, 16_777_216, PDU_EXPECTED)], {
    error: `expected ${PDU_EXPECTED}`,
  });

const certificateFields = {
  caPaths: z.optional(paths()),
  certPath: z.optional(text('file path')),
  keyPath: z.optional(text('file path')),
  pfxPath: z.optional(text('file path')),
  passphrase: z.optional(z.string({ error: 'expected string' })),
  storeId: z.optional(text('certificate store entry name')),
};

const globalTlsFields = z.strictObject({
  certificateSource: z._default(oneOf(['pem', 'pfx', 'store']), DEFAULTS.tls.certificateSource),
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
    certificateSource: z.optional(oneOf(['pem', 'pfx', 'store'])),
    ...certificateFields,
    minVersion: z.optional(tlsVersion()),
  }),
  {},
);

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

// PS3.5 6.2 CS VR: upper-case letters, digits, space and underscore, at most 16 characters.
const CS_EXPECTED = 'expected code string: A-Z, 0-9, space or underscore, 1-16 characters';
const codeString = () =>
  z.string({ error: CS_EXPECTED }).check(z.regex(/^[A-Z0-9 _]{1,16}$/, { error: CS_EXPECTED }));
// PS3.4 H.4.2.2.1: a film box stores a US density (hundredths of OD).
const density = () => intIn(0, 65535, 'density in hundredths of OD, integer 0-65535');

// The films `print()` makes when its options leave a value out (FR-DICOM-11). Values are checked
// for their VR only: which film sizes, media or magnifications a printer takes is its own list
// (PS3.3 C.13.1, C.13.3 give Defined Terms, not Enumerated Values).
const printDefaultsSchema = z
  .strictObject({
    layout: z.optional(
      z
        .string({ error: 'expected STANDARD\\c,r (columns,rows 1-99)' })
        .check(
          z.regex(/^STANDARD\\[1-9]\d?,[1-9]\d?$/, { error: 'expected STANDARD\\c,r (columns,rows 1-99)' }),
        ),
    ),
    copies: z.optional(intIn(1, 99)),
    priority: z.optional(oneOf(['HIGH', 'MED', 'LOW'])),
    mediumType: z.optional(codeString()),
    filmDestination: z.optional(codeString()),
    // LO VR (PS3.5 6.2): 64 characters, no backslash.
    label: z.optional(
      z.string({ error: 'expected film session label: 1-64 characters, no backslash' }).check(
        z.regex(/^[^\\\x00-\x1f]{1,64}$/, {
          error: 'expected film session label: 1-64 characters, no backslash',
        }),
      ),
    ),
    filmSize: z.optional(codeString()),
    orientation: z.optional(oneOf(['PORTRAIT', 'LANDSCAPE'])),
    magnification: z.optional(codeString()),
    smoothing: z.optional(codeString()),
    border: z.optional(oneOf(['BLACK', 'WHITE'])),
    emptyImageDensity: z.optional(codeString()),
    minDensity: z.optional(density()),
    maxDensity: z.optional(density()),
    trim: z.optional(flag()),
    // ST VR (PS3.5 6.2): 1024 characters.
    configurationInformation: z.optional(
      z
        .string({ error: 'expected text of 1-1024 characters' })
        .check(z.minLength(1, { error: 'expected text of 1-1024 characters' }))
        .check(z.maxLength(1024, { error: 'expected text of 1-1024 characters' })),
    ),
    bitDepth: z.optional(z.union([z.literal(8), z.literal(12)], { error: 'expected 8 or 12' })),
    on12BitRefused: z.optional(oneOf(['error', 'convert'])),
    imageBox: z.optional(
      z.strictObject({
        rows: intIn(16, 8192, 'pixels, integer 16-8192'),
        columns: intIn(16, 8192, 'pixels, integer 16-8192'),
      }),
    ),
  })
  .check(
    z.superRefine((value, ctx) => {
      if (
        value.minDensity !== undefined &&
        value.maxDensity !== undefined &&
        value.minDensity > value.maxDensity
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['minDensity'],
          message: `expected minDensity not above maxDensity (${value.maxDensity})`,
          input: value.minDensity,
        });
      }
    }),
  );
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
  certificateSource?: 'pem' | 'pfx' | 'store' | undefined;
  certPath?: string | undefined;
  keyPath?: string | undefined;
  pfxPath?: string | undefined;
  storeId?: string | undefined;
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
      for (const name of DESTINATION_NAMES) {
        const tls = config[name]?.tls;
        if (tls === undefined || !tls.enabled) continue;
        const problem = certificateProblem(mergeCertificate(config.tls, tls), false);
        if (problem !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [name, 'tls', problem[0]],
            message: problem[1],
            input: undefined,
          });
        }
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
type ParsedDestinationTls = NonNullable<ParsedConfig['pacs']>['tls'];

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
  const resolved: DicomServiceOptions = {
    ...config,
    ris: dest(config.ris),
    mpps: dest(config.mpps),
    pacs: dest(config.pacs),
    commitment: dest(config.commitment),
    queryRetrieve: dest(config.queryRetrieve),
    printer: dest(config.printer),
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
