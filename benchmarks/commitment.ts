/**
 * Storage Commitment round trip (FR-DICOM-07) against a private Orthanc: 100 DX images of about
 * 100 KB are stored first (our C-STORE SCU), then each run sends one N-ACTION referencing all 100
 * and waits for Orthanc's N-EVENT-REPORT, which Orthanc always sends on a new association to our
 * listener (PEERS.md). Timed from the N-ACTION-RQ to the report handled, split into
 *   N-ACTION → N-ACTION-RSP, → report association accepted by our listener, → report handled,
 * plus our own time in the report handler (decoding the 100-item report and answering it), and
 * the same round trip for 1 instance (Orthanc's fixed cost per commitment job).
 *
 * No DCMTK tool is a storage commitment SCU, so there is no ratio: the absolute time and the cost
 * per instance are printed. Orthanc's report job dominates (see README.md).
 *
 *   node --conditions=@hnvue/source --import tsx benchmarks/commitment.ts [--short]
 *
 * --short: 2 measured runs (CI); otherwise 7. One unmeasured 1-instance round trip runs first.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildDxImage, toPart10Buffer } from '@hnvue/iod';
import {
  Association,
  createServer,
  createStoreScu,
  type DimseReply,
  type ReferencedSop,
  type RequestHandler,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_LISTENER_CONTEXT,
  STORAGE_COMMITMENT_ROLES,
  StorageCommitmentScu,
} from '@hnvue/net';
import { makeTempDir, type OrthancPeer, rmTempDir, startOrthanc } from '@hnvue/testing/peers';
import { createUidGenerator } from '@hnvue/uid';

const short = process.argv.includes('--short');
const runs = short ? 2 : 7;
const COUNT = 100;
const uids = createUidGenerator({ orgRoot: '1.2.826.0.1.3680043.10.1234', deviceSerial: 10 });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const ms = (v: number): string => `${v.toFixed(1)} ms`;

/** 224 × 224 16-bit pixels: a 98 KB pixel element, about 100 KB per file. */
function makeDx(studyInstanceUid: string, seriesInstanceUid: string, index: number): Buffer {
  const rows = 224;
  const columns = 224;
  const pixels = new Uint16Array(rows * columns);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + index) & 0xfff;
  const dx = buildDxImage(
    {
      patient: { name: 'Bench^Commit', id: 'BENCHCOMMIT' },
      study: { studyInstanceUid },
      series: { seriesInstanceUid },
      equipment: { manufacturer: 'HnVue' },
      image: {
        rows,
        columns,
        bitsStored: 12,
        pixels,
        windowCenter: 2048,
        windowWidth: 4096,
        instanceNumber: index + 1,
      },
      anatomy: { imageLaterality: 'U', bodyPart: 'CHEST' },
      acquisition: { kvp: 120, viewPosition: 'PA' },
      presentationIntent: 'FOR PRESENTATION',
      detector: { type: 'SCINTILLATOR', imagerPixelSpacingMm: [0.14, 0.14] },
    },
    { uid: () => uids.next() },
  );
  return toPart10Buffer(dx.dataset, dx.pixelData);
}

interface Timing {
  /** N-ACTION-RQ sent → N-ACTION-RSP read. */
  readonly response: number;
  /** N-ACTION-RQ sent → Orthanc's report association accepted by our listener. */
  readonly reportAssociation: number;
  /** N-ACTION-RQ sent → N-EVENT-REPORT handled (the round trip). */
  readonly total: number;
  /** Our time in the N-EVENT-REPORT handler (decode, match, answer). */
  readonly handler: number;
}

