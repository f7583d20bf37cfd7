/**
 * The DICOM Conformance Statement (FR-DICOM-12, PS3.2 layout), generated from what the code
 * registers: the presentation contexts each service proposes or accepts (the constants the
 * services themselves use), the @hnvue/dicom transfer syntax, SOP class, character set and codec
 * registries, the negotiation and listener limits with their defaults, the DIMSE status tables and
 * the queue's retry decision per status. Nothing here is typed in by hand except the prose that
 * says what each activity is for; a changed presentation context, default or status changes the
 * generated text, and CI compares it with the committed docs/conformance-statement.md.
 */
import { isPermanentDimseStatus } from '@hnvue/core';
import { registeredCodecs, SUPPORTED_CHARACTER_SETS, sopClass, TS, transferSyntax } from '@hnvue/dicom';
import '@hnvue/native';
import {
  classifyStatus,
  DEFAULT_MAX_PDU_LENGTH,
  DEFAULT_SCP_SOP_CLASSES,
  DEFAULT_SCP_TRANSFER_SYNTAXES,
  DEFAULT_SERVER_LIMITS,
  DEFAULT_STORE_SOP_CLASSES,
  DEFAULT_TIMEOUTS,
  describeStatus,
  echoHandler,
  getRoles,
  HNVUE_IMPLEMENTATION_CLASS_UID,
  HNVUE_IMPLEMENTATION_VERSION_NAME,
  MPPS_CONTEXT,
  POOL_DEFAULTS,
  PRINT_CONTEXTS,
  proposedTransferSyntaxes,
  QR_SOP_CLASS,
  qrContexts,
  STATUS,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_LISTENER_CONTEXT,
  WORKLIST_CONTEXT,
} from '@hnvue/net';
import { COMMAND_FIELD } from '@hnvue/net/dimse';
import { VERIFICATION_CONTEXT } from '../../src/services/echo.js';
import { declarationOf, type PeerTest, peerTestsFor, type Role, registryKey, sopClassesIn } from './links.js';

