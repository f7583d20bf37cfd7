import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HnvError, type HnvErrorCode } from '@hnvue/core';
import { buildCrImage, toPart10Buffer } from '@hnvue/iod';
import { DeliveryError, TransmissionQueue } from '@hnvue/queue';
import { type RisPacsSimulator, startSimulator } from '@hnvue/simulator';
import { freePort, generateTlsMaterial, makeTempDir, rmTempDir, startStorescp } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeArgv } from '../src/args.js';
import { type CliContext, EXIT_CODES, exitCodeFor, formatError, main, renderToPng } from '../src/index.js';

let dir: string;
let crFile: string;
let sim: RisPacsSimulator;
let ris: string;
let pacs: string;

beforeAll(async () => {
  dir = await makeTempDir('hnvue-cli-main-');
  // A CR, MONOCHROME1, with a ramp: black-to-white inverted by the photometric interpretation.
  const cr = buildCrImage({
    patient: { name: 'Render^Test', id: 'R1' },
    equipment: { manufacturer: 'HnVue' },
    image: {
      rows: 4,
      columns: 4,
      bitsStored: 10,
      pixels: Uint16Array.from({ length: 16 }, (_, i) => i * 64),
      photometricInterpretation: 'MONOCHROME1',
      windowCenter: 512,
      windowWidth: 1024,
    },
    anatomy: { imageLaterality: 'U', bodyPart: 'CHEST' },
  });
  crFile = join(dir, 'cr.dcm');
  await writeFile(crFile, toPart10Buffer(cr.dataset, cr.pixelData));
  const started = await startSimulator({ storageDir: join(dir, 'pacs') });
  sim = started.simulator;
  ris = String(started.address.ris.port);
  pacs = String(started.address.pacs.port);
});

afterAll(async () => {
  await sim?.stop();
  await rmTempDir(dir);
});

function context(): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    interactive: false,
    logger: () => ({
      trace: () => {},
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: () => {},
      fatal: () => {},
      child() {
        return this;
      },
    }),
    signal: new AbortController().signal,
  };
}

