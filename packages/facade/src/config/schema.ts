/**
 * The zod schema of `DicomServiceOptions` (NFR-CFG-01). Every message is written as
 * `expected …` so that `issues.ts` can print `path: expected …, got <value>`. The schema has no
 * transforms (so `z.toJSONSchema` can describe it); derived values (TLS merged with the global
 * block, the Implicit VR LE fallback) are computed after validation by `resolve`.
 */
import { isIP } from 'node:net';
import { isLossyTransferSyntax, transferSyntax } from '@hnvue/dicom';
import { MAX_UID_PREFIX_LENGTH } from '@hnvue/uid';
// A namespace import (not zod's `z` re-export) lets a bundler keep only the schema types in use:
// packages/cli/scripts/bundle.mjs went from ~750 KB to ~170 KB of zod.
import * as z from 'zod';
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
  return z.int({ error }).min(min, { error }).max(max, { error });
}

const ms = () => intIn(1, MAX_TIMER_MS, `milliseconds as an integer 1-${MAX_TIMER_MS}`);
const flag = () => z.boolean({ error: 'expected true or false' });

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
}

function text(what: string) {
  const error = `expected ${what}`;
  return z.string({ error }).min(1, { error });
}

// PS3.5 6.2 AE VR: 16 bytes max, default repertoire without backslash and control characters;
// leading/trailing spaces are not significant, so a title that relies on them is refused when we
// are the one sending it.
const AE_EXPECTED = 'expected AE title: 1-16 characters, no backslash or control characters, not all spaces';
const aeTitle = () =>
  z
    .string({ error: AE_EXPECTED })
    .regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, { error: AE_EXPECTED })
    .refine((v) => v.trim().length > 0, { error: AE_EXPECTED })
    .refine((v) => v.trim() === v || v.trim() === '', {
      error: 'expected AE title without leading or trailing spaces (not significant, PS3.5 6.2)',
    });

// PS3.5 9.1: digits and dots, no leading zero in a component, at most 64 characters.
const UID_EXPECTED = 'expected UID: digits and dots, no leading zeros, at most 64 characters';
const UID_SYNTAX = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
const uid = () =>
  z
    .string({ error: UID_EXPECTED })
    .max(64, { error: UID_EXPECTED })
    .regex(UID_SYNTAX, { error: UID_EXPECTED });

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const HOST_EXPECTED = 'expected host name or IP address';
const host = () =>
  z
    .string({ error: HOST_EXPECTED })
    .refine((v) => isIP(v) !== 0 || HOSTNAME.test(v), { error: HOST_EXPECTED });
const ipAddress = () =>
  z.string({ error: 'expected IP address' }).refine((v) => isIP(v) !== 0, { error: 'expected IP address' });

// An address or a CIDR subnet (`10.0.0.0/8`, `fd00::/8`), as @hnvue/net's allowedAddresses takes them.
const SUBNET_EXPECTED = 'expected IP address or CIDR subnet (10.0.0.0/8)';
const subnet = () =>
  z.string({ error: SUBNET_EXPECTED }).refine(
    (v) => {
      const [address = '', bits, extra] = v.split('/');
      const family = isIP(address);
      if (family === 0 || extra !== undefined) return false;
      if (bits === undefined) return true;
      return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
    },
    { error: SUBNET_EXPECTED },
  );

const tlsVersion = () => oneOf(['TLSv1.2', 'TLSv1.3']);
const paths = () =>
  z
    .array(text('file path'), { error: 'expected list of file paths' })
    .min(1, 'expected at least one file path');

// PS3.8 D.1: 0 means unlimited; otherwise no peer handles less than a few KiB, and dcm4che caps what
// it accepts at 16 MiB, so anything outside [4096, 16 MiB] is a typo.
const PDU_EXPECTED = '0 (unlimited) or integer 4096-16777216';
const pduLength = () =>
  z.union([z.literal(0, { error: `expected ${PDU_EXPECTED}` }), intIn(4096, 16_777_216, PDU_EXPECTED)], {
    error: `expected ${PDU_EXPECTED}`,
  });

