/**
 * The fault soak (issue 17 item 5, NFR-REL-01): the console day (console.ts, a child process) to
 * DCMTK storescp and Orthanc (storage + storage commitment), MPPS to our MPPS SCP, each through a
 * FaultProxy (testing/fault-proxy.ts) that resets, stalls and truncates at seeded random times;
 * meanwhile the console is kill -9'd and the PACS restarted at random. Then faults stop, the
 * console drains, and the books are checked at the peers: every SOP Instance UID the console
 * reported as queued is at its PACS, commitments resolved, no MPPS N-SET before its N-CREATE,
 * each queue database passes `PRAGMA integrity_check` (opened read-only) at the end, and after
 * every kill -9 a copy of it (database + WAL, as the kill left them) passes it too.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspectQueue } from '@hnvue/queue';
import { FaultProxy, mulberry32 } from '@hnvue/testing/fault-proxy';
import { freePort, makeTempDir } from '@hnvue/testing/peers';
import { queueDirFor } from '../../src/index.js';
import type { ConsolePlan, Plan } from './console.js';
import {
  orthancDuplicates,
  orthancUids,
  startMppsScp,
  startSoakOrthanc,
  startSoakStorescp,
  storescpUids,
} from './peers.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
const CONSOLE = join(import.meta.dirname, 'console.ts');

export interface SoakOptions {
  readonly seconds: number;
  readonly seed: number;
  readonly imagesPerProcedure?: number;
  /** Mean time between kills of the console / restarts of a PACS / proxy faults, s. */
  readonly meanKillS?: number;
  readonly meanPacsRestartS?: number;
  readonly meanFaultS?: number;
  readonly progress?: (line: string) => void;
}

export interface SoakSummary {
  readonly seconds: number;
  readonly seed: number;
  readonly procedures: number;
  readonly queued: Record<string, number>;
  readonly missing: Record<string, number>;
  /** Delivered but never reported as queued (the kill fell between the commit and the log line). */
  readonly unreported: Record<string, number>;
  /** Objects a PACS received while it already held them (storescp overwrote, Orthanc looked it up). */
  readonly duplicates: Record<string, number>;
  readonly kills: number;
  readonly pacsRestarts: Record<string, number>;
  readonly faults: { resets: number; stalls: number; truncations: number; connections: number };
  /**
   * Reports: all committed / some failed; expired: no report after the last re-request; unresolved:
   * still pending after the drain. Re-requests (a new N-ACTION, PS3.4 J.3.3) by reason.
   */
  readonly commitments: {
    committed: number;
    failed: number;
    expired: number;
    unresolved: number;
    reRequests: { timeout: number; restart: number };
  };
  readonly mpps: { creates: number; sets: number; setBeforeCreate: number; duplicateCreates: number };
  readonly queueFailed: number;
  readonly integrity: Record<string, string>;
  readonly maxDeliveryLatencyMs: number;
  readonly drained: boolean;
  /** `PRAGMA integrity_check` on a copy of each queue database right after each kill -9. */
  readonly integrityAfterKills: { readonly checks: number; readonly notOk: readonly string[] };
  /** Peak resident set of the console process over all its runs (VmHWM), MB; 0 if unavailable. */
  readonly consolePeakRssMb: number;
}