async function main(): Promise<void> {
  const dir = await makeTempDir('hnvue-bench-commit-');
  let orthanc: OrthancPeer | undefined;
  const scu = new StorageCommitmentScu({ uids, timeoutMs: 120_000 });
  let handlerMs = 0;
  // Our share of the round trip: the report handler, timed from the request to its answer.
  const timedHandler: RequestHandler = async (request) => {
    const start = performance.now();
    try {
      // The commitment handler answers once: a single reply, never a stream of them.
      return (await scu.reportHandler(request)) as DimseReply;
    } finally {
      handlerMs += performance.now() - start;
    }
  };
  const listener = createServer({
    aeTitles: ['HNVUE'],
    contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
    handlers: { 'N-EVENT-REPORT': timedHandler },
  });
  let reportAssociationAt = 0;
  listener.on('association', () => {
    reportAssociationAt = performance.now();
  });
  try {
    // The listener is up before any N-ACTION is sent (PEERS.md).
    const listenerPort = await listener.listen(0);
    orthanc = await startOrthanc({
      config: {
        DicomModalities: {
          hnvue: { AET: 'HNVUE', Host: '127.0.0.1', Port: listenerPort, AllowStorageCommitment: true },
        },
      },
    });
    console.log(
      `Storage commitment round trip against Orthanc (${short ? 'short' : 'full'}: ${runs} runs, medians), ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`,
    );

    const study = uids.next();
    const series = uids.next();
    const files: string[] = [];
    let bytes = 0;
    for (let i = 0; i < COUNT; i++) {
      const buffer = makeDx(study, series, i);
      bytes += buffer.length;
      const file = join(dir, `${i}.dcm`);
      await writeFile(file, buffer);
      files.push(file);
    }
    const client = createStoreScu({
      host: '127.0.0.1',
      port: orthanc.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
    });
    const storeStart = performance.now();
    const outcomes = await client.storeStudy(files);
    const storeMs = performance.now() - storeStart;
    await client.close();
    const references: ReferencedSop[] = [];
    for (const o of outcomes) {
      if (!o.ok) throw o.error;
      references.push({ sopClassUid: o.result.sopClassUid, sopInstanceUid: o.result.sopInstanceUid });
    }
    console.log(
      `stored ${COUNT} × ${Math.round(bytes / COUNT / 1024)} KB DX in ${ms(storeMs)} (one pooled association)`,
    );

    const roundTrip = async (refs: readonly ReferencedSop[]): Promise<Timing> => {
      const association = await Association.open({
        host: '127.0.0.1',
        port: orthanc!.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'ORTHANC',
        presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
        roles: STORAGE_COMMITMENT_ROLES,
        requestHandler: timedHandler,
      });
      handlerMs = 0;
      reportAssociationAt = 0;
      const start = performance.now();
      const pending = await scu.request(association, refs);
      const responded = performance.now();
      // Released while Orthanc's job runs: the report comes on Orthanc's own association anyway.
      const released = association.release();
      const result = await pending.result;
      const done = performance.now();
      await released;
      if (result.eventTypeId !== 1 || result.committed.length !== refs.length) {
        throw new Error(
          `expected all ${refs.length} committed, got event type ${result.eventTypeId} with ${result.failed.length} failed`,
        );
      }
      if (result.receivedOn !== 'new-association') throw new Error('report not on a new association');
      return {
        response: responded - start,
        reportAssociation: reportAssociationAt - start,
        total: done - start,
        handler: handlerMs,
      };
    };

    const first = references.slice(0, 1);
    await roundTrip(first);
    const many: Timing[] = [];
    const one: Timing[] = [];
    for (let r = 0; r < runs; r++) {
      many.push(await roundTrip(references));
      one.push(await roundTrip(first));
    }
    const row = (label: string, timings: readonly Timing[]): string => {
      const pick = (k: keyof Timing) => median(timings.map((t) => t[k]));
      return [
        label.padEnd(14),
        ms(pick('response')).padStart(10),
        ms(pick('reportAssociation')).padStart(14),
        ms(pick('total')).padStart(12),
        ms(pick('handler')).padStart(10),
        `(runs: ${timings.map((t) => t.total.toFixed(0)).join(', ')} ms)`,
      ].join('  ');
    };
    console.log(
      `${'references'.padEnd(14)}  ${'→ RSP'.padStart(10)}  ${'→ report assoc'.padStart(14)}  ${'→ report'.padStart(12)}  ${'our handler'.padStart(10)}`,
    );
    console.log(row(`${COUNT} instances`, many));
    console.log(row('1 instance', one));
    const total = median(many.map((t) => t.total));
    const base = median(one.map((t) => t.total));
    console.log(
      `round trip for ${COUNT}: ${ms(total)} = ${(total / COUNT).toFixed(2)} ms per instance; ` +
        `beyond the 1-instance job: ${((total - base) / (COUNT - 1)).toFixed(2)} ms per extra instance`,
    );
    // Between our N-ACTION-RSP and the report association, only Orthanc works (its job looks up
    // each instance, then opens the association): its share of the round trip.
    const job = median(many.map((t) => t.reportAssociation - t.response));
    console.log(
      `No DCMTK storage commitment SCU to compare with. Orthanc's report job (RSP → report association): ${ms(job)} ` +
        `of ${ms(total)}; our report handler: ${ms(median(many.map((t) => t.handler)))}.`,
    );
  } finally {
    scu.close();
    await orthanc?.stop();
    await listener.close();
    await rmTempDir(dir);
  }
}

await main();