const certificateFields = {
  caPaths: paths().optional(),
  certPath: text('file path').optional(),
  keyPath: text('file path').optional(),
  pfxPath: text('file path').optional(),
  passphrase: z.string({ error: 'expected string' }).optional(),
  storeId: text('certificate store entry name').optional(),
};

const globalTls = z
  .strictObject({
    certificateSource: oneOf(['pem', 'pfx', 'store']).default(DEFAULTS.tls.certificateSource),
    ...certificateFields,
    minVersion: tlsVersion().default(DEFAULTS.tls.minVersion),
  })
  .prefault({});

const destinationTls = z
  .strictObject({
    enabled: flag().default(DEFAULTS.destination.tls.enabled),
    servername: host().optional(),
    rejectUnauthorized: flag().default(DEFAULTS.destination.tls.rejectUnauthorized),
    // Absent fields fall back to the global `tls` block.
    certificateSource: oneOf(['pem', 'pfx', 'store']).optional(),
    ...certificateFields,
    minVersion: tlsVersion().optional(),
  })
  .prefault({});

const transferSyntaxList = (defaults: readonly string[]) =>
  z
    .array(uid(), { error: 'expected list of transfer syntax UIDs' })
    .min(1, { error: 'expected at least one transfer syntax UID' })
    .refine((list) => new Set(list).size === list.length, {
      error: 'expected transfer syntax UIDs without duplicates',
    })
    .default(() => [...defaults]);

function destination(transferSyntaxDefaults: readonly string[]) {
  const d = DEFAULTS.destination;
  return {
    aeTitle: aeTitle(),
    host: host(),
    port: intIn(1, 65535).default(d.port),
    tls: destinationTls,
    timeouts: z
      .strictObject({
        connectMs: ms().default(d.timeouts.connectMs),
        acseMs: ms().default(d.timeouts.acseMs),
        dimseMs: ms().default(d.timeouts.dimseMs),
        idleMs: ms().default(d.timeouts.idleMs),
      })
      .prefault({}),
    transferSyntaxes: transferSyntaxList(transferSyntaxDefaults),
    dropImplicitFallback: flag().default(d.dropImplicitFallback),
    allowLossy: flag().default(d.allowLossy),
    maxPduLength: pduLength().default(d.maxPduLength),
    asyncOpsWindow: z
      .strictObject({
        maxInvoked: intIn(0, 65535),
        maxPerformed: intIn(0, 65535),
      })
      .optional(),
    pdv: z
      .strictObject({
        maxPdvsPerPdu: intIn(1, 65535).optional(),
        separateCommandAndDataPdus: flag().default(d.pdv.separateCommandAndDataPdus),
      })
      .prefault({}),
  };
}

