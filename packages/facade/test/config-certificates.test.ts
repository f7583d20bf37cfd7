import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceOptions } from '../src/certificates.js';
import { configJsonSchema, loadConfig, parseConfig } from '../src/index.js';
import { issuesOf } from './config-issues.js';

const minimal = { local: { aeTitle: 'HNVUE_DR1' }, uid: { deviceSerial: '1234' } };
const pacs = { aeTitle: 'PACS', host: 'pacs.hospital.example' };

describe('certificate source configuration (NFR-SEC-02)', () => {
  it('NFR-SEC-02: a pkcs11 source needs the key URI and a PIN source (the certificate may be in the token); no PIN in the URI', () => {
    expect(issuesOf(() => parseConfig({ ...minimal, tls: { certificateSource: 'pkcs11' } }))).toEqual([
      'tls.pkcs11: expected pkcs11.uri (the token key) when certificateSource is "pkcs11", got nothing',
    ]);
    // Without certPath: the certificate beside the key in the token.
    expect(
      parseConfig({
        ...minimal,
        pacs: {
          ...pacs,
          tls: {
            enabled: true,
            certificateSource: 'pkcs11',
            pkcs11: { uri: 'pkcs11:token=t;object=k', pinFile: '/run/pin' },
          },
        },
      }).pacs?.tls.certPath,
    ).toBeUndefined();
    expect(
      issuesOf(() =>
        parseConfig({
          ...minimal,
          tls: {
            certificateSource: 'pkcs11',
            certPath: '/c.pem',
            pkcs11: { uri: 'pkcs11:token=t;object=k' },
          },
        }),
      ),
    ).toEqual([
      'tls.pkcs11: expected pkcs11.pinEnv or pkcs11.pinFile (the token PIN, never in the file), got nothing',
    ]);
    const issues = issuesOf(() =>
      parseConfig({
        ...minimal,
        tls: {
          certificateSource: 'pkcs11',
          certPath: '/c.pem',
          pkcs11: { uri: 'pkcs11:token=t;object=k?pin-value=1234', pinEnv: 'PIN' },
        },
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^tls\.pkcs11\.uri: expected PKCS#11 URI without pin-value/);
  });

  it('NFR-SEC-02: a destination inherits the global pkcs11 source; the PIN comes from pinEnv at start-up', () => {
    const config = parseConfig({
      ...minimal,
      tls: {
        certificateSource: 'pkcs11',
        certPath: '/c.pem',
        pkcs11: { uri: 'pkcs11:token=t;object=k', pinEnv: 'CONSOLE_PIN', modulePath: '/m.so' },
      },
      pacs: { ...pacs, tls: { enabled: true } },
    });
    expect(config.pacs?.tls).toMatchObject({ certificateSource: 'pkcs11', certPath: '/c.pem' });
    expect(sourceOptions(config.pacs!.tls, { CONSOLE_PIN: '4711' })).toEqual({
      source: 'pkcs11',
      certFile: '/c.pem',
      key: { uri: 'pkcs11:token=t;object=k', modulePath: '/m.so', pin: '4711' },
    });
    expect(() => sourceOptions(config.pacs!.tls, {})).toThrow(
      expect.objectContaining({ code: 'HNV_ERR_TLS', reason: 'key-not-found' }),
    );
  });

  it('NFR-SEC-02: a store source takes a label or thumbprint, and storeLocation for Windows', () => {
    const config = parseConfig({
      ...minimal,
      tls: { certificateSource: 'store', storeId: 'AB:CD', storeLocation: 'LocalMachine' },
    });
    expect(sourceOptions(config.tls)).toEqual({
      source: 'store',
      storeId: 'AB:CD',
      storeLocation: 'LocalMachine',
    });
    expect(
      issuesOf(() =>
        parseConfig({ ...minimal, tls: { certificateSource: 'store', storeLocation: 'Nowhere' } }),
      ),
    ).toEqual(['tls.storeLocation: expected one of "CurrentUser", "LocalMachine", got "Nowhere"']);
  });

  it('NFR-SEC-02: in a file, the token PIN file and module paths are relative to the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hnvue-pkcs11-config-'));
    try {
      const file = join(dir, 'dicom.json');
      writeFileSync(
        file,
        JSON.stringify({
          ...minimal,
          tls: {
            certificateSource: 'pkcs11',
            certPath: 'certs/console.pem',
            pkcs11: { uri: 'pkcs11:token=t;object=k', pinFile: 'secrets/pin', modulePath: '/usr/lib/m.so' },
          },
        }),
      );
      const config = loadConfig({ file, env: {} });
      expect(config.tls.certPath).toBe(join(dir, 'certs/console.pem'));
      expect(config.tls.pkcs11).toEqual({
        uri: 'pkcs11:token=t;object=k',
        pinFile: join(dir, 'secrets/pin'),
        modulePath: '/usr/lib/m.so',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('NFR-SEC-02: the JSON Schema describes the pkcs11 source and its block', () => {
    type Node = { enum?: string[]; properties: Record<string, Node> };
    const tls = (configJsonSchema().properties as Record<string, Node>).tls!;
    expect(tls.properties.certificateSource?.enum).toEqual(['pem', 'pfx', 'pkcs11', 'store']);
    expect(Object.keys(tls.properties.pkcs11?.properties ?? {})).toEqual([
      'uri',
      'modulePath',
      'enginePath',
      'pinEnv',
      'pinFile',
    ]);
    expect(tls.properties.storeLocation?.enum).toEqual(['CurrentUser', 'LocalMachine']);
  });
});
