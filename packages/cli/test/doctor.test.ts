/**
 * `hnvue doctor` (issue 18 item 4, issue 13 item 4): Node.js, the addon, the backend serving each
 * transfer syntax, a C-ECHO to each configured destination (the simulator's RIS and PACS, and one
 * that is down), certificate expiry (openssl makes a valid and an expired one) and the queue.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registeredCodecs } from '@hnvue/dicom';
import { type RisPacsSimulator, startSimulator } from '@hnvue/simulator';
import { freePort, makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, main } from '../src/index.js';
import { selfSignedCertificate } from './helpers/certificates.js';
import { context } from './helpers/context.js';

let dir: string;
let sim: RisPacsSimulator;
let ris: number;
let pacs: number;

beforeAll(async () => {
  dir = await makeTempDir('hnvue-cli-doctor-');
  const started = await startSimulator({ storageDir: join(dir, 'pacs') });
  sim = started.simulator;
  ris = started.address.ris.port;
  pacs = started.address.pacs.port;
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  if (dir) await rmTempDir(dir);
});

describe('hnvue doctor', () => {
  it('FR-DICOM-04.store: without a configuration it names Node.js, the addon and the backend of every registered transfer syntax', async () => {
    const ctx = context();
    expect(await main(['doctor'], ctx)).toBe(EXIT_CODES.ok);
    expect(ctx.stdout()).toMatch(/^ok {3}node: v\d+/m);
    expect(ctx.stdout()).toMatch(/native addon: (loaded|disabled)/);
    for (const c of registeredCodecs()) expect(ctx.stdout()).toContain(`  ${c.transferSyntax} `);
    const json = context();
    expect(await main(['doctor', '--json'], json)).toBe(EXIT_CODES.ok);
    const report = JSON.parse(json.stdout()) as {
      checks: { name: string; ok: boolean }[];
      codecs: { transferSyntax: string; decode: string }[];
    };
    expect(report.codecs.find((c) => c.transferSyntax === '1.2.840.10008.1.2.5')?.decode).toBe(
      'hnvue-rle (js)',
    );
    // JPEG .51: the 8-bit and the 12-bit decoder are both named (native/lib/register.ts).
    expect(report.codecs.find((c) => c.transferSyntax === '1.2.840.10008.1.2.4.51')?.decode).toMatch(
      /^libjpeg-turbo \((native|wasm)\), (gdcm-ijg12 \(native\)|hnvue-jpeg12 \(js\))$/,
    );
  });

  it('NFR-CFG-01: with a configuration: C-ECHO per destination, one that is down named as a failure, certificate expiry, the queue; exit 7', async () => {
    const valid = (await selfSignedCertificate(dir, 'valid', 30)).crt;
    const expired = (await selfSignedCertificate(dir, 'expired', -1)).crt;
    const down = await freePort();
    const config = join(dir, 'console.json');
    await writeFile(
      config,
      JSON.stringify({
        local: { aeTitle: 'HNVUE' },
        uid: { deviceSerial: '7' },
        ris: { aeTitle: 'RIS', host: '127.0.0.1', port: ris },
        pacs: { aeTitle: 'PACS', host: '127.0.0.1', port: pacs },
        queryRetrieve: { aeTitle: 'GONE', host: '127.0.0.1', port: down, timeouts: { connectMs: 2000 } },
        tls: { caPaths: [valid, expired] },
        queue: { path: join(dir, 'queue') },
      }),
    );
    const ctx = context();
    expect(await main(['doctor', '-c', config], ctx)).toBe(EXIT_CODES.partial);
    const out = ctx.stdout();
    expect(out).toMatch(/^ok {3}C-ECHO ris: RIS@127\.0\.0\.1:\d+: status 0x0000/m);
    expect(out).toMatch(/^ok {3}C-ECHO pacs: PACS@127\.0\.0\.1:\d+: status 0x0000/m);
    expect(out).toMatch(
      new RegExp(`^FAIL C-ECHO queryRetrieve: GONE@127\\.0\\.0\\.1:${down}: HNV_ERR_`, 'm'),
    );
    expect(out).toMatch(/^ok {3}certificate .*valid\.crt: valid until .* \((29|30) days\)/m);
    expect(out).toMatch(/^FAIL certificate .*expired\.crt: expired on /m);
    expect(out).toMatch(/^ok {3}queue: .*none yet/m);
    const offline = context();
    await main(['doctor', '-c', config, '--no-network'], offline);
    expect(offline.stdout()).not.toContain('C-ECHO');
  });
});
