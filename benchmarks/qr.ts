/**
 * Query/Retrieve (FR-DICOM-06), ours vs DCMTK against the same dcmqrscp (its storage area filled
 * by storescu), alternating in one run, Nagle off on both sides (PEERS.md):
 * - C-FIND STUDY level matching every study (1000 by default) from Orthanc (filled through its
 *   REST API: dcmqrscp holds at most 500 studies per storage area): ours (open + query + release,
 *   in process) vs `findscu -S` asking for the same return keys (a process per query, as it is used);
 * - C-MOVE of one study (100 × 2 MB by default) into our storage SCP (in process, writing files)
 *   vs `movescu` into DCMTK `storescp` (writing files to a folder);
 * - C-GET of the same study: ours (written by the same storage handler) vs `getscu -od`.
 * Medians of N iterations; ratio = ours / DCMTK of the medians, with the min–max of the
 * per-iteration ratios. Short settings through the environment:
 *
 *   BENCH_N=5 QR_STUDIES=1000 QR_INSTANCES=100 QR_SIZE=1024 \
 *     node --conditions=@hnvue/source --import tsx benchmarks/qr.ts
 *
 * (QR_SIZE is the side of the 16-bit image: 1024 → 2 MiB of pixel data.)
 *
 * Measured 2026-12-03 (2 cores, load average about 1, BENCH_N=5, defaults):
 *   C-FIND 1000 studies from Orthanc   ours 91 ms   findscu 117 ms   ratio 0.78 (0.76–0.94)
 *   C-MOVE 100 × 2 MiB                 ours 484 ms  movescu→storescp 240 ms   ratio 2.0 (0.70–2.12)
 *   C-GET 100 × 2 MiB                  ours 500 ms  getscu 248 ms   ratio 2.0 (0.81–2.17)
 * The retrieve ratio is our storage SCP's receive path, not Q/R: storescu → our
 * createStorageScp of the same 100 files takes 580–700 ms against 240–290 ms into storescp
 * (a CPU profile of the receiver: about half idle waiting on writes, 19 % garbage collection,
 * the PDU framer's #take and concatBytes on top).
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeTempDir, rmTempDir, run, startOrthanc, startStorescp } from '@hnvue/testing/peers';
import {
  Association,
  createStorageScp,
  DEFAULT_RETURN_KEYS,
  getAssociationOptions,
  qrContexts,
  qrFind,
  qrGet,
  qrMove,
  retrieveAll,
} from '../packages/net/src/index.js';
import { fillDcmqrscp, startDcmqrscp, writeArchive } from '../packages/net/test/qr/helpers.js';

const iterations = Number(process.env.BENCH_N ?? 5);
const studies = Number(process.env.QR_STUDIES ?? 1000);
const instances = Number(process.env.QR_INSTANCES ?? 100);
const size = Number(process.env.QR_SIZE ?? 1024);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function report(label: string, ours: number[], dcmtk: number[], dcmtkName: string): void {
  const ratios = ours.map((o, i) => o / (dcmtk[i] as number));
  const a = median(ours);
  const b = median(dcmtk);
  console.log(`${label} (median of ${ours.length}):`);
  console.log(`  @hnvue/net   ${a.toFixed(1)} ms`);
  console.log(
    `  ${dcmtkName.padEnd(12)} ${b.toFixed(1)} ms   ratio ${(a / b).toFixed(2)} (per-run ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
  );
}

async function emptyDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

const dir = await makeTempDir('hnvue-bench-qr-');
try {
  const src = join(dir, 'src');
  const bigSrc = join(dir, 'big');
  await mkdir(src);
  await mkdir(bigSrc);
  console.log(
    `writing ${studies} studies and one study of ${instances} × ${((size * size * 2) / 2 ** 20).toFixed(1)} MiB…`,
  );
  const small = await writeArchive(src, {
    patients: Array.from({ length: studies }, (_, i) => ({
      id: `B${String(i).padStart(5, '0')}`,
      name: `BENCH^P${i}`,
    })),
  });
  const big = await writeArchive(bigSrc, {
    patients: [{ id: 'BIG', name: 'BENCH^BIG' }],
    instancesPerSeries: instances,
    size,
  });
  const oursDir = join(dir, 'ours');
  const dcmtkDir = join(dir, 'dcmtk');
  await mkdir(oursDir);
  await mkdir(dcmtkDir);
  const scp = createStorageScp({ directory: oursDir, fsync: false, server: { aeTitles: ['HNVUE'] } });
  const scpPort = await scp.listen(0, '127.0.0.1');
  const storescp = await startStorescp({ aeTitle: 'STORESCP', args: [], outputDir: dcmtkDir });
  const qr = await startDcmqrscp(join(dir, 'qr'), {
    destinations: { HNVUE: scpPort, STORESCP: storescp.port },
  });
  try {
    console.log('filling dcmqrscp with storescu, Orthanc through REST…');
    await fillDcmqrscp(
      qr,
      big.map((b) => b.path),
    );
    const orthanc = await startOrthanc({ config: { DicomAlwaysAllowFind: true } });
    for (const s of small) {
      const res = await fetch(`http://127.0.0.1:${orthanc.httpPort}/instances`, {
        method: 'POST',
        body: await readFile(s.path),
      });
      if (!res.ok) throw new Error(`Orthanc upload: HTTP ${res.status}`);
    }
    const open = (
      extra: Partial<Parameters<typeof Association.open>[0]> = {},
      port = qr.port,
      calledAeTitle = qr.aeTitle,
    ) =>
      Association.open({
        host: '127.0.0.1',
        port,
        callingAeTitle: 'HNVUE',
        calledAeTitle,
        presentationContexts: qrContexts(['study'], ['find', 'move']),
        timeouts: { dimseMs: 300_000 },
        ...extra,
      });

    // C-FIND, every study.
    const keys = DEFAULT_RETURN_KEYS.study.STUDY.flatMap((k) => ['-k', k]);
    // Not timed: findscu really gets every match (-X writes one file per response).
    const extracted = join(dir, 'extracted');
    await mkdir(extracted);
    const check = await run(
      'findscu',
      [
        '-q',
        '-X',
        '-od',
        extracted,
        '-S',
        '-aet',
        'HNVUE',
        '-aec',
        'ORTHANC',
        '-k',
        'QueryRetrieveLevel=STUDY',
        ...keys,
        '127.0.0.1',
        String(orthanc.port),
      ],
      300_000,
    );
    const responses = (await readdir(extracted)).length;
    if (check.code !== 0 || responses !== studies)
      throw new Error(`findscu got ${responses} of ${studies} matches`);
    const findOurs: number[] = [];
    const findDcmtk: number[] = [];
    const expected = studies;
    for (let i = -1; i < iterations; i++) {
      let t = performance.now();
      const association = await open({}, orthanc.port, 'ORTHANC');
      let n = 0;
      for await (const _ of qrFind(association, { level: 'STUDY' })) n++;
      await association.release();
      if (n !== expected) throw new Error(`C-FIND: expected ${expected} studies, got ${n}`);
      if (i >= 0) findOurs.push(performance.now() - t);
      t = performance.now();
      const res = await run(
        'findscu',
        [
          '-q',
          '-S',
          '-aet',
          'HNVUE',
          '-aec',
          'ORTHANC',
          '-k',
          'QueryRetrieveLevel=STUDY',
          ...keys,
          '127.0.0.1',
          String(orthanc.port),
        ],
        300_000,
      );
      if (res.code !== 0) throw new Error(`findscu: ${res.stderr.slice(-500)}`);
      if (i >= 0) findDcmtk.push(performance.now() - t);
    }
    report(`C-FIND STUDY, ${expected} matches from Orthanc`, findOurs, findDcmtk, 'findscu');
    await orthanc.stop();

    // C-MOVE of the big study.
    const study = big[0]!.studyInstanceUid;
    const moveOurs: number[] = [];
    const moveDcmtk: number[] = [];
    for (let i = -1; i < iterations; i++) {
      await emptyDir(oursDir);
      await emptyDir(dcmtkDir);
      let t = performance.now();
      const association = await open();
      const result = await retrieveAll(
        qrMove(association, { level: 'STUDY', studyInstanceUid: study }, { destination: 'HNVUE' }),
      );
      await association.release();
      if (result.completed !== instances) throw new Error(`C-MOVE: ${result.completed} of ${instances}`);
      if (i >= 0) moveOurs.push(performance.now() - t);
      t = performance.now();
      const res = await run(
        'movescu',
        [
          '-q',
          '-S',
          '-aet',
          'HNVUE',
          '-aem',
          'STORESCP',
          '-aec',
          qr.aeTitle,
          '-k',
          'QueryRetrieveLevel=STUDY',
          '-k',
          `StudyInstanceUID=${study}`,
          '127.0.0.1',
          String(qr.port),
        ],
        300_000,
      );
      if (res.code !== 0) throw new Error(`movescu: ${res.stderr.slice(-500)}`);
      if (i >= 0) moveDcmtk.push(performance.now() - t);
      const got = (await readdir(dcmtkDir)).length;
      if (got !== instances) throw new Error(`storescp received ${got} of ${instances}`);
    }
    report(`C-MOVE ${instances} instances`, moveOurs, moveDcmtk, 'movescu');

    // C-GET of the big study.
    const getOurs: number[] = [];
    const getDcmtk: number[] = [];
    for (let i = -1; i < iterations; i++) {
      await emptyDir(oursDir);
      await emptyDir(dcmtkDir);
      let t = performance.now();
      const association = await open({
        ...getAssociationOptions({ storage: { directory: oursDir, fsync: false } }),
        maxPduLength: 1024 * 1024,
      });
      const result = await retrieveAll(qrGet(association, { level: 'STUDY', studyInstanceUid: study }));
      await association.release();
      if (result.completed !== instances) throw new Error(`C-GET: ${result.completed} of ${instances}`);
      if (i >= 0) getOurs.push(performance.now() - t);
      t = performance.now();
      const res = await run(
        'getscu',
        [
          '-q',
          '-S',
          '-aet',
          'HNVUE',
          '-aec',
          qr.aeTitle,
          '-od',
          dcmtkDir,
          '-k',
          'QueryRetrieveLevel=STUDY',
          '-k',
          `StudyInstanceUID=${study}`,
          '127.0.0.1',
          String(qr.port),
        ],
        300_000,
      );
      if (res.code !== 0) throw new Error(`getscu: ${res.stderr.slice(-500)}`);
      if (i >= 0) getDcmtk.push(performance.now() - t);
    }
    report(`C-GET ${instances} instances`, getOurs, getDcmtk, 'getscu');
  } finally {
    await qr.stop();
    await storescp.stop();
    await scp.close();
  }
} finally {
  await rmTempDir(dir);
}