/** Cross-field rules of one destination: lossy syntaxes and what the fallback rule leaves behind. */
function checkDestination(
  value: { transferSyntaxes: string[]; allowLossy: boolean; dropImplicitFallback: boolean },
  ctx: z.RefinementCtx,
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
  .superRefine(checkDestination);
const storageDestinationSchema = z
  .strictObject(destination(DEFAULT_STORAGE_TRANSFER_SYNTAXES))
  .superRefine(checkDestination);
const commitmentDestinationSchema = z
  .strictObject({
    ...destination(DEFAULT_TRANSFER_SYNTAXES),
    timeoutMs: ms().default(DEFAULTS.commitment.timeoutMs),
    reportOn: oneOf(['same-association', 'new-association', 'either']).default(DEFAULTS.commitment.reportOn),
    reRequest: z
      .strictObject({
        maxRequests: intIn(1, 100).default(DEFAULTS.commitment.reRequest.maxRequests),
        backoffMultiplier: z
          .number({ error: 'expected number 1-10' })
          .min(1, { error: 'expected number 1-10' })
          .max(10, { error: 'expected number 1-10' })
          .default(DEFAULTS.commitment.reRequest.backoffMultiplier),
        onRestart: flag().default(DEFAULTS.commitment.reRequest.onRestart),
      })
      .prefault({}),
  })
  .superRefine(checkDestination);

// PS3.5 6.2 CS VR: upper-case letters, digits, space and underscore, at most 16 characters.
const CS_EXPECTED = 'expected code string: A-Z, 0-9, space or underscore, 1-16 characters';
const codeString = () => z.string({ error: CS_EXPECTED }).regex(/^[A-Z0-9 _]{1,16}$/, { error: CS_EXPECTED });
// PS3.4 H.4.2.2.1: a film box stores a US density (hundredths of OD).
const density = () => intIn(0, 65535, 'density in hundredths of OD, integer 0-65535');

// The films `print()` makes when its options leave a value out (FR-DICOM-11). Values are checked
// for their VR only: which film sizes, media or magnifications a printer takes is its own list
// (PS3.3 C.13.1, C.13.3 give Defined Terms, not Enumerated Values).
const printDefaultsSchema = z
  .strictObject({
    layout: z
      .string({ error: 'expected STANDARD\\c,r (columns,rows 1-99)' })
      .regex(/^STANDARD\\[1-9]\d?,[1-9]\d?$/, { error: 'expected STANDARD\\c,r (columns,rows 1-99)' })
      .optional(),
    copies: intIn(1, 99).optional(),
    priority: oneOf(['HIGH', 'MED', 'LOW']).optional(),
    mediumType: codeString().optional(),
    filmDestination: codeString().optional(),
    // LO VR (PS3.5 6.2): 64 characters, no backslash.
    label: z
      .string({ error: 'expected film session label: 1-64 characters, no backslash' })
      .regex(/^[^\\\x00-\x1f]{1,64}$/, {
        error: 'expected film session label: 1-64 characters, no backslash',
      })
      .optional(),
    filmSize: codeString().optional(),
    orientation: oneOf(['PORTRAIT', 'LANDSCAPE']).optional(),
    magnification: codeString().optional(),
    smoothing: codeString().optional(),
    border: oneOf(['BLACK', 'WHITE']).optional(),
    emptyImageDensity: codeString().optional(),
    minDensity: density().optional(),
    maxDensity: density().optional(),
    trim: flag().optional(),
    // ST VR (PS3.5 6.2): 1024 characters.
    configurationInformation: z
      .string({ error: 'expected text of 1-1024 characters' })
      .min(1, { error: 'expected text of 1-1024 characters' })
      .max(1024, { error: 'expected text of 1-1024 characters' })
      .optional(),
    bitDepth: z.union([z.literal(8), z.literal(12)], { error: 'expected 8 or 12' }).optional(),
    on12BitRefused: oneOf(['error', 'convert']).optional(),
    imageBox: z
      .strictObject({
        rows: intIn(16, 8192, 'pixels, integer 16-8192'),
        columns: intIn(16, 8192, 'pixels, integer 16-8192'),
      })
      .optional(),
  })
  .superRefine((value, ctx) => {
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
  });
const printerDestinationSchema = z
  .strictObject({ ...destination(DEFAULT_TRANSFER_SYNTAXES), defaults: printDefaultsSchema.optional() })
  .superRefine(checkDestination);

const localSchema = z.strictObject({
  aeTitle: aeTitle(),
  bindAddress: ipAddress().default(DEFAULTS.local.bindAddress),
  port: intIn(0, 65535, 'integer 0-65535 (0 picks a free port)').default(DEFAULTS.local.port),
  maxAssociations: intIn(1, 1024).default(DEFAULTS.local.maxAssociations),
  acceptCallingAeTitles: z
    .array(aeTitle(), { error: 'expected list of AE titles' })
    .min(1, { error: 'expected at least one AE title (omit the key for the default)' })
    .optional(),
  acceptAnyCallingAeTitle: flag().default(false),
  allowedAddresses: z
    .array(subnet(), { error: 'expected list of IP addresses or CIDR subnets' })
    .min(1, { error: 'expected at least one address (omit the key to accept any)' })
    .optional(),
  limits: z
    .strictObject({
      maxPendingConnections: intIn(1, 65_536).optional(),
      maxPendingPerAddress: intIn(1, 65_536).optional(),
      associationRequestTimeoutMs: intIn(100, 600_000).optional(),
      maxAssociationsPerCallingAe: intIn(1, 1024).optional(),
    })
    .prefault({}),
  strictCallingAe: flag().default(DEFAULTS.local.strictCallingAe),
  maxPduLength: pduLength().default(DEFAULTS.local.maxPduLength),
  timeouts: z
    .strictObject({
      acseMs: ms().default(DEFAULTS.local.timeouts.acseMs),
      dimseMs: ms().default(DEFAULTS.local.timeouts.dimseMs),
      idleMs: ms().default(DEFAULTS.local.timeouts.idleMs),
    })
    .prefault({}),
  tls: z
    .strictObject({
      enabled: flag().default(DEFAULTS.local.tls.enabled),
      requireClientCertificate: flag().default(DEFAULTS.local.tls.requireClientCertificate),
    })
    .prefault({}),
});

// PS3.7 D.3.3.2: Implementation Version Name is 1-16 characters of the default repertoire.
const VERSION_NAME_EXPECTED = 'expected 1-16 characters, no backslash or control characters';
const implementationSchema = z
  .strictObject({
    classUid: uid().default(DEFAULT_IMPLEMENTATION_CLASS_UID),
    versionName: z
      .string({ error: VERSION_NAME_EXPECTED })
      .regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, { error: VERSION_NAME_EXPECTED })
      .default(DEFAULT_IMPLEMENTATION_VERSION_NAME),
  })
  .prefault({});

