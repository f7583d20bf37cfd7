import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@hnvue/core';
import { createUidGenerator, MAX_UID_PREFIX_LENGTH } from '@hnvue/uid';
import { describe, expect, it } from 'vitest';
import {
  configJsonSchema,
  DEFAULT_IMPLEMENTATION_CLASS_UID,
  DEFAULT_STORAGE_TRANSFER_SYNTAXES,
  type DicomServiceConfig,
  type DicomServiceOptions,
  parseConfig,
  TRANSFER_SYNTAX,
} from '../src/index.js';
import { issuesOf } from './config-issues.js';

const minimal = { local: { aeTitle: 'HNVUE_DR1' }, uid: { deviceSerial: '1234' } };
const pacs = { aeTitle: 'PACS', host: 'pacs.hospital.example' };

function withPacs(destination: Record<string, unknown>): unknown {
  return { ...minimal, pacs: { ...pacs, ...destination } };
}

describe('parseConfig', () => {
  it('NFR-CFG-01: fills every default from a minimal configuration', () => {
    const config = parseConfig(minimal);
    expect(config.local).toEqual({
      aeTitle: 'HNVUE_DR1',
      bindAddress: '127.0.0.1',
      port: 11112,
      maxAssociations: 8,
      acceptAnyCallingAeTitle: false,
      limits: {},
      strictCallingAe: false,
      maxPduLength: 262_144,
      timeouts: { acseMs: 30_000, dimseMs: 60_000, idleMs: 60_000 },
      tls: { enabled: false, requireClientCertificate: true },
    });
    // FR-DICOM-02 pool values.
    expect(config.associationPool).toEqual({
      maxSize: 4,
      acquisitionTimeoutMs: 30_000,
      idleTimeoutMs: 30_000,
      evictionIntervalMs: 10_000,
    });
    expect(config.queue).toEqual({
      path: 'hnvue-queue.sqlite',
      initialIntervalMs: 30_000,
      backoffMultiplier: 2,
      maxAttempts: 10,
    });
    // NFR-SEC-02: TLS 1.2 minimum by default.
    expect(config.tls).toEqual({ certificateSource: 'pem', minVersion: 'TLSv1.2' });
    expect(config.implementation.classUid).toBe(DEFAULT_IMPLEMENTATION_CLASS_UID);
    expect(config.implementation.versionName.length).toBeLessThanOrEqual(16);
    expect(config.logging.level).toBe('info');
    expect(config.uid).toEqual({ deviceSerial: '1234' });
    expect('pacs' in config).toBe(false);
  });

  it('NFR-CFG-01: fills destination defaults, storage proposing FR-DICOM-04 order with Implicit VR LE last', () => {
    const config = parseConfig({ ...minimal, pacs, ris: { aeTitle: 'RIS', host: '10.1.2.3', port: 4006 } });
    expect(config.pacs).toEqual({
      ...pacs,
      port: 104,
      tls: { enabled: false, rejectUnauthorized: true, certificateSource: 'pem', minVersion: 'TLSv1.2' },
      timeouts: { connectMs: 15_000, acseMs: 30_000, dimseMs: 60_000, idleMs: 60_000 },
      transferSyntaxes: [
        '1.2.840.10008.1.2.4.90',
        '1.2.840.10008.1.2.4.70',
        '1.2.840.10008.1.2.1',
        '1.2.840.10008.1.2',
      ],
      dropImplicitFallback: false,
      allowLossy: false,
      maxPduLength: 262_144,
      pdv: { separateCommandAndDataPdus: false },
    });
    expect(config.pacs?.transferSyntaxes).toEqual(DEFAULT_STORAGE_TRANSFER_SYNTAXES);
    expect(config.ris?.transferSyntaxes).toEqual(['1.2.840.10008.1.2.1', '1.2.840.10008.1.2']);
    // DICOM-PITFALLS: the asynchronous operations window is proposed only when configured.
    expect(config.pacs?.asyncOpsWindow).toBeUndefined();
  });

  it('NFR-CFG-01: accepts a complete configuration and keeps every value', () => {
    const input = {
      local: {
        aeTitle: 'HNVUE_DR1',
        bindAddress: '0.0.0.0',
        port: 11113,
        maxAssociations: 4,
        acceptCallingAeTitles: ['ORTHANC', 'PACS'],
        acceptAnyCallingAeTitle: false,
        allowedAddresses: ['10.0.0.0/8', '192.168.1.20', 'fd00::/8'],
        limits: {
          maxPendingConnections: 64,
          maxPendingPerAddress: 8,
          associationRequestTimeoutMs: 3000,
          maxAssociationsPerCallingAe: 2,
        },
        strictCallingAe: true,
        maxPduLength: 0,
        timeouts: { acseMs: 10_000, dimseMs: 20_000, idleMs: 30_000 },
        tls: { enabled: true, requireClientCertificate: false },
      },
      implementation: { classUid: '1.2.3.4', versionName: 'SITE_BUILD_7' },
      ris: { aeTitle: 'RIS', host: 'ris.example', port: 4006, timeouts: { dimseMs: 3000 } },
      mpps: { aeTitle: 'MPPS', host: 'ris.example', port: 4007 },
      pacs: {
        aeTitle: 'PACS',
        host: '192.168.1.20',
        port: 11112,
        tls: { enabled: true, servername: 'pacs.example', minVersion: 'TLSv1.3' },
        transferSyntaxes: [TRANSFER_SYNTAX.explicitVrLittleEndian],
        maxPduLength: 131_072,
        asyncOpsWindow: { maxInvoked: 4, maxPerformed: 1 },
        pdv: { maxPdvsPerPdu: 1, separateCommandAndDataPdus: true },
      },
      commitment: {
        aeTitle: 'PACS',
        host: '192.168.1.20',
        port: 11112,
        timeoutMs: 120_000,
        reportOn: 'new-association',
      },
      queryRetrieve: { aeTitle: 'PACS_QR', host: '192.168.1.20', dropImplicitFallback: true },
      printer: { aeTitle: 'PRINTER', host: 'printer.example', port: 10400 },
      associationPool: {
        maxSize: 2,
        acquisitionTimeoutMs: 5000,
        idleTimeoutMs: 15_000,
        evictionIntervalMs: 5000,
      },
      queue: {
        path: '/var/lib/hnvue/queue.sqlite',
        initialIntervalMs: 10_000,
        backoffMultiplier: 1.5,
        maxAttempts: 20,
      },
      uid: { orgRoot: '1.2.410.200001', deviceSerial: '77' },
      tls: {
        certificateSource: 'pem',
        caPaths: ['/etc/hnvue/ca.pem'],
        certPath: '/etc/hnvue/console.pem',
        keyPath: '/etc/hnvue/console.key',
        minVersion: 'TLSv1.2',
      },
      logging: { level: 'debug' },
    };
    const config: DicomServiceOptions = parseConfig(input);
    expect(config.local).toEqual(input.local);
    expect(config.implementation).toEqual(input.implementation);
    expect(config.ris?.timeouts).toEqual({
      connectMs: 15_000,
      acseMs: 30_000,
      dimseMs: 3000,
      idleMs: 60_000,
    });
    expect(config.pacs?.asyncOpsWindow).toEqual({ maxInvoked: 4, maxPerformed: 1 });
    expect(config.pacs?.pdv).toEqual({ maxPdvsPerPdu: 1, separateCommandAndDataPdus: true });
    // Implicit VR LE is appended as the always-available fallback (PS3.5 10.1)...
    expect(config.pacs?.transferSyntaxes).toEqual([
      TRANSFER_SYNTAX.explicitVrLittleEndian,
      '1.2.840.10008.1.2',
    ]);
    // ...unless the destination is a picky peer (fo-dicom #934).
    expect(config.queryRetrieve?.transferSyntaxes).toEqual([TRANSFER_SYNTAX.explicitVrLittleEndian]);
    // The destination's TLS overrides win, the rest comes from the global block.
    expect(config.pacs?.tls).toEqual({
      enabled: true,
      rejectUnauthorized: true,
      servername: 'pacs.example',
      certificateSource: 'pem',
      caPaths: ['/etc/hnvue/ca.pem'],
      certPath: '/etc/hnvue/console.pem',
      keyPath: '/etc/hnvue/console.key',
      minVersion: 'TLSv1.3',
    });
    expect(config.commitment?.timeoutMs).toBe(120_000);
    expect(config.commitment?.reportOn).toBe('new-association');
    expect(config.associationPool).toEqual(input.associationPool);
    expect(config.queue).toEqual(input.queue);
    expect(config.uid).toEqual(input.uid);
    expect(config.logging.level).toBe('debug');
  });

  it('NFR-CFG-01: a non-numeric port names its path, what was expected and what it got', () => {
    expect(issuesOf(() => parseConfig(withPacs({ port: 'abc' })))).toEqual([
      'pacs.port: expected a number (integer 1-65535), got string "abc"',
    ]);
    expect(issuesOf(() => parseConfig(withPacs({ port: 70_000 })))).toEqual([
      'pacs.port: expected integer 1-65535, got 70000',
    ]);
  });

  it('NFR-CFG-01: the error message carries every issue and the stable code', () => {
    try {
      parseConfig(withPacs({ port: 'abc', host: 'bad host' }));
      expect.fail('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).code).toBe('HNV_ERR_CONFIG');
      expect((err as Error).message).toContain(
        'pacs.port: expected a number (integer 1-65535), got string "abc"',
      );
      expect((err as Error).message).toContain('pacs.host: expected host name or IP address, got "bad host"');
    }
  });

  it('NFR-CFG-01: a negative timeout is rejected', () => {
    expect(issuesOf(() => parseConfig(withPacs({ timeouts: { dimseMs: -5 } })))).toEqual([
      'pacs.timeouts.dimseMs: expected milliseconds as an integer 1-2147483647, got -5',
    ]);
    expect(issuesOf(() => parseConfig({ ...minimal, associationPool: { idleTimeoutMs: 1.5 } }))).toEqual([
      'associationPool.idleTimeoutMs: expected milliseconds as an integer 1-2147483647, got 1.5',
    ]);
  });

  it('NFR-CFG-01: AE titles follow the PS3.5 AE VR strictly for what we send', () => {
    const ae = 'expected AE title: 1-16 characters, no backslash or control characters, not all spaces';
    expect(issuesOf(() => parseConfig({ ...minimal, local: { aeTitle: 'HNVUE_CONSOLE_001' } }))).toEqual([
      `local.aeTitle: ${ae}, got "HNVUE_CONSOLE_001"`,
    ]);
    expect(issuesOf(() => parseConfig(withPacs({ aeTitle: '    ' })))).toEqual([
      `pacs.aeTitle: ${ae}, got "    "`,
    ]);
    expect(issuesOf(() => parseConfig(withPacs({ aeTitle: 'A\\B' })))).toEqual([
      `pacs.aeTitle: ${ae}, got "A\\\\B"`,
    ]);
    expect(issuesOf(() => parseConfig(withPacs({ aeTitle: 'PA\tCS' })))).toEqual([
      `pacs.aeTitle: ${ae}, got "PA\\tCS"`,
    ]);
    expect(issuesOf(() => parseConfig(withPacs({ aeTitle: '' })))).toEqual([`pacs.aeTitle: ${ae}, got ""`]);
    expect(issuesOf(() => parseConfig(withPacs({ aeTitle: ' PACS' })))).toEqual([
      'pacs.aeTitle: expected AE title without leading or trailing spaces (not significant, PS3.5 6.2), got " PACS"',
    ]);
    // Exactly 16 characters, lowercase and inner spaces are valid AE values.
    expect(parseConfig(withPacs({ aeTitle: 'pacs main 123456' })).pacs?.aeTitle).toBe('pacs main 123456');
  });

  it('NFR-CFG-01: an unknown TLS version is rejected with the allowed ones', () => {
    expect(issuesOf(() => parseConfig({ ...minimal, tls: { minVersion: 'TLSv1.1' } }))).toEqual([
      'tls.minVersion: expected one of "TLSv1.2", "TLSv1.3", got "TLSv1.1"',
    ]);
    expect(issuesOf(() => parseConfig(withPacs({ tls: { minVersion: 'SSLv3' } })))).toEqual([
      'pacs.tls.minVersion: expected one of "TLSv1.2", "TLSv1.3", got "SSLv3"',
    ]);
  });

  it('NFR-CFG-01: transfer syntax UIDs must have UID syntax, no duplicates, no lossy ones unless allowed', () => {
    const uid = 'expected UID: digits and dots, no leading zeros, at most 64 characters';
    expect(
      issuesOf(() =>
        parseConfig(withPacs({ transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.01.2', 'JPEG'] })),
      ),
    ).toEqual([
      `pacs.transferSyntaxes[1]: ${uid}, got "1.2.840.10008.01.2"`,
      `pacs.transferSyntaxes[2]: ${uid}, got "JPEG"`,
    ]);
    expect(issuesOf(() => parseConfig(withPacs({ transferSyntaxes: [] })))).toEqual([
      'pacs.transferSyntaxes: expected at least one transfer syntax UID, got []',
    ]);
    expect(
      issuesOf(() =>
        parseConfig(withPacs({ transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1'] })),
      ),
    ).toEqual([
      'pacs.transferSyntaxes: expected transfer syntax UIDs without duplicates, got ["1.2.840.10008.1.2.1","1.2.840.10008.1.2.1"]',
    ]);
    expect(issuesOf(() => parseConfig(withPacs({ transferSyntaxes: ['1.2.840.10008.1.2.4.50'] })))).toEqual([
      'pacs.transferSyntaxes[0]: expected a lossless transfer syntax (set allowLossy: true to propose lossy ones), got "1.2.840.10008.1.2.4.50"',
    ]);
    // The registry's meaning of lossy: a UID PS3.6 does not define may be lossy.
    expect(issuesOf(() => parseConfig(withPacs({ transferSyntaxes: ['1.2.3.4.5'] })))).toEqual([
      'pacs.transferSyntaxes[0]: expected a transfer syntax of PS3.6 (an unknown one may be lossy: set allowLossy: true to propose it), got "1.2.3.4.5"',
    ]);
    const lossy = parseConfig(withPacs({ transferSyntaxes: ['1.2.840.10008.1.2.4.50'], allowLossy: true }));
    expect(lossy.pacs?.transferSyntaxes).toEqual(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2']);
    expect(
      issuesOf(() =>
        parseConfig(withPacs({ transferSyntaxes: ['1.2.840.10008.1.2'], dropImplicitFallback: true })),
      ),
    ).toEqual([
      'pacs.transferSyntaxes: expected a transfer syntax other than Implicit VR LE when dropImplicitFallback is true, got ["1.2.840.10008.1.2"]',
    ]);
  });

  it('NFR-CFG-01: unknown keys are rejected with their path, at any depth', () => {
    expect(
      issuesOf(() =>
        parseConfig({ ...minimal, colour: 'blue', pacs: { ...pacs, prot: 104, timeouts: { dimse: 5 } } }),
      ).toSorted(),
    ).toEqual(['colour: unknown key', 'pacs.prot: unknown key', 'pacs.timeouts.dimse: unknown key']);
  });

  it('NFR-CFG-01: missing required values and wrong shapes are reported', () => {
    expect(issuesOf(() => parseConfig({}))).toEqual([
      'local: expected object, got nothing',
      'uid: expected object, got nothing',
    ]);
    expect(issuesOf(() => parseConfig([]))).toEqual(['(root): expected an object, got array []']);
    expect(issuesOf(() => parseConfig({ ...minimal, pacs: { aeTitle: 'PACS' } }))).toEqual([
      'pacs.host: expected host name or IP address, got nothing',
    ]);
    expect(issuesOf(() => parseConfig({ ...minimal, uid: { deviceSerial: '0042' } }))).toEqual([
      'uid.deviceSerial: expected UID component: digits without a leading zero, got "0042"',
    ]);
    expect(issuesOf(() => parseConfig({ ...minimal, logging: { level: 'loud' } }))).toEqual([
      'logging.level: expected one of "trace", "debug", "info", "warn", "error", "fatal", "silent", got "loud"',
    ]);
    expect(issuesOf(() => parseConfig(withPacs({ maxPduLength: 100 })))).toEqual([
      'pacs.maxPduLength: expected 0 (unlimited) or integer 4096-16777216, got 100',
    ]);
    expect(issuesOf(() => parseConfig(withPacs({ tls: { enabled: 'yes' } })))).toEqual([
      'pacs.tls.enabled: expected true or false, got string "yes"',
    ]);
    expect(
      issuesOf(() =>
        parseConfig({ ...minimal, local: { ...minimal.local, allowedAddresses: ['10.0.0.0/33'] } }),
      ),
    ).toEqual([
      'local.allowedAddresses[0]: expected IP address or CIDR subnet (10.0.0.0/8), got "10.0.0.0/33"',
    ]);
  });

  it('FR-DICOM-01: a UID prefix that leaves no room for time and sequence is rejected', () => {
    const orgRoot = '1.2.840.1234567890.1234567890.1234567890';
    expect(issuesOf(() => parseConfig({ ...minimal, uid: { orgRoot, deviceSerial: '5' } }))).toEqual([
      `uid.orgRoot: expected orgRoot.deviceSerial of at most 37 characters (room for time and sequence within 64), got "${orgRoot}.5"`,
    ]);
  });

  it('FR-DICOM-01: the configuration accepts exactly the UID prefixes the generator starts with (one limit, also in both READMEs)', () => {
    expect(MAX_UID_PREFIX_LENGTH).toBe(37);
    // 37 characters: accepted here, and the generator built from it starts; 38: refused by both.
    const fits = `1.2.840.${'1'.repeat(MAX_UID_PREFIX_LENGTH - '1.2.840.'.length - 2)}`;
    for (const [orgRoot, ok] of [
      [fits, true],
      [`${fits}1`, false],
    ] as const) {
      const uid = { orgRoot, deviceSerial: '5' };
      expect(`${orgRoot}.5`.length).toBe(ok ? MAX_UID_PREFIX_LENGTH : MAX_UID_PREFIX_LENGTH + 1);
      if (ok) {
        const config = parseConfig({ ...minimal, uid });
        expect(createUidGenerator(config.uid).next().length).toBeLessThanOrEqual(64);
      } else {
        expect(issuesOf(() => parseConfig({ ...minimal, uid }))).toHaveLength(1);
        expect(() => createUidGenerator(uid)).toThrow(
          expect.objectContaining({
            code: 'HNV_ERR_UID_NO_ROOM',
            hint: expect.stringContaining('at most 37 characters'),
          }),
        );
      }
    }
    for (const readme of ['../README.md', '../../uid/README.md']) {
      const text = readFileSync(fileURLToPath(new URL(readme, import.meta.url)), 'utf8');
      expect(text, readme).toMatch(new RegExp(`at most ${MAX_UID_PREFIX_LENGTH} characters`));
      expect(text, readme).not.toMatch(/orgRoot.deviceSerial`? (may be )?at most (?!37)\d+ characters/);
    }
  });

  it('NFR-SEC-02: TLS certificate sources must be complete', () => {
    expect(issuesOf(() => parseConfig({ ...minimal, tls: { certPath: '/c.pem' } }))).toEqual([
      'tls.keyPath: expected keyPath together with certPath, got nothing',
    ]);
    expect(
      issuesOf(() =>
        parseConfig({ ...minimal, pacs: { ...pacs, tls: { enabled: true, certificateSource: 'pfx' } } }),
      ),
    ).toEqual(['pacs.tls.pfxPath: expected a PFX file path when certificateSource is "pfx", got nothing']);
    expect(
      issuesOf(() =>
        parseConfig({
          ...minimal,
          tls: { certificateSource: 'store' },
          pacs: { ...pacs, tls: { enabled: true } },
        }),
      ),
    ).toEqual([
      'tls.storeId: expected a store entry when certificateSource is "store", got nothing',
      'pacs.tls.storeId: expected a store entry when certificateSource is "store", got nothing',
    ]);
    expect(
      issuesOf(() => parseConfig({ ...minimal, local: { aeTitle: 'HNVUE', tls: { enabled: true } } })),
    ).toEqual(['tls.certPath: expected certPath and keyPath for a TLS listener, got nothing']);
    const pfx = parseConfig({
      ...minimal,
      tls: { certificateSource: 'pfx', pfxPath: '/c.pfx', passphrase: 'hunter2' },
      pacs: { ...pacs, tls: { enabled: true, rejectUnauthorized: false } },
    });
    expect(pfx.pacs?.tls).toMatchObject({
      certificateSource: 'pfx',
      pfxPath: '/c.pfx',
      passphrase: 'hunter2',
    });
    expect(pfx.pacs?.tls.rejectUnauthorized).toBe(false);
  });

  it('NFR-CFG-01: a value of the wrong type is named as such, with the rule it would have had to meet', () => {
    expect(issuesOf(() => parseConfig({ ...minimal, uid: { deviceSerial: 42 } }))).toEqual([
      'uid.deviceSerial: expected a string (UID component: digits without a leading zero), got number 42',
    ]);
    expect(issuesOf(() => parseConfig({ ...minimal, local: { aeTitle: true } }))).toEqual([
      'local.aeTitle: expected a string (AE title: 1-16 characters, no backslash or control characters, not all spaces), got boolean true',
    ]);
    expect(issuesOf(() => parseConfig({ ...minimal, pacs: { ...pacs, port: null } }))).toEqual([
      'pacs.port: expected a number (integer 1-65535), got null',
    ]);
    // The right type with a wrong value keeps the rule alone.
    expect(issuesOf(() => parseConfig({ ...minimal, pacs: { ...pacs, port: 1.5 } }))).toEqual([
      'pacs.port: expected integer 1-65535, got 1.5',
    ]);
  });

  it('NFR-SEC-02: passphrases are never echoed in messages', () => {
    const secret = 'hunter2-SECRET';
    const lines = issuesOf(() =>
      parseConfig({
        ...minimal,
        tls: { passphrase: 12_345, bogus: 1 },
        pacs: { ...pacs, port: 'abc', tls: { passphrase: [secret] } },
      }),
    );
    expect(lines).toContain('tls.passphrase: expected a string, got number [redacted]');
    expect(lines).toContain('pacs.tls.passphrase: expected a string, got array [redacted]');
    expect(lines.join('\n')).not.toContain('12345');
    expect(lines.join('\n')).not.toContain(secret);
    // A whole block shown as the bad value has its passphrase redacted too.
    const shown = issuesOf(() => parseConfig({ ...minimal, pacs: [{ tls: { passphrase: secret } }] }));
    expect(shown).toEqual(['pacs: expected an object, got array [{"tls":{"passphrase":"[redacted]"}}]']);
  });

  it('NFR-CFG-01: long bad values are cut in the message', () => {
    const [line] = issuesOf(() => parseConfig(withPacs({ host: 'x'.repeat(300) })));
    expect(line).toMatch(/^pacs\.host: expected host name or IP address, got "x+…$/);
    expect(line!.length).toBeLessThan(160);
  });

  it('NFR-CFG-01: exports a JSON Schema of the file format', () => {
    const schema = configJsonSchema();
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    const properties = schema.properties as Record<string, { properties?: Record<string, unknown> }>;
    expect(Object.keys(properties)).toEqual(
      expect.arrayContaining([
        'local',
        'pacs',
        'commitment',
        'associationPool',
        'queue',
        'uid',
        'tls',
        'logging',
      ]),
    );
    expect(properties.associationPool?.properties?.maxSize).toMatchObject({ type: 'integer', default: 4 });
    expect(schema.required).toEqual(['local', 'uid']);
  });
});

describe('NFR-CFG-01: DicomServiceConfig, the input type', () => {
  it('NFR-CFG-01: the type refuses at compile time what the schema refuses at run time', () => {
    const ok: DicomServiceConfig = {
      ...minimal,
      pacs: { ...pacs, asyncOpsWindow: { maxInvoked: 4, maxPerformed: 4 } },
    };
    expect(parseConfig(ok).pacs?.asyncOpsWindow).toEqual({ maxInvoked: 4, maxPerformed: 4 });
    const refused: unknown[] = [
      // @ts-expect-error the calling AE title has no default
      { local: {}, uid: { deviceSerial: '1' } } satisfies DicomServiceConfig,
      // @ts-expect-error a destination needs its host
      { ...minimal, pacs: { aeTitle: 'PACS' } } satisfies DicomServiceConfig,
      // @ts-expect-error a window needs both numbers
      { ...minimal, pacs: { ...pacs, asyncOpsWindow: { maxInvoked: 4 } } } satisfies DicomServiceConfig,
      // @ts-expect-error a port is a number
      { ...minimal, pacs: { ...pacs, port: '104' } } satisfies DicomServiceConfig,
    ];
    for (const config of refused) expect(() => parseConfig(config)).toThrow(ConfigError);
  });
});
