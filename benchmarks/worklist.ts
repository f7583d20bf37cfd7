/**
 * Modality Worklist C-FIND (FR-DICOM-03): one query returning all 1000 items and one returning 1,
 * ours (open + query + release, in process) vs DCMTK `findscu -W` (a process per query, as it is
 * used) against the same wlmscpfs, Nagle off on both sides (PEERS.md). Medians of N iterations.
 *
 *   node --conditions=@hnvue/source --import tsx benchmarks/worklist.ts [N]
 */
import { performance } from 'node:perf_hooks';
import { queryWorklist } from '../packages/net/src/workflow/index.js';
import { writeWorklistFiles } from '../packages/net/test/fixtures/worklist/generate.js';
import { makeTempDir, rmTempDir, run, startWlmscpfs } from '../testing/peers.js';

const iterations = Number(process.argv[2] ?? process.env.BENCH_N ?? 10);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const dataDir = await makeTempDir('hnvue-bench-mwl-');
const peer = await startWlmscpfs({ aeTitle: 'WLMSCP', dataDir });
await writeWorklistFiles(`${dataDir}/WLMSCP`, 1000);
try {
  for (const [label, patientId, expected] of [
    ['all 1000', undefined, 1000],
    ['one', 'PID00500', 1],
  ] as const) {
    const ours: number[] = [];
    const dcmtk: number[] = [];
    for (let i = 0; i < iterations; i++) {
      let start = performance.now();
      let n = 0;
      for await (const _ of queryWorklist({
        host: '127.0.0.1',
        port: peer.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'WLMSCP',
        query: patientId ? { patientId } : {},
      })) {
        n++;
      }
      ours.push(performance.now() - start);
      if (n !== expected) throw new Error(`expected ${expected} items, got ${n}`);
      start = performance.now();
      const args = [
        '-q',
        '-W',
        '-aet',
        'HNVUE',
        '-aec',
        'WLMSCP',
        '-k',
        'ScheduledProcedureStepSequence',
        '-k',
        'PatientName',
      ];
      args.push('-k', patientId ? `PatientID=${patientId}` : 'PatientID', '127.0.0.1', String(peer.port));
      const result = await run('findscu', args);
      dcmtk.push(performance.now() - start);
      if (result.code !== 0) throw new Error(`findscu failed: ${result.stderr.slice(-500)}`);
    }
    const a = median(ours);
    const b = median(dcmtk);
    console.log(
      `worklist ${label}: ours ${a.toFixed(1)} ms, findscu ${b.toFixed(1)} ms, ratio ours/findscu ${(a / b).toFixed(2)} (median of ${iterations})`,
    );
  }
} finally {
  await peer.stop();
  await rmTempDir(dataDir);
}