const pool = DEFAULTS.associationPool;
const associationPoolSchema = z
  .strictObject({
    maxSize: intIn(1, 64).default(pool.maxSize),
    acquisitionTimeoutMs: ms().default(pool.acquisitionTimeoutMs),
    idleTimeoutMs: ms().default(pool.idleTimeoutMs),
    evictionIntervalMs: ms().default(pool.evictionIntervalMs),
  })
  .prefault({});

const queue = DEFAULTS.queue;
const queueSchema = z
  .strictObject({
    path: text('file path').default(queue.path),
    initialIntervalMs: ms().default(queue.initialIntervalMs),
    backoffMultiplier: z
      .number({ error: 'expected number 1-10' })
      .min(1, { error: 'expected number 1-10' })
      .max(10, { error: 'expected number 1-10' })
      .default(queue.backoffMultiplier),
    maxAttempts: intIn(1, 1000).default(queue.maxAttempts),
  })
  .prefault({});

// FR-DICOM-01 appends `.{unixTimeMs}.{sequence}` to `orgRoot.deviceSerial`: the generator's own
// limit (@hnvue/uid MAX_UID_PREFIX_LENGTH), so a configuration accepted here also starts.
const UID_PREFIX_MAX = MAX_UID_PREFIX_LENGTH;
const SERIAL_EXPECTED = 'expected UID component: digits without a leading zero';
const uidSchema = z
  .strictObject({
    orgRoot: uid().optional(),
    deviceSerial: z.string({ error: SERIAL_EXPECTED }).regex(/^(0|[1-9][0-9]*)$/, { error: SERIAL_EXPECTED }),
  })
  .superRefine((v, ctx) => {
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
  });

const loggingSchema = z
  .strictObject({
    level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default(
      DEFAULTS.logging.level,
    ),
  })
  .prefault({});

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
    ris: destinationSchema.optional(),
    mpps: destinationSchema.optional(),
    pacs: storageDestinationSchema.optional(),
    commitment: commitmentDestinationSchema.optional(),
    queryRetrieve: destinationSchema.optional(),
    printer: printerDestinationSchema.optional(),
    associationPool: associationPoolSchema,
    queue: queueSchema,
    uid: uidSchema,
    tls: globalTls,
    logging: loggingSchema,
  })
  .superRefine((config, ctx) => {
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
  });

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
    if (value !== undefined && key in globalTls.unwrap().shape) merged[key] = value;
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
export function configSchema(): z.ZodType {
  return rootSchema;
}