describe('command line', () => {
  it('rewrites DCMTK spellings to long options', () => {
    expect(
      normalizeArgv(['-aet', 'A', '-aec', 'B', '-to', '5', '+tls', 'k.pem', 'c.pem', '+cf', 'ca.pem', '-ic']),
    ).toEqual([
      '--aet',
      'A',
      '--aec',
      'B',
      '--timeout',
      '5',
      '--tls',
      '--tls-key',
      'k.pem',
      '--tls-cert',
      'c.pem',
      '--tls-ca',
      'ca.pem',
      '--no-verify',
    ]);
  });

  it('maps error codes to the documented exit codes', () => {
    const cases: [string, number][] = [
      ['HNV_ERR_USAGE', EXIT_CODES.usage],
      ['HNV_ERR_CONFIG', EXIT_CODES.config],
      ['HNV_ERR_CONNECT', EXIT_CODES.network],
      ['HNV_ERR_TLS', EXIT_CODES.network],
      ['HNV_ERR_TIMEOUT', EXIT_CODES.network],
      ['HNV_ERR_ASSOC_REJECTED', EXIT_CODES.rejected],
      ['HNV_ERR_DIMSE_FAILURE', EXIT_CODES.dimseFailure],
      ['HNV_ERR_PARTIAL', EXIT_CODES.partial],
      ['HNV_ERR_INPUT', EXIT_CODES.input],
      ['HNV_ERR_SOMETHING_ELSE', EXIT_CODES.internal],
    ];
    // `as`: the last case is a code outside the catalogue, as an untyped caller could make.
    for (const [code, exit] of cases)
      expect(exitCodeFor(new HnvError(code as HnvErrorCode, 'x')), code).toBe(exit);
    expect(formatError(new HnvError('HNV_ERR_CONNECT', 'two\nlines', { hint: 'do this' }))).toBe(
      'hnvue: HNV_ERR_CONNECT: two; lines (hint: do this)',
    );
  });

  it('an unknown option is a usage error (exit 2), one line on stderr', async () => {
    const ctx = context();
    expect(await main(['echo', '--bogus'], ctx)).toBe(EXIT_CODES.usage);
    expect(ctx.stderr.join('')).toMatch(/^hnvue: HNV_ERR_USAGE: .*\n$/);
  });

  it('a missing input file exits 8', async () => {
    const ctx = context();
    expect(await main(['render', join(dir, 'nope.dcm')], ctx)).toBe(EXIT_CODES.input);
    expect(ctx.stderr.join('')).toMatch(/^hnvue: ENOENT: /);
  });

  it('render applies the window and inverts MONOCHROME1 (PS3.3 C.11.2.1.2.1, C.7.6.3.1.2)', async () => {
    const out = join(dir, 'cr.png');
    const ctx = context();
    expect(await main(['render', crFile, out, '--json'], ctx)).toBe(EXIT_CODES.ok);
    expect(JSON.parse(ctx.stdout.join(''))).toMatchObject({
      rows: 4,
      columns: 4,
      windowCenter: 512,
      windowWidth: 1024,
    });
    expect((await readFile(out)).subarray(1, 4).toString()).toBe('PNG');
    const sharp = (await import('sharp')).default;
    const { png } = await renderToPng(crFile);
    const raw = await sharp(png).raw().toBuffer();
    // Stored 0 is the lowest value: white in MONOCHROME1; the top of the ramp is near black.
    expect(raw[0]).toBe(255);
    expect(raw[raw.length - 1]!).toBeLessThan(20);
  });

  it('FR-DICOM-05: mpps start then complete, referencing a file', async () => {
    const start = context();
    expect(
      await main(['mpps', 'start', '-aet', 'CLI_MPPS', '-aec', 'RIS', '127.0.0.1', ris, '--json'], start),
    ).toBe(EXIT_CODES.ok);
    const { sopInstanceUid } = JSON.parse(start.stdout.join('')) as { sopInstanceUid: string };
    expect(sim.mppsRecords.get(sopInstanceUid)?.status).toBe('IN PROGRESS');
    const done = context();
    const code = await main(
      ['mpps', 'complete', '--uid', sopInstanceUid, '-aec', 'RIS', '127.0.0.1', ris, crFile],
      done,
    );
    expect(code, done.stderr.join('')).toBe(EXIT_CODES.ok);
    expect(sim.mppsRecords.get(sopInstanceUid)?.status).toBe('COMPLETED');
  });

  it('FR-DICOM-07: commit exits 0 for a stored object and 7 for one the PACS does not have', async () => {
    const listen = await freePort();
    sim.registerModality('CLI_COMMIT', { host: '127.0.0.1', port: listen });
    const store = context();
    expect(await main(['store', '-aec', 'PACS', '127.0.0.1', pacs, crFile], store)).toBe(EXIT_CODES.ok);
    const ok = context();
    const args = [
      '-aet',
      'CLI_COMMIT',
      '-aec',
      'PACS',
      '--listen-port',
      String(listen),
      '--wait',
      '10',
      '--json',
    ];
    expect(await main(['commit', ...args, '127.0.0.1', pacs, crFile], ok), ok.stderr.join('')).toBe(
      EXIT_CODES.ok,
    );
    expect(JSON.parse(ok.stdout.join(''))).toMatchObject({ requested: 1, committed: 1, timedOut: false });
    // It says where it waits and for how long before waiting (issue 18).
    expect(ok.stderr.join('')).toMatch(
      new RegExp(
        `^waiting up to 10 s for the report from PACS: on this association, or on our listener CLI_COMMIT@[0-9.]+:${listen}$`,
        'm',
      ),
    );

    const other = join(dir, 'other.dcm');
    const cr = buildCrImage({
      patient: { name: 'Other^Test' },
      equipment: { manufacturer: 'HnVue' },
      image: {
        rows: 2,
        columns: 2,
        bitsStored: 8,
        pixels: new Uint8Array(4),
        windowCenter: 128,
        windowWidth: 256,
      },
      anatomy: { imageLaterality: 'U' },
    });
    await writeFile(other, toPart10Buffer(cr.dataset, cr.pixelData));
    const bad = context();
    expect(await main(['commit', ...args, '127.0.0.1', pacs, other], bad)).toBe(EXIT_CODES.partial);
    expect(JSON.parse(bad.stdout.join('')).failed[0].failureReason).toBe(0x0112);
  });

  it('FR-DICOM-04.negotiation: store transcodes when the PACS accepts only JPEG Lossless (--propose jpeg-ll)', async () => {
    const { simulator, address } = await startSimulator({
      storageDir: join(dir, 'jpeg-pacs'),
      pacs: { transferSyntaxes: ['1.2.840.10008.1.2.4.70'] },
    });
    try {
      const ctx = context();
      const code = await main(
        [
          'store',
          '--propose',
          'jpeg-ll',
          '--no-implicit',
          '-aec',
          'PACS',
          '127.0.0.1',
          String(address.pacs.port),
          crFile,
          '--json',
        ],
        ctx,
      );
      expect(code, ctx.stderr.join('')).toBe(EXIT_CODES.ok);
      expect(JSON.parse(ctx.stdout.join('')).files[0]).toMatchObject({
        transferSyntax: '1.2.840.10008.1.2.4.70',
        transcoded: true,
      });
    } finally {
      await simulator.stop();
    }
  });

  it('NFR-REL-01: queue status counts a FAILED item and queue retry --all-failed re-queues it', async () => {
    const queueDir = join(dir, 'queue');
    const queue = await TransmissionQueue.open({
      dir: queueDir,
      sender: async () => {
        throw new DeliveryError('refused for the test', { retryable: false });
      },
    });
    const failed = new Promise((resolve) => queue.once('failed', resolve));
    queue.start();
    await queue.enqueue({
      destination: 'pacs',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.1',
      sopInstanceUid: '2.25.31337',
      source: { bytes: new Uint8Array(8) },
    });
    await failed;
    await queue.close({ graceMs: 0 });
    const status = context();
    expect(await main(['queue', 'status', '--queue-dir', queueDir, '--json'], status)).toBe(EXIT_CODES.ok);
    expect(JSON.parse(status.stdout.join('')).total.FAILED).toBe(1);
    const retry = context();
    expect(await main(['queue', 'retry', '--all-failed', '--queue-dir', queueDir, '--json'], retry)).toBe(
      EXIT_CODES.ok,
    );
    expect(JSON.parse(retry.stdout.join('')).requeued).toHaveLength(1);
    const after = context();
    await main(['queue', 'status', '--queue-dir', queueDir, '--json'], after);
    expect(JSON.parse(after.stdout.join('')).total).toMatchObject({ FAILED: 0, PENDING: 1 });
  });
});

describe('TLS options (NFR-SEC-02)', () => {
  it('+tls KEY CERT +cf CA reach a mutual-TLS storescp; without a client certificate: exit 4', async () => {
    const tls = await generateTlsMaterial();
    const peer = await startStorescp({
      tls: { key: tls.serverKey, cert: tls.serverCert, ca: tls.caCert, requirePeerCert: true },
    });
    try {
      const ok = context();
      const args = ['-aec', 'STORESCP', '127.0.0.1', String(peer.port)];
      const code = await main(
        ['echo', '+tls', tls.clientKey, tls.clientCert, '+cf', tls.caCert, ...args],
        ok,
      );
      expect(code, ok.stderr.join('')).toBe(EXIT_CODES.ok);
      const anonymous = context();
      expect(await main(['echo', '--tls', '--tls-ca', tls.caCert, ...args], anonymous)).toBe(
        EXIT_CODES.network,
      );
      expect(anonymous.stderr.join('')).toMatch(/^hnvue: HNV_ERR_(TLS|ASSOC_ABORTED|CONNECT): /);
    } finally {
      await peer.stop();
      await rmTempDir(tls.dir);
    }
  });
});