interface Context {
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

const sopName = (uid: string) => sopClass(uid)?.name ?? uid;
const tsName = (uid: string) => transferSyntax(uid)?.name ?? uid;
const hex4 = (n: number) => `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function contextRows(contexts: readonly Context[], role: string, negotiation = 'None'): string[][] {
  return contexts.map((c) => [
    sopName(c.abstractSyntax),
    c.abstractSyntax,
    c.transferSyntaxes.map(syntaxCell).join('<br>'),
    role,
    negotiation,
  ]);
}

const OWN_SYNTAX = "(the object's own syntax)";
const syntaxCell = (ts: string) => (ts === OWN_SYNTAX ? ts : `${tsName(ts)} (${ts})`);

/** Many SOP classes sharing one transfer syntax list: the classes, then the list once. */
function sharedContexts(sopClasses: readonly string[], syntaxes: readonly string[], role: string): string {
  return [
    table(
      ['Abstract Syntax', 'UID', 'Role'],
      sopClasses.map((uid) => [sopName(uid), uid, role]),
    ),
    '',
    'Each of them with these transfer syntaxes, in order of preference (extended negotiation: none):',
    '',
    table(
      ['#', 'Transfer Syntax', 'UID'],
      syntaxes.map((ts, i) => [
        String(i + 1),
        ts === OWN_SYNTAX ? ts : tsName(ts),
        ts === OWN_SYNTAX ? '—' : ts,
      ]),
    ),
  ].join('\n');
}

const CONTEXT_HEAD = [
  'Abstract Syntax',
  'UID',
  'Transfer Syntaxes (in order of preference)',
  'Role',
  'Extended Negotiation',
];

/** Storage statuses a C-STORE response may carry, with what the SCU and the queue do with each. */
const STORE_STATUSES = [
  STATUS.success,
  STATUS.coercionOfDataElements,
  STATUS.elementsDiscarded,
  STATUS.dataSetDoesNotMatchSopClassWarning,
  STATUS.outOfResources,
  STATUS.dataSetDoesNotMatchSopClass,
  STATUS.cannotUnderstand,
  STATUS.processingFailure,
  STATUS.duplicateSopInstance,
  STATUS.sopClassNotSupported,
  STATUS.notAuthorized,
  STATUS.resourceLimitation,
];

function storeStatusRows(): string[][] {
  return STORE_STATUSES.map((status) => {
    const cls = classifyStatus(status);
    const action =
      cls === 'success'
        ? 'delivered'
        : cls === 'warning'
          ? 'delivered, the warning kept in the item history'
          : isPermanentDimseStatus(status)
            ? 'FAILED at once (a resend cannot succeed)'
            : 'retried with back-off (NFR-REL-01)';
    return [hex4(status), describeStatus(status, COMMAND_FIELD['C-STORE-RSP']).slice(7), cls, action];
  });
}

const QR_STATUSES = [
  STATUS.success,
  STATUS.pending,
  STATUS.pendingWarning,
  STATUS.cancel,
  STATUS.outOfResourcesNumberOfMatches,
  STATUS.outOfResourcesSubOperations,
  STATUS.moveDestinationUnknown,
  STATUS.dataSetDoesNotMatchSopClass,
  STATUS.cannotUnderstand,
];

function codecRows(): string[][] {
  const bySyntax = new Map<string, { decode: Set<string>; encode: Set<string>; limits: Set<string> }>();
  for (const c of registeredCodecs()) {
    const entry = bySyntax.get(c.transferSyntax) ?? {
      decode: new Set(),
      encode: new Set(),
      limits: new Set(),
    };
    if (c.decode) entry.decode.add(`${c.name} (${c.backend})`);
    if (c.encode) entry.encode.add(`${c.name} (${c.backend})`);
    if (c.limits) entry.limits.add(c.limits);
    bySyntax.set(c.transferSyntax, entry);
  }
  return [...bySyntax.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([uid, e]) => [
      `${tsName(uid)} (${uid})`,
      [...e.decode].join(', ') || '—',
      [...e.encode].join(', ') || '—',
      [...e.limits].join('; ') || '—',
    ]);
}

/**
 * The export of @hnvue/net each SOP class of table 1.1 comes from, per role: the contexts a
 * service proposes, the UID lists the storage SCU and SCP negotiate, the C-ECHO handler every
 * listener registers. The UIDs are read from the value itself (a handler carries none).
 */
const PROVIDERS: readonly {
  readonly role: Role;
  readonly name: string;
  readonly value: unknown;
  readonly uids?: readonly string[];
}[] = [
  { role: 'SCU', name: 'VERIFICATION_CONTEXT', value: VERIFICATION_CONTEXT },
  { role: 'SCP', name: 'echoHandler', value: echoHandler, uids: [VERIFICATION_CONTEXT.abstractSyntax] },
  { role: 'SCU', name: 'WORKLIST_CONTEXT', value: WORKLIST_CONTEXT },
  { role: 'SCU', name: 'MPPS_CONTEXT', value: MPPS_CONTEXT },
  { role: 'SCU', name: 'DEFAULT_STORE_SOP_CLASSES', value: DEFAULT_STORE_SOP_CLASSES },
  { role: 'SCP', name: 'DEFAULT_SCP_SOP_CLASSES', value: DEFAULT_SCP_SOP_CLASSES },
  { role: 'SCU', name: 'STORAGE_COMMITMENT_CONTEXT', value: STORAGE_COMMITMENT_CONTEXT },
  { role: 'SCU', name: 'QR_SOP_CLASS', value: QR_SOP_CLASS },
  { role: 'SCU', name: 'PRINT_CONTEXTS', value: PRINT_CONTEXTS },
];

const link = (path: string) => `[${path}](../${path})`;
const testCell = (tests: readonly PeerTest[]) =>
  tests.map((t) => `${link(t.file)} (${t.peers.join(', ')}): ${t.title}`).join('<br>');

/**
 * Table 1.2: each SOP class and role of table 1.1 → the export declaring it, its registry key, and
 * the tests that exercise it against a real peer. Throws when a pair of table 1.1 has no provider
 * or no such test (links.ts), so CI fails with the statement.
 */
function implementationRows(pairs: readonly { uid: string; role: Role }[]): string[][] {
  const provisions = pairs.map(({ uid, role }) => {
    const found = PROVIDERS.filter((p) => p.role === role && (p.uids ?? sopClassesIn(p.value)).includes(uid));
    if (found.length !== 1) {
      throw new Error(
        `conformance: ${sopName(uid)} (${role}) comes from ${found.length} exports of @hnvue/net`,
      );
    }
    return { uid, role, source: found[0]!.name, value: found[0]!.value };
  });
  const provided = PROVIDERS.flatMap((p) =>
    (p.uids ?? sopClassesIn(p.value)).map((uid) => `${uid} ${p.role}`),
  );
  const extra = provided.filter((k) => !pairs.some((q) => `${q.uid} ${q.role}` === k));
  if (extra.length) throw new Error(`conformance: exported but not in table 1.1: ${extra.join(', ')}`);
  const tests = peerTestsFor(provisions);
  const registry = 'packages/dicom/src/uids/sop-class.ts';
  return provisions.map((p, i) => {
    const source = declarationOf(p.source, p.value);
    return [
      sopName(p.uid),
      p.role,
      `${link(source.file)} \`${source.name}\``,
      `${link(registry)} \`SOP_CLASS.${registryKey(p.uid)}\``,
      testCell(tests[i]!),
    ];
  });
}

