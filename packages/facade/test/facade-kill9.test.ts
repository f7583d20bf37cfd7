import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RisPacsSimulator } from '@hnvue/simulator';
import { freePort, makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterEach, describe, expect, it } from 'vitest';

// kill -9 at every step boundary of a procedure (issue 14, Proof): a child process runs the day
// through the facade and its own queue senders (fixtures/kill9-day.ts), freezes at one boundary and
// is SIGKILLed there; a new process on the same folder completes the day. The PACS then holds each
// image once, the MPPS is COMPLETED once, the commitment is requested and succeeds once.
const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD = join(HERE, 'fixtures', 'kill9-day.ts');
const REPO_ROOT = resolve(HERE, '../../..');
const BOUNDARIES = [
  'ncreate-queued',
  'image-saved',
  'enqueued',
  'delivered',
  'commitment-requested',
] as const;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Run {
  readonly lines: string[];
  readonly child: ChildProcess;
  /** Resolves with the first line `match` accepts; rejects if the process ends first. */
  line(match: (line: string) => boolean, what: string): Promise<string>;
  readonly exited: Promise<number | null>;
}

function run(configPath: string, killAt?: string, procedureId?: string): Run {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@hnvue/source',
      '--import',
      'tsx',
      CHILD,
      configPath,
      ...(procedureId ? [procedureId] : []),
    ],
    { cwd: REPO_ROOT, env: { ...process.env, KILL_AT: killAt ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.splice(0)) w.match(l) ? w.resolve(l) : waiters.push(w);
    }
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    lines,
    child,
    exited,
    line: (match, what) =>
      new Promise<string>((resolve, reject) => {
        const found = lines.find(match);
        if (found) return resolve(found);
        waiters.push({ match, resolve });
        void exited.then((code) =>
          reject(new Error(`child ended (${code}) before ${what}: ${lines.join(' | ')} ${stderr}`)),
        );
      }),
  };
}

async function day(killAt: (typeof BOUNDARIES)[number]) {
  const dir = await makeTempDir('hnvue-facade-kill9-');
  cleanups.push(() => rmTempDir(dir));
  const storageDir = join(dir, 'pacs');
  // After the N-ACTION the report waits, so it reaches the process that replaced the killed one.
  const commitmentDelayMs = killAt === 'commitment-requested' ? 5000 : 0;
  const sim = new RisPacsSimulator({ storageDir, commitmentDelayMs });
  const address = await sim.start();
  cleanups.push(() => sim.stop());
  const completed: string[] = [];
  sim.on(
    'mpps',
    (uid, status, operation) => operation === 'N-SET' && status === 'COMPLETED' && completed.push(uid),
  );
  const reports: number[] = [];
  const reportFailures: string[] = [];
  sim.on('commitmentReported', (_uid, eventTypeId) => reports.push(eventTypeId));
  sim.on('commitmentReportFailed', (uid) => reportFailures.push(uid));
  const localPort = await freePort();
  sim.registerModality('HNVUE_K9', { host: '127.0.0.1', port: localPort });
  const pacs = { aeTitle: address.pacs.aeTitle, host: '127.0.0.1', port: address.pacs.port };
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      local: { aeTitle: 'HNVUE_K9', port: localPort },
      uid: { deviceSerial: '99' },
      mpps: { aeTitle: address.ris.aeTitle, host: '127.0.0.1', port: address.ris.port },
      pacs,
      commitment: { ...pacs, timeoutMs: 120_000 },
      queue: { path: join(dir, 'q.sqlite'), initialIntervalMs: 200, backoffMultiplier: 1 },
    }),
  );

  const first = run(configPath, killAt);
  await first.line((l) => l === `M ${killAt}`, `boundary ${killAt}`);
  first.child.kill('SIGKILL');
  expect(await first.exited).toBeNull();
  const procedureId = first.lines.find((l) => l.startsWith('P '))?.slice(2);
  expect(procedureId).toBeDefined();

  const second = run(configPath, undefined, procedureId);
  await second.line((l) => l === 'IDLE', 'the day completed');
  expect(await second.exited).toBe(0);

  const images = [...first.lines, ...second.lines].filter((l) => l.startsWith('I ')).map((l) => l.slice(2));
  const atPacs = readdirSync(storageDir).filter((f) => f.endsWith('.dcm'));
  return { procedureId: procedureId!, images, atPacs, sim, completed, reports, reportFailures };
}

describe('the facade killed at every step boundary of a procedure', () => {
  for (const killAt of BOUNDARIES) {
    it(`NFR-REL-01: FR-DICOM-07: SIGKILL ${killAt}: the restart completes the day, each image at the PACS once, MPPS COMPLETED once, commitment requested and successful once`, async () => {
      const r = await day(killAt);
      // No lost image: every image the console stored (both runs) is at the PACS, and only those.
      expect(r.images).toHaveLength(2);
      expect(r.atPacs.sort()).toEqual(r.images.map((uid) => `${uid}.dcm`).sort());
      expect(r.sim.stored.size).toBe(2);
      expect(r.sim.mppsRecords.get(r.procedureId)?.status).toBe('COMPLETED');
      expect(r.completed).toEqual([r.procedureId]);
      // PS3.4 J.3.3: event type 1 = all references committed.
      expect(r.reports).toEqual([1]);
      expect(r.reportFailures).toEqual([]);
    }, 90_000);
  }
});
