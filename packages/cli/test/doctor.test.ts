/**
 * `hnvue doctor` (issue 18 item 4, issue 13 item 4): Node.js, the addon, the backend serving each
 * transfer syntax, a C-ECHO to each configured destination (the simulator's RIS and PACS, and one
 * that is down), certificate expiry (openssl makes a valid and an expired one) and the queue.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registeredCodecs } from '@hnvue/dicom';
import { type RisPacsSimulator, startSimulator } from '@hnvue/simulator';
import { freePort, makeTempDir, rmTempDir, run } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, main } from '../src/index.js';
import { context } from './helpers/context.js';

let dir: string;
let sim: RisPacsSimulator;
let ris: number;
let pacs: number;

async function certificate(name: string, days: number): Promise<string> {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  const subj = ['-subj', `/CN=${name}`];
  const ok = async (args: string[]) => {
    const r = await run('openssl', args);
    expect(r.code, r.stderr).toBe(0);
  };
  if (days > 0) {
    await ok([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-days',
      String(days),
      ...subj,
    ]);
    return crt;
  }
  // OpenSSL 3.0's req takes no start date: `ca -selfsign` with both dates in the past.
  const ca = join(dir, `${name}-ca`);
  await mkdir(ca);
  await writeFile(join(ca, 'index.txt'), '');
  await writeFile(join(ca, 'serial'), '01\n');
  await writeFile(
    join(ca, 'ca.cnf'),
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${ca}/index.txt\nnew_certs_dir = ${ca}\nserial = ${ca}/serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n`,
  );
  await ok([
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    `${ca}/req.csr`,
    ...subj,
  ]);
  await ok([
    'ca',
    '-config',
    `${ca}/ca.cnf`,
    '-selfsign',
    '-keyfile',
    key,
    '-in',
    `${ca}/req.csr`,
    '-out',
    crt,
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
    '-batch',
  ]);
  return crt;
}

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
    const valid = await certificate('valid', 30);
    const expired = await certificate('expired', -1);
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