/** The whole statement as Markdown. */
export function renderConformanceStatement(): string {
  const storeProposal = proposedTransferSyntaxes(undefined);
  const qr = qrContexts();
  const limits = DEFAULT_SERVER_LIMITS;
  const entries: readonly { uid: string; scu: boolean; scp: boolean }[] = [
    { uid: VERIFICATION_CONTEXT.abstractSyntax, scu: true, scp: true },
    { uid: WORKLIST_CONTEXT.abstractSyntax, scu: true, scp: false },
    { uid: MPPS_CONTEXT.abstractSyntax, scu: true, scp: false },
    ...DEFAULT_STORE_SOP_CLASSES.map((uid) => ({
      uid,
      scu: true,
      scp: DEFAULT_SCP_SOP_CLASSES.includes(uid),
    })),
    ...DEFAULT_SCP_SOP_CLASSES.filter((uid) => !DEFAULT_STORE_SOP_CLASSES.includes(uid)).map((uid) => ({
      uid,
      scu: false,
      scp: true,
    })),
    { uid: STORAGE_COMMITMENT_CONTEXT.abstractSyntax, scu: true, scp: false },
    ...qr.map((c) => ({ uid: c.abstractSyntax, scu: true, scp: false })),
    ...PRINT_CONTEXTS.map((c) => ({ uid: c.abstractSyntax, scu: true, scp: false })),
  ];
  const services = entries.map((e) => [sopName(e.uid), e.scu ? 'Yes' : 'No', e.scp ? 'Yes' : 'No']);
  const pairs = entries.flatMap((e) => [
    ...(e.scu ? [{ uid: e.uid, role: 'SCU' as const }] : []),
    ...(e.scp ? [{ uid: e.uid, role: 'SCP' as const }] : []),
  ]);
  const out: string[] = [];
  out.push(
    '# HnVue DICOM — DICOM Conformance Statement',
    '',
    'Generated by `node --conditions=@hnvue/source --import tsx packages/net/scripts/conformance/run.ts` from the',
    'implementation metadata (FR-DICOM-12): the presentation contexts the services propose and accept,',
    'the transfer syntax, SOP class, character set and codec registries of `@hnvue/dicom`, the',
    'negotiation limits and defaults of `@hnvue/net`. Do not edit: CI regenerates it and fails on any',
    'difference (`packages/net/test/conformance-statement.test.ts`). Layout after PS3.2 Annex A.',
    '',
    '## 1 Overview',
    '',
    'HnVue DICOM is the DICOM communication layer of an X-ray acquisition console (DX/CR): it fetches the',
    'Modality Worklist, reports Modality Performed Procedure Steps, stores images, dose reports and',
    'presentation states (transcoding to what the peer accepts), requests storage commitment, queries and',
    'retrieves prior studies, and receives objects as a storage SCP.',
    '',
    '### 1.1 Network services',
    '',
    table(['SOP Class', 'User of Service (SCU)', 'Provider of Service (SCP)'], services),
    '',
    '### 1.2 Implementation and tests against real peers',
    '',
    'For each SOP class and role of table 1.1: the export of `@hnvue/net` that declares or registers it',
    '(the value this statement reads), its key in the `@hnvue/dicom` SOP class registry, and the tests',
    'that exercise it against a real peer (DCMTK, Orthanc, dcmjs-dimse, GDCM, dicom3tools). A test is',
    'linked by a `// conformance: <role> <SOP_CLASS key or UID list>` line above it in an interop test',
    'file (`scripts/test-kinds.mjs`); generating the statement fails when a SOP class and role has no',
    'such test or a tag is wrong (`packages/net/scripts/conformance/links.ts`).',
    '',
    table(
      ['SOP Class', 'Role', 'Declared in', 'Registry', 'Tests against a real peer'],
      implementationRows(pairs),
    ),
    '',
    '## 2 Implementation model',
    '',
    'One Application Entity (the console, AE title from the configuration `local.aeTitle`) initiates',
    'every association for its SCU activities and listens (configuration `local.port`) for Verification',
    'and for storage commitment reports a PACS sends on an association of its own. The storage SCP of',
    '`@hnvue/net` (`createStorageScp`) receives C-MOVE sub-operations and any storage a peer initiates.',
    '',
    table(
      ['Implementation Class UID', 'Implementation Version Name'],
      [[HNVUE_IMPLEMENTATION_CLASS_UID, HNVUE_IMPLEMENTATION_VERSION_NAME]],
    ),
    '',
    '## 3 AE specifications',
    '',
    '### 3.1 Association policies',
    '',
    table(
      ['Policy', 'Value'],
      [
        ['Application Context Name', '1.2.840.10008.3.1.1.1'],
        ['Maximum PDU length received (default)', `${DEFAULT_MAX_PDU_LENGTH} bytes`],
        [
          'Connect / ACSE / DIMSE timeouts (defaults)',
          `${DEFAULT_TIMEOUTS.connectMs} / ${DEFAULT_TIMEOUTS.acseMs} / ${DEFAULT_TIMEOUTS.dimseMs} ms`,
        ],
        ['Associations in a pool per destination (default)', String(POOL_DEFAULTS.maxSize)],
        ['Listener: simultaneous associations (default)', String(limits.maxAssociations)],
        ['Listener: associations per calling AE (default)', String(limits.maxAssociationsPerCallingAe)],
        [
          'Listener: connections not yet associated, global / per address',
          `${limits.maxPendingConnections} / ${limits.maxPendingPerAddress}`,
        ],
        [
          'Listener: TCP accept to A-ASSOCIATE-RQ complete (ARTIM-style)',
          `${limits.associationRequestTimeoutMs} ms`,
        ],
        ['Listener: presentation contexts per A-ASSOCIATE-RQ', `at most ${limits.maxPresentationContexts}`],
        [
          'Listener: transfer syntaxes per presentation context',
          `at most ${limits.maxTransferSyntaxesPerContext}`,
        ],
        ['Listener: asynchronous operations granted', `at most ${limits.maxOperationsGranted}`],
        ['Listener: A-ASSOCIATE-RQ size', `at most ${limits.maxAssociateRqLength} bytes`],
        [
          'Refusal beyond a limit',
          'A-ASSOCIATE-RJ rejected-transient, service-provider (presentation), local limit exceeded',
        ],
      ],
    ),
    '',
    '### 3.2 Verification (SCU and SCP)',
    '',
    table(CONTEXT_HEAD, contextRows([VERIFICATION_CONTEXT], 'SCU, SCP')),
    '',
    '### 3.3 Modality Worklist (SCU)',
    '',
    'C-FIND with the return keys of PS3.4 Table K.6-1; matches stream as they arrive; C-CANCEL on',
    'request; every Specific Character Set of section 6.',
    '',
    table(CONTEXT_HEAD, contextRows([WORKLIST_CONTEXT], 'SCU')),
    '',
    '### 3.4 Modality Performed Procedure Step (SCU)',
    '',
    'N-CREATE (IN PROGRESS), then N-SET (COMPLETED or DISCONTINUED); no N-SET is sent before its N-CREATE succeeded.',
    '',
    table(CONTEXT_HEAD, contextRows([MPPS_CONTEXT], 'SCU')),
    '',
    '### 3.5 Storage (SCU)',
    '',
    "One presentation context per (SOP class, transfer syntax): the object's own syntax first, then the",
    "destination's list (default below), Implicit VR Little Endian last. The object travels in its own",
    'syntax when accepted, else it is transcoded in memory to the first accepted syntax the codecs of',
    'section 5 serve; lossy targets only when the destination allows lossy compression.',
    '',
    sharedContexts(DEFAULT_STORE_SOP_CLASSES, [OWN_SYNTAX, ...storeProposal], 'SCU'),
    '',
    'C-STORE response statuses and what is done with each:',
    '',
    table(['Status', 'Meaning', 'Class', 'Action'], storeStatusRows()),
    '',
    '### 3.6 Storage (SCP)',
    '',
    'Objects are written to a temporary file while they arrive and renamed into place after fsync; the',
    'response is sent after that. Accepted syntaxes in this order of preference:',
    '',
    sharedContexts(DEFAULT_SCP_SOP_CLASSES, DEFAULT_SCP_TRANSFER_SYNTAXES, 'SCP'),
    '',
    '### 3.7 Storage Commitment Push Model (SCU)',
    '',
    'N-ACTION on an association that proposes both roles, so the report may come back on it; otherwise',
    'the PACS opens an association to the listener and sends N-EVENT-REPORT, accepted with the SCP role',
    'it asks for in a role selection item.',
    '',
    table(CONTEXT_HEAD, [
      ...contextRows(
        [STORAGE_COMMITMENT_CONTEXT],
        'SCU (requestor, both roles proposed)',
        'SCP/SCU Role Selection',
      ),
      ...contextRows(
        [STORAGE_COMMITMENT_LISTENER_CONTEXT],
        'SCU (acceptor; receives N-EVENT-REPORT)',
        'SCP/SCU Role Selection accepted',
      ),
    ]),
    '',
    '### 3.8 Query/Retrieve (SCU)',
    '',
    'C-FIND at PATIENT, STUDY, SERIES and IMAGE level (hierarchical; relational when the SCP accepts',
    'the extended negotiation), C-MOVE to a storage SCP of ours, C-GET with SCP/SCU role selection for',
    'the storage SOP classes expected.',
    '',
    table(
      CONTEXT_HEAD,
      qr.map((c) => {
        const find = [QR_SOP_CLASS.study.find, QR_SOP_CLASS.patient.find].includes(c.abstractSyntax as never);
        const get = [QR_SOP_CLASS.study.get, QR_SOP_CLASS.patient.get].includes(c.abstractSyntax as never);
        return contextRows(
          [c],
          'SCU',
          find
            ? 'Relational queries (when asked)'
            : get
              ? `SCP role for ${getRoles(DEFAULT_SCP_SOP_CLASSES).length} storage SOP classes`
              : 'None',
        )[0]!;
      }),
    ),
    '',
    'C-FIND / C-MOVE / C-GET statuses handled:',
    '',
    table(
      ['Status', 'Meaning', 'Class'],
      QR_STATUSES.map((s) => [
        hex4(s),
        describeStatus(s, COMMAND_FIELD['C-MOVE-RSP']).slice(7),
        classifyStatus(s),
      ]),
    ),
    '',
    '### 3.9 Basic Grayscale Print Management (SCU)',
    '',
    'N-GET of the Printer (status, status info, name), N-CREATE Film Session and Film Box',
    '(`STANDARD\\c,r`), N-SET of each Basic Grayscale Image Box (8-bit, or 12-bit in 16 bits allocated),',
    'N-ACTION print of the film box, N-DELETE of the film box then the session; N-EVENT-REPORTs of the',
    'printer answered with Success and surfaced as events; a printer WARNING or FAILURE with its status info.',
    '',
    table(CONTEXT_HEAD, contextRows(PRINT_CONTEXTS, 'SCU')),
    '',
    '## 4 Network and security',
    '',
    table(
      ['Item', 'Support'],
      [
        ['Transport', 'TCP/IP (IPv4 and IPv6)'],
        [
          'TLS',
          'TLS 1.2 and 1.3 (the lowest version configurable, never below 1.2); DICOM Secure Transport Connection Profiles (PS3.15 B)',
        ],
        ['Mutual TLS', 'client certificates sent and, on listeners, required when configured'],
        [
          'TLS private keys',
          "PEM or PKCS#12 files; a PKCS#11 token (HSM, TPM-backed token, smart card) through OpenSSL's PKCS#11 engine, the key never leaving the token; the OS store on Linux (CAs from the system bundle, our key by label or thumbprint among the tokens p11-kit serves). Expired certificates and missing keys refused at start-up",
        ],
        [
          'Several storage destinations',
          'each destination its own associations, retries, circuit breaker and storage commitment SCP; objects routed by kind',
        ],
        [
          'Access control on listeners',
          'called AE title checked; allowed calling AE titles and source addresses per listener; rejections logged without PHI',
        ],
        [
          'User Identity negotiation',
          'username, username and passcode, Kerberos, SAML, JWT passed to a hook',
        ],
      ],
    ),
    '',
    '## 5 Transfer syntaxes and transcoding',
    '',
    'What the codec registry serves with the native addon built (the default install on Debian 12;',
    'without it the WebAssembly/JavaScript fallbacks serve where listed):',
    '',
    table(['Transfer Syntax', 'Decode', 'Encode', 'Limits'], codecRows()),
    '',
    `Native syntaxes (${[TS.implicitVrLittleEndian, TS.explicitVrLittleEndian, TS.explicitVrBigEndian, TS.deflatedExplicitVrLittleEndian].map(tsName).join(', ')}) are re-encoded element by element.`,
    '',
    '## 6 Support of character sets',
    '',
    'Decoded and encoded (PS3.3 C.12.1.1.2, PS3.5 6.1; ISO 2022 code extensions with escape handling):',
    '',
    SUPPORTED_CHARACTER_SETS.map((cs) => `- ${cs === '' ? '(default repertoire, ISO_IR 6)' : cs}`).join('\n'),
    '',
  );
  return out.join('\n');
}
