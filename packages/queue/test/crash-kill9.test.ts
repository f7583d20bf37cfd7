/**
 * NFR-REL-01 "a crash at any instant (kill -9) loses no item": a child process enqueues and
 * delivers 200 images to a real Orthanc through DCMTK storescu and is SIGKILLed (with its storescu
 * children: the whole process group) at least 20 times, during enqueue, mid-transfer and at random,
 * then restarted each time. The sender is one swappable function (test/helpers/storescu-sender.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransmissionQueue } from '../src/index.js';
import { makeImages } from './helpers/images.js';
import { createOrthanc, type PersistentOrthanc } from './helpers/orthanc.js';
import { removeDir, tempDir } from './helpers/setup.js';

const COUNT = 200;
const KILLS = 21;
const CHILD = join(import.meta.dirname, 'helpers', 'crash-child.ts');
const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

let dir: string;
let orthanc: PersistentOrthanc;
let images: { path: string; sopInstanceUid: string }[];

beforeAll(async () => {
  dir = await tempDir('hnvue-queue-crash-');
  images = await makeImages(dir, COUNT);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(images));
  orthanc = await createOrthanc(join(dir, 'orthanc'));
  await orthanc.start();
});

afterAll(async () => {
  await orthanc?.stop();
  await removeDir(dir);
});

type Trigger = 'enqueue' | 'transfer' | 'random';

interface Run {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  on(fn: (line: string) => void): void;
}

function startChild(): Run {
  // Own process group, so one SIGKILL to the group also kills its storescu children mid-transfer.
  const child = spawn(
    process.execPath,
    [
      '--conditions=@hnvue/source',
      '--import',
      'tsx',
      CHILD,
      join(dir, 'queue'),
      join(dir, 'manifest.json'),
      String(orthanc.dicomPort),
    ],
    { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const fn of listeners) fn(line);
    }
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) lines.push(`STDERR ${stderr}`);
      resolve(code);
    }),
  );
  return { child, lines, exited, on: (fn) => listeners.push(fn) };
}

function killGroup(run: Run): void {
  if (run.child.pid !== undefined && run.child.exitCode === null && run.child.signalCode === null) {
    try {
      process.kill(-run.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

describe('crash consistency with a real PACS', () => {
  it('NFR-REL-01: 200 images survive 21 SIGKILLs (during enqueue, mid-transfer, at random): Orthanc holds all, 200 DONE, none FAILED, no orphan files', async () => {
    const landed: Record<Trigger, number> = { enqueue: 0, transfer: 0, random: 0 };
    const failures: string[] = [];
    const watchFailures = (line: string) => {
      if (line.startsWith('F ')) failures.push(line);
    };
    let kills = 0;
    let killPhaseMs = 0;
    const t0 = Date.now();
    // The next process is started ahead and waits for the queue's lock (crash-child.ts), which
    // hides Node + tsx start-up (about 2 s each on this loaded 2-core machine). It is started only
    // once the current one holds the lock ('O'), so it can never overtake it.
    const started: Run[] = [];
    let next: Run | undefined;
    let prewarm = true;
    const startNext = () => {
      if (next) return;
      next = startChild();
      started.push(next);
    };
    const take = (): Run => {
      startNext();
      const run = next!;
      next = undefined;
      run.on((line) => {
        if (line === 'O' && prewarm) startNext();
      });
      if (run.lines.includes('O') && prewarm) startNext();
      return run;
    };
    try {
      for (let round = 0; kills < KILLS; round++) {
        expect(round).toBeLessThan(KILLS * 3);
        const wanted: Trigger = (['enqueue', 'transfer', 'random'] as const)[round % 3]!;
        const run = take();
        let enqueuedAll = false;
        let killedAs: Trigger | undefined;
        const kill = (as: Trigger, delayMs: number) => {
          if (killedAs) return;
          killedAs = as;
          setTimeout(() => killGroup(run), delayMs);
        };
        const target = 1 + Math.floor(Math.random() * 12);
        let seenE = 0;
        // Each kill round may deliver at most half its share of what is still undelivered when it
        // opens (`C <done>`), so a fast machine cannot finish the batch before the last kill.
        let seenD = 0;
        let share = Number.POSITIVE_INFINITY;
        const onLine = (line: string) => {
          watchFailures(line);
          if (line.startsWith('C ')) {
            share = Math.max(1, Math.floor((COUNT - Number(line.slice(2))) / (2 * (KILLS - kills))));
          }
          if (line.startsWith('D ')) {
            // Its share delivered and still alive (a pending delayed kill may be too late): kill now,
            // mid-delivery, at an arbitrary point.
            if (++seenD === share) {
              killedAs ??= 'random';
              setTimeout(() => killGroup(run), Math.random() * 6);
            }
          }
          if (line === 'ENQUEUED') enqueuedAll = true;
          // Anywhere after open: recovery sweep, enqueue, delivery, bookkeeping.
          if (wanted === 'random' && line === 'O') kill('random', Math.random() * 800);
          if (wanted === 'enqueue' && line.startsWith('E ') && ++seenE === target) {
            kill('enqueue', Math.random() * 6);
          }
          // Once everything is enqueued, "enqueue" rounds kill mid-transfer instead.
          if ((wanted === 'transfer' || (wanted === 'enqueue' && enqueuedAll)) && line.startsWith('A ')) {
            kill('transfer', 5 + Math.random() * 40);
          }
        };
        for (const line of run.lines) onLine(line);
        run.on(onLine);
        const code = await run.exited;
        if (run.lines.includes('ALL-DONE')) break;
        expect(code, run.lines.join('\n').slice(-2000)).toBeNull();
        if (killedAs) {
          landed[killedAs]++;
          kills++;
        }
      }
      // Last run, undisturbed, to completion.
      killPhaseMs = Date.now() - t0;
      prewarm = false;
      const last = take();
      for (const line of last.lines) watchFailures(line);
      last.on(watchFailures);
      const code = await last.exited;
      expect(code, last.lines.join('\n').slice(-2000)).toBe(0);
      expect(last.lines).toContain('ALL-DONE');
    } finally {
      for (const run of started) killGroup(run);
    }
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(landed.enqueue).toBeGreaterThan(0);
    expect(landed.transfer).toBeGreaterThan(0);
    expect(failures).toEqual([]);

    // No orphan (or temp) spool file is left once everything is DONE.
    expect(readdirSync(join(dir, 'queue', 'spool'))).toEqual([]);
    const queue = await TransmissionQueue.open({ dir: join(dir, 'queue'), sender: async () => {} });
    try {
      const { total } = queue.counts();
      expect(total).toEqual({ PENDING: 0, IN_PROGRESS: 0, RETRYING: 0, DONE: COUNT, FAILED: 0 });
      const items = queue.list();
      expect(new Set(items.map((i) => i.sopInstanceUid))).toEqual(
        new Set(images.map((i) => i.sopInstanceUid)),
      );
      const interrupted = items
        .flatMap((i) => queue.history(i.id))
        .filter((a) => a.outcome === 'interrupted');
      // Kills landed while storescu was sending: those attempts are in the history as interrupted.
      expect(interrupted.length).toBeGreaterThan(0);
      console.info(
        `crash test: ${kills} kills (${JSON.stringify(landed)}) in ${killPhaseMs} ms, ` +
          `${interrupted.length} interrupted attempts, ${Date.now() - t0} ms in all`,
      );
    } finally {
      await queue.close();
    }

    const stats = await orthanc.rest<{ CountInstances: number }>('/statistics');
    expect(stats.CountInstances).toBe(COUNT);
    const stored = await orthanc.rest<{ MainDicomTags: { SOPInstanceUID: string } }[]>('/instances?expand');
    expect(new Set(stored.map((s) => s.MainDicomTags.SOPInstanceUID))).toEqual(
      new Set(images.map((i) => i.sopInstanceUid)),
    );
  }, 180_000);
});
