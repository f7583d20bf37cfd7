import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { buildCrImage, toPart10Buffer } from '@hnvue/iod';
import { type RisPacsSimulator, startSimulator } from '@hnvue/simulator';
import { freePort, makeTempDir, type OrthancPeer, rmTempDir, startOrthanc } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliContext, EXIT_CODES, main } from '../src/index.js';

let dir: string;
let crFile: string;
let otherFile: string;
let sim: RisPacsSimulator;
let ris: string;
let pacs: string;

function image(name: string) {
  const cr = buildCrImage({
    patient: { name, id: 'MC1' },
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
  return toPart10Buffer(cr.dataset, cr.pixelData);
}

beforeAll(async () => {
  dir = await makeTempDir('hnvue-cli-mpps-commit-');
  crFile = join(dir, 'cr.dcm');
  otherFile = join(dir, 'other.dcm');
  await writeFile(crFile, image('Mpps^Commit'));
  await writeFile(otherFile, image('Not^Stored'));
  const started = await startSimulator({ storageDir: join(dir, 'pacs') });
  sim = started.simulator;
  ris = String(started.address.ris.port);
  pacs = String(started.address.pacs.port);
});

afterAll(async () => {
  await sim?.stop();
  await rmTempDir(dir);
});

function context(signal = new AbortController().signal): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const logger = {
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: () => {},
    fatal: () => {},
    child() {
      return logger;
    },
  };
  return {
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    interactive: false,
    logger: () => logger,
    signal,
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function mppsStart(): Promise<string> {
  const ctx = context();
  const code = await main(
    ['mpps', 'start', '-aet', 'CLI_MC', '-aec', 'RIS', '127.0.0.1', ris, '--json'],
    ctx,
  );
  expect(code, ctx.stderr.join('')).toBe(EXIT_CODES.ok);
  const { sopInstanceUid } = JSON.parse(ctx.stdout.join('')) as { sopInstanceUid: string };
  return sopInstanceUid;
}

describe('hnvue mpps over the stateless N-CREATE / N-SET (simulator RIS)', () => {
  it('FR-DICOM-05: start then discontinue (two processes, no shared state): the RIS holds DISCONTINUED', async () => {
    const uid = await mppsStart();
    expect(sim.mppsRecords.get(uid)?.status).toBe('IN PROGRESS');
    const ctx = context();
    const code = await main(
      ['mpps', 'discontinue', '--uid', uid, '-aec', 'RIS', '127.0.0.1', ris, '--json'],
      ctx,
    );
    expect(code, ctx.stderr.join('')).toBe(EXIT_CODES.ok);
    expect(JSON.parse(ctx.stdout.join(''))).toEqual({ action: 'discontinue', sopInstanceUid: uid });
    expect(sim.mppsRecords.get(uid)?.status).toBe('DISCONTINUED');
  });

  it('FR-DICOM-05: completing a step twice: the RIS refuses the second N-SET (0110/A710), exit 6, one line on stderr', async () => {
    const uid = await mppsStart();
    const args = ['mpps', 'complete', '--uid', uid, '-aec', 'RIS', '127.0.0.1', ris, crFile];
    expect(await main(args, context())).toBe(EXIT_CODES.ok);
    const again = context();
    expect(await main(args, again)).toBe(EXIT_CODES.dimseFailure);
    expect(again.stderr.join('')).toMatch(/^hnvue: HNV_ERR_DIMSE_FAILURE: .*\n$/);
    expect(sim.mppsRecords.get(uid)?.status).toBe('COMPLETED');
    expect(sim.mppsRecords.get(uid)?.dataset.PerformedSeriesSequence).toHaveLength(1);
  });

  it('FR-DICOM-05: completing a step the RIS does not know is exit 6 (0112 no such instance)', async () => {
    const ctx = context();
    const unknown = '1.2.826.0.1.3680043.10.1234.99.17';
    expect(
      await main(['mpps', 'complete', '--uid', unknown, '-aec', 'RIS', '127.0.0.1', ris, crFile], ctx),
    ).toBe(EXIT_CODES.dimseFailure);
    expect(sim.mppsRecords.has(unknown)).toBe(false);
  });

  it('FR-DICOM-05: start with no RIS listening is exit 4 (network)', async () => {
    const ctx = context();
    const port = String(await freePort());
    expect(await main(['mpps', 'start', '-aec', 'RIS', '127.0.0.1', port], ctx)).toBe(EXIT_CODES.network);
    expect(ctx.stderr.join('')).toMatch(/^hnvue: HNV_ERR_CONNECT: /);
  });
});

describe('hnvue commit over requestCommitment', () => {
  it('FR-DICOM-07: a PACS that never reports (it does not know our AE): exit 7 after --wait, timedOut, listener closed', async () => {
    const listen = await freePort();
    expect(await main(['store', '-aec', 'PACS', '127.0.0.1', pacs, crFile], context())).toBe(EXIT_CODES.ok);
    const ctx = context();
    const begun = Date.now();
    const code = await main(
      [
        'commit',
        '-aet',
        'CLI_UNKNOWN',
        '-aec',
        'PACS',
        '--listen-port',
        String(listen),
        '--wait',
        '1',
        '--json',
        '127.0.0.1',
        pacs,
        crFile,
      ],
      ctx,
    );
    expect(code).toBe(EXIT_CODES.partial);
    expect(Date.now() - begun).toBeGreaterThanOrEqual(1000);
    expect(JSON.parse(ctx.stdout.join(''))).toMatchObject({
      listenerPort: listen,
      requested: 1,
      committed: 0,
      timedOut: true,
    });
    expect(ctx.stderr.join('')).toMatch(
      /^waiting up to \d+ s for the report from .*\nhnvue: HNV_ERR_PARTIAL: no storage commitment report in time/,
    );
    expect(await listening(listen)).toBe(false);
  });

  it("FR-DICOM-07: without --wait it says at once where it listens and waits at most 120 s, not the console's 600 s timeout", async () => {
    const controller = new AbortController();
    const ctx = context(controller.signal);
    // Stop as soon as the waiting line is out: what is asserted is that line, not the wait.
    const poll = setInterval(() => {
      if (ctx.stderr.join('').includes('waiting')) controller.abort();
    }, 20);
    try {
      const code = await main(
        ['commit', '-aet', 'CLI_UNKNOWN', '-aec', 'PACS', '--listen-port', '0', '127.0.0.1', pacs, crFile],
        ctx,
      );
      expect(code).toBe(EXIT_CODES.network);
    } finally {
      clearInterval(poll);
    }
    const [line] = ctx.stderr.join('').split('\n');
    const m =
      /^waiting up to (\d+) s for the report from PACS: on this association, or on our listener CLI_UNKNOWN@[\d.]+:(\d+)$/.exec(
        line ?? '',
      );
    expect(m, line).not.toBeNull();
    expect(Number(m?.[1])).toBe(120);
    expect(Number(m?.[2])).toBeGreaterThan(0);
  });

  it('FR-DICOM-07: SIGINT while waiting for the report ends the command (CancelledError, exit 4), listener closed', async () => {
    const listen = await freePort();
    const controller = new AbortController();
    const ctx = context(controller.signal);
    setTimeout(() => controller.abort(), 300).unref();
    const code = await main(
      [
        'commit',
        '-aet',
        'CLI_UNKNOWN',
        '-aec',
        'PACS',
        '--listen-port',
        String(listen),
        '--wait',
        '30',
      ].concat(['127.0.0.1', pacs, crFile]),
      ctx,
    );
    expect(code).toBe(EXIT_CODES.network);
    expect(ctx.stderr.join('')).toMatch(
      /^waiting up to \d+ s for the report from .*\nhnvue: HNV_ERR_CANCELLED: /,
    );
    expect(await listening(listen)).toBe(false);
  });
});

describe('hnvue commit against Orthanc', () => {
  let orthanc: OrthancPeer;
  let listen: number;

  beforeAll(async () => {
    listen = await freePort();
    orthanc = await startOrthanc({
      config: {
        DicomModalities: {
          cli: { AET: 'CLI_ORTHANC', Host: '127.0.0.1', Port: listen, AllowStorageCommitment: true },
        },
      },
    });
    const ctx = context();
    expect(
      await main(
        ['store', '-aet', 'CLI_ORTHANC', '-aec', 'ORTHANC', '127.0.0.1', String(orthanc.port), crFile],
        ctx,
      ),
      ctx.stderr.join(''),
    ).toBe(EXIT_CODES.ok);
  });

  afterAll(async () => {
    await orthanc?.stop();
  });

  const commit = (ctx: CliContext, ...files: string[]) =>
    main(
      [
        'commit',
        '-aet',
        'CLI_ORTHANC',
        '-aec',
        'ORTHANC',
        '--listen-port',
        String(listen),
        '--wait',
        '15',
        '--json',
        '127.0.0.1',
        String(orthanc.port),
        ...files,
      ],
      ctx,
    );

  it('FR-DICOM-07: a stored object is committed (exit 0, reported by ORTHANC on a new association)', async () => {
    const ctx = context();
    expect(await commit(ctx, crFile), ctx.stderr.join('')).toBe(EXIT_CODES.ok);
    expect(JSON.parse(ctx.stdout.join(''))).toMatchObject({
      listenerPort: listen,
      requested: 1,
      committed: 1,
      failed: [],
      timedOut: false,
      reportedBy: 'ORTHANC',
    });
  });

  it('FR-DICOM-07: an object Orthanc does not have fails 0x0112: exit 7 with the failed reference', async () => {
    const ctx = context();
    expect(await commit(ctx, crFile, otherFile)).toBe(EXIT_CODES.partial);
    const summary = JSON.parse(ctx.stdout.join('')) as {
      committed: number;
      failed: { failureReason: number }[];
    };
    expect(summary.committed).toBe(1);
    expect(summary.failed.map((f) => f.failureReason)).toEqual([0x0112]);
  });
});

describe('the CLI builds no DIMSE command of its own', () => {
  it('FR-DICOM-05 / FR-DICOM-07: no command field, raw send, listener or commitment correlator in packages/cli/src', () => {
    const src = join(import.meta.dirname, '..', 'src');
    const offending: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const path = join(d, e.name);
        if (e.isDirectory()) walk(path);
        else if (
          /\b(COMMAND_FIELD|createServer|StorageCommitmentScu)\b|\.send\(\{/.test(readFileSync(path, 'utf8'))
        )
          offending.push(e.name);
      }
    };
    walk(src);
    expect(offending).toEqual([]);
  });
});
