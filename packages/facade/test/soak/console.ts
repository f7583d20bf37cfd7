/**
 * The console process of the fault soak (issue 17 item 5): one or more facades (one per PACS
 * destination, each on its own queue folder) running the console day through the public API —
 * startProcedure → storeImage ×N → storeDoseReport → completeProcedure, storage commitment where
 * configured. The harness kill -9's this process at random and starts it again on the same
 * folders. Run: `node --conditions=@hnvue/source --import tsx console.ts '<plan JSON>'`.
 *
 * Every line on stdout is JSON with UIDs, counts and times only, never patient data (NFR-SEC-01).
 * A line is written after the call it reports has resolved, so `stored` means "safely queued".
 */
import { type CommitmentInfo, createDicomServices, type DicomServices } from '../../src/index.js';
import { dxImage, dxWorklistItem } from '../support.js';

export interface ConsolePlan {
  readonly name: string;
  readonly queuePath: string;
  readonly listenerPort: number;
  readonly localAe: string;
  readonly deviceSerial: string;
  readonly pacs: { readonly aeTitle: string; readonly host: string; readonly port: number };
  readonly mpps: { readonly aeTitle: string; readonly host: string; readonly port: number };
  readonly commitment: boolean;
  /** The procedure left open by the previous run (from its `started` line), to finish first. */
  readonly open?: string;
}

export interface Plan {
  readonly mode: 'day' | 'drain';
  readonly imagesPerProcedure: number;
  readonly consoles: readonly ConsolePlan[];
  /** Drain: give up after this long. */
  readonly drainTimeoutMs: number;
}

const DX_CLASS = '1.2.840.10008.5.1.4.1.1.1.1';
const say = (line: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ t: Date.now(), ...line })}\n`);

// A synthetic patient: the soak logs only UIDs, and this one is no one.
const ITEM = dxWorklistItem({
  patientName: { alphabetic: 'Soak^Synthetic' },
  patientId: 'SOAK-1',
  patientBirthDate: '19700101',
  accessionNumber: 'SOAKACC',
});

const IMAGE = dxImage(64, { fill: 700, kvp: 110, dapDgyCm2: 0.2 });

function open(c: ConsolePlan): DicomServices {
  const peer = { ...c.pacs, timeouts: { connectMs: 3000, acseMs: 5000, dimseMs: 10_000, idleMs: 30_000 } };
  return createDicomServices({
    config: {
      local: { aeTitle: c.localAe, port: c.listenerPort },
      uid: { deviceSerial: c.deviceSerial },
      pacs: peer,
      mpps: { ...c.mpps, timeouts: peer.timeouts },
      // HNVUE_SOAK_REREQUEST=0: one request per commitment, no re-request (to compare).
      ...(c.commitment
        ? {
            commitment: {
              ...peer,
              timeoutMs: 20_000,
              ...(process.env.HNVUE_SOAK_REREQUEST === '0'
                ? { reRequest: { maxRequests: 1, onRestart: false } }
                : {}),
            },
          }
        : {}),
      queue: { path: c.queuePath, initialIntervalMs: 500, backoffMultiplier: 2, maxAttempts: 1000 },
    },
  });
}

function wire(c: ConsolePlan, s: DicomServices): void {
  s.on('delivered', (d) => say({ ev: 'delivered', console: c.name, kind: d.kind, sop: d.sopInstanceUid }));
  s.on('failed', (d, f) =>
    say({ ev: 'failed', console: c.name, kind: d.kind, sop: d.sopInstanceUid, code: f.code }),
  );
  const commit = (ev: string) => (i: CommitmentInfo) =>
    say({
      ev,
      console: c.name,
      tx: i.transactionUid,
      committed: i.committed.length,
      failed: i.failed.length,
    });
  s.on('committed', commit('committed'));
  s.on('commitmentFailed', commit('commitmentFailed'));
  s.on('commitmentTimedOut', (i) =>
    say({
      ev: 'commitmentTimedOut',
      console: c.name,
      tx: i.transactionUid,
      request: i.request,
      final: i.final,
    }),
  );
  s.on('commitmentReRequested', (i) =>
    say({
      ev: 'commitmentReRequested',
      console: c.name,
      tx: i.transactionUid,
      previous: i.previousTransactionUid,
      request: i.request,
      reason: i.reason,
    }),
  );
  s.on('commitmentExpired', (i) =>
    say({
      ev: 'commitmentExpired',
      console: c.name,
      tx: i.transactionUid,
      requests: i.transactionUids.length,
    }),
  );
}

/** Finishes `id` from where the queue's records say it is (images, dose report, completion). */
async function finish(c: ConsolePlan, s: DicomServices, id: string, images: number): Promise<void> {
  const p = s.procedure(id);
  if (p === undefined || p.status !== 'IN PROGRESS') {
    say({ ev: 'resumeSkipped', console: c.name, procedure: id, status: p?.status ?? 'unknown' });
    return;
  }
  const dx = p.objects.filter((o) => o.sopClassUid === DX_CLASS).length;
  for (let i = dx; i < images; i++) {
    const o = await s.storeImage(id, IMAGE);
    say({ ev: 'stored', console: c.name, procedure: id, sop: o.sopInstanceUid });
  }
  if (!p.objects.some((o) => o.sopClassUid !== DX_CLASS)) {
    const d = await s.storeDoseReport(id);
    say({ ev: 'stored', console: c.name, procedure: id, sop: d.sopInstanceUid, dose: true });
  }
  await s.completeProcedure(id, { dose: { areaDoseProduct: 0.2 * images, totalNumberOfExposures: images } });
  say({ ev: 'completed', console: c.name, procedure: id });
}

async function day(c: ConsolePlan, s: DicomServices, plan: Plan): Promise<void> {
  if (c.open) await finish(c, s, c.open, plan.imagesPerProcedure);
  if (plan.mode === 'drain') return;
  for (;;) {
    const p = await s.startProcedure({ worklist: { item: ITEM } });
    say({ ev: 'started', console: c.name, procedure: p.id });
    await finish(c, s, p.id, plan.imagesPerProcedure);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function drained(s: DicomServices, c: ConsolePlan, deadline: number): Promise<boolean> {
  for (;;) {
    const busy = s.queueItems().filter((i) => i.state === 'PENDING' || i.state === 'RETRYING').length;
    const pending = c.commitment ? s.pendingCommitments().length : 0;
    if (busy === 0 && pending === 0) return true;
    if (Date.now() > deadline) {
      say({ ev: 'drainTimeout', console: c.name, busy, pendingCommitments: pending });
      return false;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
  const all = plan.consoles.map((c) => ({ c, s: open(c) }));
  for (const { c, s } of all) {
    wire(c, s);
    await s.start();
  }
  say({ ev: 'ready', pid: process.pid, mode: plan.mode });
  const days = all.map(({ c, s }) => day(c, s, plan));
  if (plan.mode === 'day') {
    await Promise.all(days);
    return;
  }
  await Promise.all(days);
  const deadline = Date.now() + plan.drainTimeoutMs;
  for (const { c, s } of all) {
    const ok = await drained(s, c, deadline);
    const failed = s.queueItems().filter((i) => i.state === 'FAILED').length;
    say({ ev: 'drained', console: c.name, ok, failed, pendingCommitments: s.pendingCommitments().length });
  }
  for (const { s } of all) await s.stop({ graceMs: 2000 });
  say({ ev: 'exit' });
}

main().catch((err: Error & { code?: string }) => {
  // The code and the error's class only: a message may one day carry a value (NFR-SEC-01).
  say({ ev: 'crash', code: err.code ?? 'none', name: err.name });
  process.exit(2);
});
