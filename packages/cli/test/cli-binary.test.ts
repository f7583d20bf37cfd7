/**
 * The real `hnvue` binary (bin/hnvue.mjs, from source) against the in-process simulator: exit
 * codes scripts rely on, `--json` output parsed, one-line errors for a bad host, a rejected
 * association and a bad configuration file.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDxImage, toPart10Buffer } from '@hnvue/iod';
import { type RisPacsSimulator, startSimulator } from '@hnvue/simulator';
import { freePort, makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/index.js';

const BIN = fileURLToPath(new URL('../bin/hnvue.mjs', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const DEMO_SCRIPT = fileURLToPath(new URL('../../../scripts/demo.mjs', import.meta.url));

function hnvue(args: readonly string[], script: string = BIN): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env: { ...process.env, HNVUE_CLI_SOURCE: '1' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

let dir: string;
let sim: RisPacsSimulator;
let ris: string;
let pacs: string;
let dxFile: string;

beforeAll(async () => {
  dir = await makeTempDir('hnvue-cli-');
  const started = await startSimulator({ storageDir: join(dir, 'pacs') });
  sim = started.simulator;
  ris = String(started.address.ris.port);
  pacs = String(started.address.pacs.port);
  const dx = buildDxImage({
    patient: { name: 'Cli^Test', id: 'CLI1' },
    study: { studyInstanceUid: '2.25.777' },
    equipment: { manufacturer: 'HnVue' },
    image: {
      rows: 64,
      columns: 64,
      bitsStored: 12,
      pixels: Uint16Array.from({ length: 4096 }, (_, i) => (i * 7) % 4096),
      windowCenter: 2048,
      windowWidth: 4096,
    },
    anatomy: { imageLaterality: 'U', bodyPart: 'CHEST' },
    acquisition: { kvp: 120, viewPosition: 'PA' },
    presentationIntent: 'FOR PRESENTATION',
    detector: { type: 'SCINTILLATOR', imagerPixelSpacingMm: [0.14, 0.14] },
  });
  dxFile = join(dir, 'dx.dcm');
  await writeFile(dxFile, toPart10Buffer(dx.dataset, dx.pixelData));
});

afterAll(async () => {
  await sim?.stop();
  await rmTempDir(dir);
});

// Concurrent: each run starts a Node process (most of its time is start-up, not work).
describe.concurrent('hnvue binary', { timeout: 90_000 }, () => {
  it('echo succeeds with DCMTK-style options and exits 0', async () => {
    const r = await hnvue(['echo', '-aet', 'CLITEST', '-aec', 'PACS', '127.0.0.1', pacs, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_CODES.ok);
    expect(JSON.parse(r.stdout).echoes[0].status).toBe(0);
  });

  it('FR-DICOM-03.charset: worklist --json is DICOM JSON with the Korean name decoded', async () => {
    const r = await hnvue(['worklist', '-aec', 'RIS', '127.0.0.1', ris, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_CODES.ok);
    const items = JSON.parse(r.stdout) as Record<string, { Value?: unknown[] }>[];
    expect(items.length).toBe(sim.worklist.length);
    const names = items.map((i) => i['00100010']?.Value?.[0]);
    expect(names).toContainEqual(expect.objectContaining({ Phonetic: '홍^길동' }));
  });

  it('FR-DICOM-04.store: store sends a file and store --json reports it', async () => {
    const r = await hnvue(['store', '-aec', 'PACS', '127.0.0.1', pacs, dxFile, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_CODES.ok);
    expect(JSON.parse(r.stdout)).toMatchObject({ stored: 1, failed: 0 });
  });

  it('--version prints the version of @hnvue/cli that `changeset version` wrote in its package.json', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const r = await hnvue(['--version']);
    expect(r.code, r.stderr).toBe(EXIT_CODES.ok);
    expect(r.stdout).toBe(`hnvue ${pkg.version}\n`);
  });

  it('FR-DICOM-03: worklist into a reader that has gone (`| head`) ends with its own exit code, no EPIPE crash', async () => {
    const child = spawn(process.execPath, [BIN, 'worklist', '-aec', 'RIS', '127.0.0.1', ris], {
      env: { ...process.env, HNVUE_CLI_SOURCE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The read end is closed before the first line is written, as `head` does after its lines.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code, stderr).toBe(EXIT_CODES.ok);
  });

  it('a bad host ends with exit 4 and one line naming HNV_ERR_CONNECT', async () => {
    const port = await freePort();
    const r = await hnvue(['echo', '127.0.0.1', String(port), '-to', '3']);
    expect(r.code).toBe(EXIT_CODES.network);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^hnvue: HNV_ERR_CONNECT: /);
  });

  it('a rejected association (unknown called AE) ends with exit 5', async () => {
    const r = await hnvue(['echo', '-aec', 'NOT_PACS', '127.0.0.1', pacs]);
    expect(r.code).toBe(EXIT_CODES.rejected);
    expect(r.stderr).toMatch(/^hnvue: HNV_ERR_ASSOC_REJECTED: /);
  });

  it('NFR-CFG-01: a bad configuration file ends with exit 3 and the offending key', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        local: { aeTitle: 'X' },
        uid: { deviceSerial: '1' },
        pacs: { host: 'h', port: 'abc' },
      }),
    );
    const r = await hnvue(['echo', '--config', file]);
    expect(r.code).toBe(EXIT_CODES.config);
    expect(r.stderr).toMatch(/^hnvue: HNV_ERR_CONFIG: .*pacs\.port/);
    expect(r.stderr).toContain('hint:');
  });

  it('NFR-SEC-01: `pnpm demo` (scripts/demo.mjs) with debug logging writes no patient name, ID, birth date or accession number', async () => {
    const out = join(dir, 'demo');
    const r = await hnvue(['--size', '128', '--out', out, '-d', '--json'], DEMO_SCRIPT);
    expect(r.code, r.stderr.slice(-2000)).toBe(EXIT_CODES.ok);
    expect(JSON.parse(r.stdout)).toMatchObject({ mppsStatus: 'COMPLETED', committed: 2 });
    const logLines = r.stderr.trim().split('\n');
    expect(logLines.length).toBeGreaterThan(20);
    for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow();
    for (const item of sim.worklist) {
      const name = String(item.PatientName).split('=');
      for (const value of [...name, item.PatientID, item.AccessionNumber, item.PatientBirthDate]) {
        expect(r.stderr).not.toContain(String(value));
      }
    }
  });

  it('simulate serves until SIGINT and exits 0', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'simulate', '--ris-port', '0', '--pacs-port', '0', '--dir', join(dir, 'simulate'), '--json'],
      {
        env: { ...process.env, HNVUE_CLI_SOURCE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const ready = await new Promise<{ pacs: { port: number } }>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]!));
        });
        child.once('exit', (code) => reject(new Error(`simulate exited early with ${code}`)));
      });
      const echo = await hnvue(['echo', '-aec', 'PACS', '127.0.0.1', String(ready.pacs.port)]);
      expect(echo.code, echo.stderr).toBe(EXIT_CODES.ok);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(EXIT_CODES.ok);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('NFR-OBS-01: an ACSE timeout (-ta 2) against a silent peer ends the process when it fires, not seconds later', async () => {
    const held: import('node:net').Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const child = spawn(process.execPath, [BIN, 'echo', '-ta', '2', '127.0.0.1', String(port)], {
        env: { ...process.env, HNVUE_CLI_SOURCE: '1' },
      });
      let errorAt = 0;
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        errorAt ||= Date.now() - started;
        stderr += d.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const exitAt = Date.now() - started;
      expect(code).toBe(EXIT_CODES.network);
      expect(stderr).toMatch(/HNV_ERR_TIMEOUT: acse timeout after 2000 ms/);
      // Before the fix the process lingered ~4 s after printing the error (an aborted socket).
      expect(exitAt - errorAt).toBeLessThan(1500);
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });
});
