import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@hnvue/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/index.js';
import { issuesOf } from './config-issues.js';

const dir = mkdtempSync(join(tmpdir(), 'hnvue-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function writeConfig(content: unknown): string {
  const file = join(dir, `config-${++counter}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

const base = {
  local: { aeTitle: 'HNVUE_DR1' },
  uid: { deviceSerial: '9' },
  pacs: { aeTitle: 'PACS', host: 'pacs.example', port: 104 },
};

describe('loadConfig', () => {
  it('NFR-CFG-01: loads a JSON file and fills defaults', () => {
    const config = loadConfig({ file: writeConfig(base), env: {} });
    expect(config.pacs?.port).toBe(104);
    expect(config.associationPool.maxSize).toBe(4);
    expect(config.tls.minVersion).toBe('TLSv1.2');
  });

  it('NFR-CFG-01: environment variables override the file, parsed by the schema type at their path', () => {
    const config = loadConfig({
      file: writeConfig(base),
      env: {
        HNVUE__PACS__PORT: '11112',
        HNVUE__PACS__AE_TITLE: 'PACS2',
        HNVUE__PACS__TLS__ENABLED: 'true',
        HNVUE__PACS__TLS__PASSPHRASE: 'from-env',
        HNVUE__PACS__TRANSFER_SYNTAXES: '1.2.840.10008.1.2.4.70, 1.2.840.10008.1.2.1',
        HNVUE__ASSOCIATIONPOOL__MAX_SIZE: '2',
        HNVUE__QUEUE__BACKOFF_MULTIPLIER: '1.5',
        HNVUE__LOGGING__LEVEL: 'warn',
        HNVUE__UID__DEVICE_SERIAL: '0',
        HNVUE__COMMITMENT: '{"aeTitle":"PACS","host":"10.0.0.5","reportOn":"same-association"}',
        HNVUE_UNRELATED: 'ignored: single underscore is not our prefix',
        PATH: '/usr/bin',
      },
    });
    expect(config.pacs).toMatchObject({ aeTitle: 'PACS2', port: 11112, host: 'pacs.example' });
    expect(config.pacs?.tls).toMatchObject({ enabled: true, passphrase: 'from-env' });
    expect(config.pacs?.transferSyntaxes).toEqual([
      '1.2.840.10008.1.2.4.70',
      '1.2.840.10008.1.2.1',
      '1.2.840.10008.1.2',
    ]);
    expect(config.associationPool.maxSize).toBe(2);
    expect(config.queue.backoffMultiplier).toBe(1.5);
    expect(config.logging.level).toBe('warn');
    // Strings stay strings: a serial of digits is not turned into a number.
    expect(config.uid.deviceSerial).toBe('0');
    expect(config.commitment).toMatchObject({
      host: '10.0.0.5',
      reportOn: 'same-association',
      timeoutMs: 600_000,
    });
  });

  it('NFR-CFG-01: works from the environment alone, and overrides win over the environment', () => {
    const env = {
      HNVUE__LOCAL__AE_TITLE: 'FROM_ENV',
      HNVUE__UID__DEVICE_SERIAL: '3',
      HNVUE__LOCAL__PORT: '0',
      HNVUE__LOCAL__STRICT_CALLING_AE: '1',
      HNVUE__LOCAL__ACCEPT_CALLING_AE_TITLES: 'ORTHANC,PACS',
    };
    const config = loadConfig({ env, overrides: { local: { port: 4242 } } });
    expect(config.local).toMatchObject({
      aeTitle: 'FROM_ENV',
      port: 4242,
      strictCallingAe: true,
      acceptCallingAeTitles: ['ORTHANC', 'PACS'],
    });
  });

  it('NFR-CFG-01: reads process.env when no env is given', () => {
    vi.stubEnv('HNVUE__LOGGING__LEVEL', 'debug');
    try {
      expect(loadConfig({ overrides: base }).logging.level).toBe('debug');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('NFR-CFG-01: a bad environment value fails like a bad file value, naming the variable', () => {
    const lines = issuesOf(() =>
      loadConfig({
        file: writeConfig(base),
        env: {
          HNVUE__PACS__PORT: 'abc',
          HNVUE__PACS__TIMEOUTS__DIMSE_MS: '-1',
          HNVUE__PACS__TLS__MIN_VERSION: 'TLSv1',
          HNVUE__PACS__TLS__ENABLED: 'maybe',
        },
      }),
    );
    expect(lines.toSorted()).toEqual([
      'pacs.port: expected a number (integer 1-65535), got string "abc" (from HNVUE__PACS__PORT)',
      'pacs.timeouts.dimseMs: expected milliseconds as an integer 1-2147483647, got -1 (from HNVUE__PACS__TIMEOUTS__DIMSE_MS)',
      'pacs.tls.enabled: expected true or false, got string "maybe" (from HNVUE__PACS__TLS__ENABLED)',
      'pacs.tls.minVersion: expected one of "TLSv1.2", "TLSv1.3", got "TLSv1" (from HNVUE__PACS__TLS__MIN_VERSION)',
    ]);
  });

  it('NFR-CFG-01: an environment variable naming no key is rejected with its path', () => {
    expect(
      issuesOf(() =>
        loadConfig({ file: writeConfig(base), env: { HNVUE__PACS__PROT: '104', HNVUE__PACSS__PORT: '1' } }),
      ),
    ).toEqual([
      'pacs.prot: unknown key (from HNVUE__PACS__PROT)',
      'pacss.port: unknown key (from HNVUE__PACSS__PORT)',
    ]);
  });

  it('NFR-CFG-01: unknown keys in the file are rejected with their path', () => {
    const file = writeConfig({ ...base, pacs: { ...base.pacs, tls: { enable: true } }, assocationPool: {} });
    expect(issuesOf(() => loadConfig({ file, env: {} })).toSorted()).toEqual([
      'assocationPool: unknown key',
      'pacs.tls.enable: unknown key',
    ]);
  });

  it('NFR-CFG-01: a missing file is a ConfigError naming the file', () => {
    const file = join(dir, 'nope.json');
    try {
      loadConfig({ file, env: {} });
      expect.fail('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe('HNV_ERR_CONFIG');
      expect((err as ConfigError).issues).toEqual([
        `${file}: expected a readable JSON configuration file, got file not found (ENOENT)`,
      ]);
      expect((err as ConfigError).details).toEqual({ file });
    }
  });

  it('NFR-CFG-01: broken JSON gives line and column without quoting the file', () => {
    const file = writeConfig(
      '{\n  "local": { "aeTitle": "HNVUE" },\n  "uid": { "deviceSerial": "1" }\n  "pacs": {}\n}\n',
    );
    expect(issuesOf(() => loadConfig({ file, env: {} }))).toEqual([
      `${file}: expected valid JSON, got Expected ',' or '}' after property value at line 4, column 3`,
    ]);
    const empty = writeConfig('');
    expect(issuesOf(() => loadConfig({ file: empty, env: {} }))).toEqual([
      `${empty}: expected valid JSON, got Unexpected end of JSON input (empty file)`,
    ]);
    // V8 quotes the text around an unexpected token; that must not reach the message.
    const secret = writeConfig('{"tls": {"passphrase": hunter2}}');
    expect(issuesOf(() => loadConfig({ file: secret, env: {} }))).toEqual([
      `${secret}: expected valid JSON, got Unexpected token 'h'`,
    ]);
  });

  it('NFR-CFG-01: accepts a file with a byte order mark', () => {
    const file = writeConfig(`\ufeff${JSON.stringify(base)}`);
    expect(loadConfig({ file, env: {} }).local.aeTitle).toBe('HNVUE_DR1');
  });

  it('NFR-SEC-02: a passphrase in the file is refused without echoing it', () => {
    const file = writeConfig({
      ...base,
      tls: { certificateSource: 'pfx', pfxPath: 'console.pfx', passphrase: 'hunter2' },
      queryRetrieve: { aeTitle: 'QR', host: 'qr.example', tls: { passphrase: 'hunter3' } },
    });
    const lines = issuesOf(() => loadConfig({ file, env: {} }));
    expect(lines).toEqual([
      'tls.passphrase: expected the passphrase from the environment (HNVUE__TLS__PASSPHRASE), not the file, got [redacted]',
      'queryRetrieve.tls.passphrase: expected the passphrase from the environment (HNVUE__QUERY_RETRIEVE__TLS__PASSPHRASE), not the file, got [redacted]',
    ]);
    expect(lines.join('\n')).not.toMatch(/hunter/);
    const withoutSecret = writeConfig({ ...base, tls: { certificateSource: 'pfx', pfxPath: 'console.pfx' } });
    const config = loadConfig({ file: withoutSecret, env: { HNVUE__TLS__PASSPHRASE: 'hunter2' } });
    expect(config.tls.passphrase).toBe('hunter2');
  });

  it('NFR-SEC-02: a bad passphrase from the environment is not echoed either', () => {
    const lines = issuesOf(() =>
      loadConfig({
        file: writeConfig(base),
        env: { HNVUE__PACS__TLS__PASSPHRASE: 'hunter2', HNVUE__PACS__PORT: 'x' },
      }),
    );
    expect(lines).toEqual([
      'pacs.port: expected a number (integer 1-65535), got string "x" (from HNVUE__PACS__PORT)',
    ]);
    const typed = issuesOf(() =>
      loadConfig({ env: { HNVUE__TLS: '{"passphrase": 42, "minVersion": "x"}' } }),
    );
    expect(typed).toContain('tls.passphrase: expected a string, got number [redacted] (from HNVUE__TLS)');
    expect(typed.join('\n')).not.toContain('42');
  });

  it('NFR-CFG-01: relative paths in the file are resolved against its folder', () => {
    const file = writeConfig({
      ...base,
      queue: { path: 'queue.sqlite' },
      tls: {
        caPaths: ['ca.pem', '/abs/ca2.pem'],
        certPath: 'certs/console.pem',
        keyPath: 'certs/console.key',
      },
      pacs: { ...base.pacs, tls: { enabled: true, caPaths: ['pacs-ca.pem'] } },
    });
    const config = loadConfig({ file, env: { HNVUE__TLS__KEY_PATH: 'relative-to-cwd.key' } });
    expect(config.queue.path).toBe(join(dir, 'queue.sqlite'));
    expect(config.tls.caPaths).toEqual([join(dir, 'ca.pem'), '/abs/ca2.pem']);
    expect(config.tls.certPath).toBe(join(dir, 'certs/console.pem'));
    // Values from the environment are taken as given.
    expect(config.tls.keyPath).toBe('relative-to-cwd.key');
    expect(config.pacs?.tls.caPaths).toEqual([join(dir, 'pacs-ca.pem')]);
  });
});