/** integrity_check of a copy of the database and its WAL as they are on disk (the original untouched). */
function integrityOfCopy(db: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hnvue-soak-ic-'));
  try {
    copyFileSync(db, join(dir, 'queue.db'));
    if (existsSync(`${db}-wal`)) copyFileSync(`${db}-wal`, join(dir, 'queue.db-wal'));
    return execFileSync('sqlite3', [join(dir, 'queue.db'), 'PRAGMA integrity_check'])
      .toString()
      .trim();
  } catch (err) {
    return `check failed: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** VmHWM of a live process, kB (Linux), 0 otherwise. */
function peakRssKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

interface Line {
  readonly t: number;
  readonly ev: string;
  readonly console?: string;
  readonly sop?: string;
  readonly procedure?: string;
  readonly kind?: string;
  readonly [k: string]: unknown;
}

function startConsole(plan: Plan, onLine: (l: Line) => void): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(
    process.execPath,
    ['--conditions=@hnvue/source', '--import', 'tsx', CONSOLE, JSON.stringify(plan)],
    { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) if (p.startsWith('{')) onLine(JSON.parse(p) as Line);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSoak(options: SoakOptions): Promise<SoakSummary> {
  const random = mulberry32(options.seed);
  const exp = (meanS: number) => -Math.log(1 - random()) * meanS * 1000;
  const say = options.progress ?? (() => {});
  const dir = await makeTempDir('hnvue-soak-');
  const mpps = await startMppsScp();
  const storescp = await startSoakStorescp(join(dir, 'storescp'));
  const orthancListener = await freePort();
  const orthanc = await startSoakOrthanc(join(dir, 'orthanc'), { aeTitle: 'SOAK_O', port: orthancListener });
  const target = (port: number) => ({ host: '127.0.0.1', port });
  const proxies = {
    storescp: await FaultProxy.start({ target: target(storescp.port), seed: options.seed + 1 }),
    orthanc: await FaultProxy.start({ target: target(orthanc.port), seed: options.seed + 2 }),
    mpps: await FaultProxy.start({ target: target(mpps.port), seed: options.seed + 3 }),
  };
  const base = (
    name: string,
    ae: string,
    listenerPort: number,
    pacsAe: string,
    pacsPort: number,
    serial: string,
  ) =>
    ({
      name,
      queuePath: join(dir, `queue-${name}`, 'queue.sqlite'),
      listenerPort,
      localAe: ae,
      deviceSerial: serial,
      pacs: { aeTitle: pacsAe, host: '127.0.0.1', port: pacsPort },
      mpps: { aeTitle: 'RIS', host: '127.0.0.1', port: proxies.mpps.port },
      commitment: name === 'orthanc',
    }) satisfies ConsolePlan;
  const consoles = [
    base('storescp', 'SOAK_S', await freePort(), 'STORESCP', proxies.storescp.port, '71'),
    base('orthanc', 'SOAK_O', orthancListener, 'ORTHANC', proxies.orthanc.port, '72'),
  ];
  const queued: Record<string, Map<string, number>> = { storescp: new Map(), orthanc: new Map() };
  const delivered = new Map<string, number>();
  const open: Record<string, string | undefined> = {};
  const commitments = { committed: 0, failed: 0, expired: 0, reRequests: { timeout: 0, restart: 0 } };
  let procedures = 0;
  let drainedOk = true;
  let queueFailed = 0;
  let unresolved = 0;
  const onLine = (l: Line) => {
    const c = l.console ?? '';
    if (l.ev === 'started') {
      procedures++;
      open[c] = l.procedure;
    } else if (l.ev === 'stored' && l.sop) queued[c]?.set(l.sop, l.t);
    else if (l.ev === 'completed' || l.ev === 'resumeSkipped') open[c] = undefined;
    else if (l.ev === 'delivered' && l.sop && !delivered.has(l.sop)) delivered.set(l.sop, l.t);
    else if (l.ev === 'committed') commitments.committed++;
    else if (l.ev === 'commitmentFailed') commitments.failed++;
    else if (l.ev === 'commitmentExpired') commitments.expired++;
    else if (l.ev === 'commitmentReRequested')
      commitments.reRequests[l.reason === 'restart' ? 'restart' : 'timeout']++;
    else if (l.ev === 'drained') {
      drainedOk &&= l.ok === true;
      queueFailed += Number(l.failed ?? 0);
      unresolved += Number(l.pendingCommitments ?? 0);
    }
    if (l.ev !== 'stored' && (l.ev !== 'delivered' || l.kind === 'storage-commitment'))
      say(JSON.stringify(l));
  };
  const plan = (mode: Plan['mode']): Plan => ({
    mode,
    imagesPerProcedure: options.imagesPerProcedure ?? 3,
    // Longer than the commitment timeout (console.ts), so a late report can still arrive.
    drainTimeoutMs: 45_000,
    consoles: consoles.map((c) => ({ ...c, ...(open[c.name] ? { open: open[c.name] } : {}) })),
  });

  const end = Date.now() + options.seconds * 1000;
  for (const p of Object.values(proxies)) p.startChaos({ meanIntervalMs: (options.meanFaultS ?? 4) * 1000 });
  let kills = 0;
  let peakKb = 0;
  let icChecks = 0;
  const icNotOk: string[] = [];
  let pacsTimer: NodeJS.Timeout | undefined;
  let restarting = Promise.resolve();
  const schedulePacs = () => {
    pacsTimer = setTimeout(
      () => {
        const peer = random() < 0.5 ? storescp : orthanc;
        say(
          JSON.stringify({
            t: Date.now(),
            ev: 'pacsRestart',
            peer: peer === storescp ? 'storescp' : 'orthanc',
          }),
        );
        restarting = peer.restart().catch(() => {});
        void restarting.then(schedulePacs);
      },
      exp(options.meanPacsRestartS ?? 20),
    );
  };
  schedulePacs();
  while (Date.now() < end) {
    const run = startConsole(plan('day'), onLine);
    const rss = setInterval(() => (peakKb = Math.max(peakKb, peakRssKb(run.child.pid))), 1000);
    const until = Math.min(end, Date.now() + 3000 + exp(options.meanKillS ?? 10));
    await Promise.race([sleep(until - Date.now()), run.exited]);
    let killed = false;
    if (run.child.pid !== undefined && run.child.exitCode === null) {
      peakKb = Math.max(peakKb, peakRssKb(run.child.pid));
      process.kill(-run.child.pid, 'SIGKILL');
      say(JSON.stringify({ t: Date.now(), ev: 'kill', pid: run.child.pid }));
      killed = true;
      if (Date.now() < end) kills++;
    }
    await run.exited;
    clearInterval(rss);
    if (killed) {
      for (const c of consoles) {
        const r = integrityOfCopy(join(queueDirFor(c.queuePath), 'queue.db'));
        icChecks++;
        if (r !== 'ok') icNotOk.push(`${c.name} after kill ${kills}: ${r}`);
      }
    }
  }
  // Drain: faults off, PACS up, the console runs once more to the end.
  clearTimeout(pacsTimer);
  await restarting;
  for (const p of Object.values(proxies)) p.stopChaos();
  const drain = startConsole(plan('drain'), onLine);
  const drainRss = setInterval(() => (peakKb = Math.max(peakKb, peakRssKb(drain.child.pid))), 1000);
  await drain.exited;
  clearInterval(drainRss);
  await sleep(1000);

  const at = { storescp: await storescpUids(storescp.dir), orthanc: await orthancUids(orthanc.httpPort) };
  const missing: Record<string, number> = {};
  const unreported: Record<string, number> = {};
  let maxLatency = 0;
  for (const name of ['storescp', 'orthanc'] as const) {
    missing[name] = [...queued[name]!.keys()].filter((uid) => !at[name].has(uid)).length;
    unreported[name] = [...at[name]].filter((uid) => !queued[name]!.has(uid)).length;
    for (const [uid, t] of queued[name]!) {
      const d = delivered.get(uid);
      if (d !== undefined) maxLatency = Math.max(maxLatency, d - t);
    }
  }
  const seen = new Set<string>();
  let setBeforeCreate = 0;
  let duplicateCreates = 0;
  for (const op of mpps.ops) {
    if (op.op === 'N-CREATE') {
      if (seen.has(op.uid)) duplicateCreates++;
      seen.add(op.uid);
    } else if (!seen.has(op.uid)) setBeforeCreate++;
  }
  const integrity: Record<string, string> = {};
  for (const c of consoles) {
    const qdir = queueDirFor(c.queuePath);
    queueFailed = Math.max(queueFailed, inspectQueue(qdir).counts.total.FAILED ?? 0);
    integrity[c.name] = execFileSync('sqlite3', [
      '-readonly',
      join(qdir, 'queue.db'),
      'PRAGMA integrity_check',
    ])
      .toString()
      .trim();
  }
  const summary: SoakSummary = {
    seconds: options.seconds,
    seed: options.seed,
    procedures,
    queued: { storescp: queued.storescp!.size, orthanc: queued.orthanc!.size },
    missing,
    unreported,
    duplicates: { storescp: storescp.duplicates, orthanc: await orthancDuplicates(orthanc.dir) },
    kills,
    pacsRestarts: { storescp: storescp.restarts, orthanc: orthanc.restarts },
    faults: sumFaults(Object.values(proxies)),
    commitments: { ...commitments, unresolved },
    mpps: {
      creates: mpps.ops.filter((o) => o.op === 'N-CREATE').length,
      sets: mpps.ops.filter((o) => o.op === 'N-SET').length,
      setBeforeCreate,
      duplicateCreates,
    },
    queueFailed,
    integrity,
    maxDeliveryLatencyMs: maxLatency,
    drained: drainedOk,
    integrityAfterKills: { checks: icChecks, notOk: icNotOk },
    consolePeakRssMb: Math.round(peakKb / 102.4) / 10,
  };
  for (const p of Object.values(proxies)) await p.close();
  await storescp.stop();
  await orthanc.stop();
  await mpps.server.close();
  return summary;
}

function sumFaults(proxies: readonly FaultProxy[]) {
  const out = { resets: 0, stalls: 0, truncations: 0, connections: 0 };
  for (const p of proxies) {
    out.resets += p.stats.resets;
    out.stalls += p.stats.stalls;
    out.truncations += p.stats.truncations;
    out.connections += p.stats.connections;
  }
  return out;
}
