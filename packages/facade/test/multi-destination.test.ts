/**
 * Issue 21, the first Proof: two storage destinations that we did not write, DCMTK `storescp`
 * (`pacs`, no storage commitment) and Orthanc (`storage.orthanc`, also its own commitment SCP),
 * each behind a loopback proxy (`@hnvue/testing/fault-proxy`) that can send new connections to a
 * port where nothing listens: the destination is down (connection reset), the other one is not.
 * A study reaches both and Orthanc commits it; then each destination in turn is down while a
 * further study is stored: the other gets everything at once with one attempt per object, the
 * down one catches up when it returns, and in the end each destination holds every object once
 * (storescp's own log of C-STORE requests, its files, Orthanc's instances via REST).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FaultProxy } from '@hnvue/testing/fault-proxy';
import {
  freePort,
  makeTempDir,
  type OrthancPeer,
  type RunningPeer,
  rmTempDir,
  startOrthanc,
  startStorescp,
} from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommitmentInfo,
  createDicomServices,
  type DeliveryInfo,
  type DicomServices,
  type StudyDeliveredInfo,
} from '../src/index.js';
import { dxImage, dxWorklistItem } from './support.js';

const ITEM = dxWorklistItem({
  patientName: { alphabetic: 'Multi^Destination' },
  patientId: 'MD-1',
  patientBirthDate: '19800101',
  accessionNumber: 'MDACC1',
});

const IMAGE = dxImage(64, { fill: 700 });

let dir: string;
let storeDir: string;
let storescp: RunningPeer;
let orthanc: OrthancPeer;
let toStorescp: FaultProxy;
let toOrthanc: FaultProxy;
let services: DicomServices;
const delivered: DeliveryInfo[] = [];
const committed: CommitmentInfo[] = [];
const studies: StudyDeliveredInfo[] = [];
/** Measured: ms from the study queued to the up destination holding it, and from return to delivered. */
const figures: Record<string, number> = {};

function waitFor<T>(what: string, test: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const value = test();
      if (value !== undefined) resolve(value);
      else if (Date.now() - started > timeoutMs) reject(new Error(`${what}: not within ${timeoutMs} ms`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

/** A study of three DX images and its RDSR, the procedure completed: its SOP Instance UIDs. */
async function storeStudy(): Promise<{ studyInstanceUid: string; uids: string[] }> {
  const procedure = await services.startProcedure({ worklist: { item: ITEM } });
  const uids: string[] = [];
  for (let i = 0; i < 3; i++) uids.push((await services.storeImage(procedure.id, IMAGE)).sopInstanceUid);
  uids.push((await services.storeDoseReport(procedure.id)).sopInstanceUid);
  await services.completeProcedure(procedure.id);
  return { studyInstanceUid: procedure.studyInstanceUid, uids };
}

function deliveredTo(destination: string, uids: readonly string[]): string[] {
  return delivered
    .filter((d) => d.kind === 'c-store' && d.destination === destination && uids.includes(d.sopInstanceUid))
    .map((d) => d.sopInstanceUid);
}

function storeItems(destination: string, uids: readonly string[]) {
  return services
    .queueItems({ destination })
    .filter((i) => i.kind === 'c-store' && uids.includes(i.sopInstanceUid));
}

/** The C-STORE requests storescp logged (`-v`), the files it wrote, Orthanc's instances. */
function storescpRequests(): number {
  return storescp.output().match(/Received Store Request/g)?.length ?? 0;
}
async function storescpFiles(): Promise<string[]> {
  // storescp names each file `<modality>.<SOP Instance UID>` (-uf, the default).
  return (await readdir(storeDir)).map((f) => f.slice(f.indexOf('.') + 1));
}
async function orthancInstances(): Promise<string[]> {
  const base = `http://127.0.0.1:${orthanc.httpPort}`;
  const ids = (await (await fetch(`${base}/instances`)).json()) as string[];
  return await Promise.all(
    ids.map(
      async (id) =>
        (
          (await (await fetch(`${base}/instances/${id}`)).json()) as {
            MainDicomTags: { SOPInstanceUID: string };
          }
        ).MainDicomTags.SOPInstanceUID,
    ),
  );
}

/** Down: the proxy closes its connections (pooled associations too) and stops listening (refused). */
async function down(which: 'storescp' | 'orthanc'): Promise<void> {
  await (which === 'storescp' ? toStorescp : toOrthanc).close();
}

/** Back: a proxy on the same port again, in front of the same peer. */
async function up(which: 'storescp' | 'orthanc'): Promise<void> {
  const old = which === 'storescp' ? toStorescp : toOrthanc;
  const peer = which === 'storescp' ? storescp : orthanc;
  const proxy = await FaultProxy.start({
    target: { host: '127.0.0.1', port: peer.port },
    seed: 21,
    port: old.port,
  });
  if (which === 'storescp') toStorescp = proxy;
  else toOrthanc = proxy;
}

beforeAll(async () => {
  dir = await makeTempDir('hnvue-multidest-');
  storeDir = join(dir, 'storescp');
  await import('node:fs/promises').then((fs) => fs.mkdir(storeDir));
  // -v: storescp logs each C-STORE request (counted below); --fork: an association per process, as
  // a PACS takes several at once (without it the pool's second association waits for the first).
  storescp = await startStorescp({ aeTitle: 'STORESCP', args: ['-v', '--fork'], outputDir: storeDir });
  const listenerPort = await freePort();
  orthanc = await startOrthanc({
    config: {
      DicomModalities: {
        hnvue: { AET: 'HNVUE_MD', Host: '127.0.0.1', Port: listenerPort, AllowStorageCommitment: true },
      },
    },
  });
  toStorescp = await FaultProxy.start({ target: { host: '127.0.0.1', port: storescp.port }, seed: 21 });
  toOrthanc = await FaultProxy.start({ target: { host: '127.0.0.1', port: orthanc.port }, seed: 22 });
  listener = listenerPort;
  services = await open();
});

let listener: number;

/** The console: started, its events recorded; a second call is the console after a restart. */
async function open(): Promise<DicomServices> {
  const orthancPeer = { aeTitle: 'ORTHANC', host: '127.0.0.1', port: toOrthanc.port };
  const opened = createDicomServices({
    config: {
      local: { aeTitle: 'HNVUE_MD', port: listener },
      uid: { deviceSerial: '21' },
      pacs: { aeTitle: 'STORESCP', host: '127.0.0.1', port: toStorescp.port },
      storage: {
        orthanc: { ...orthancPeer, commitment: { ...orthancPeer, timeoutMs: 30_000 } },
      },
      queue: {
        path: join(dir, 'queue.sqlite'),
        initialIntervalMs: 250,
        backoffMultiplier: 1.5,
        maxAttempts: 100,
      },
    },
  });
  opened.on('delivered', (d) => delivered.push(d));
  opened.on('committed', (c) => committed.push(c));
  opened.on('commitmentFailed', (c) => committed.push(c));
  opened.on('studyDelivered', (s) => studies.push(s));
  await opened.start();
  return opened;
}

afterAll(async () => {
  console.info(`multi-destination figures: ${JSON.stringify(figures)}`);
  await services?.stop({ graceMs: 0 });
  await toStorescp?.close();
  await toOrthanc?.close();
  await storescp?.stop();
  await orthanc?.stop();
  if (dir) await rmTempDir(dir);
});

describe('two storage destinations: storescp (pacs) and Orthanc (storage.orthanc, committing)', () => {
  const all: string[] = [];

  // conformance: SCU digitalXRayImageStorageForPresentation xRayRadiationDoseSrStorage storageCommitmentPushModel
  it('FR-DICOM-04/07: a study (3 DX + RDSR) reaches both; Orthanc commits it; delivered names both', async () => {
    const study = await storeStudy();
    all.push(...study.uids);
    const done = await waitFor('study delivered', () =>
      studies.find((s) => s.studyInstanceUid === study.studyInstanceUid),
    );
    expect(done.destinations).toEqual(['pacs', 'orthanc']);
    const report = committed.find((c) => c.studyInstanceUid === study.studyInstanceUid);
    expect(report?.destination).toBe('orthanc');
    expect(report?.failed).toEqual([]);
    expect(report?.committed.map((r) => r.sopInstanceUid).sort()).toEqual([...study.uids].sort());
    expect(deliveredTo('pacs', study.uids).sort()).toEqual([...study.uids].sort());
    expect(deliveredTo('orthanc', study.uids).sort()).toEqual([...study.uids].sort());
    // One queue item per (object, destination); the commitment under its own queue destination
    // (its item is DONE once the N-ACTION-RSP is read, which Orthanc's report may beat).
    await waitFor('commitment item DONE', () =>
      services.queueStatus().byDestination['orthanc/commitment']?.DONE === 1 ? true : undefined,
    );
    expect(services.queueStatus().byDestination).toMatchObject({
      pacs: { DONE: 4 },
      orthanc: { DONE: 4 },
      'orthanc/commitment': { DONE: 1 },
    });
  });

  it('NFR-REL-01: storescp down: Orthanc gets the next study at once, one attempt each; storescp catches up', async () => {
    await down('storescp');
    const study = await storeStudy();
    const queued = Date.now();
    all.push(...study.uids);
    // Orthanc has it and commits it while pacs is down.
    await waitFor('committed by Orthanc', () =>
      committed.find((c) => c.studyInstanceUid === study.studyInstanceUid),
    );
    figures.orthancCommittedWhileStorescpDownMs = Date.now() - queued;
    expect(deliveredTo('orthanc', study.uids).sort()).toEqual([...study.uids].sort());
    expect(storeItems('orthanc', study.uids).map((i) => i.attemptCount)).toEqual([1, 1, 1, 1]);
    expect(deliveredTo('pacs', study.uids)).toEqual([]);
    // Down a while longer: the pacs items wait behind their breaker, the study is not delivered.
    await new Promise((r) => setTimeout(r, 2000));
    expect(services.queueHealth('pacs').state).not.toBe('closed');
    expect(studies.some((s) => s.studyInstanceUid === study.studyInstanceUid)).toBe(false);
    expect(storescpRequests()).toBe(4);
    await up('storescp');
    const back = Date.now();
    await waitFor('study delivered', () =>
      studies.find((s) => s.studyInstanceUid === study.studyInstanceUid),
    );
    figures.storescpCatchUpMs = Date.now() - back;
    expect(deliveredTo('pacs', study.uids).sort()).toEqual([...study.uids].sort());
    expect(storeItems('orthanc', study.uids).map((i) => i.attemptCount)).toEqual([1, 1, 1, 1]);
  });

  it('NFR-REL-01: Orthanc down: storescp gets the next study at once, one request each; Orthanc catches up and commits', async () => {
    await down('orthanc');
    const before = storescpRequests();
    const study = await storeStudy();
    const queued = Date.now();
    all.push(...study.uids);
    await waitFor('stored on storescp', () =>
      deliveredTo('pacs', study.uids).length === 4 ? true : undefined,
    );
    figures.storescpStoredWhileOrthancDownMs = Date.now() - queued;
    expect(storescpRequests() - before).toBe(4);
    expect(storeItems('pacs', study.uids).map((i) => i.attemptCount)).toEqual([1, 1, 1, 1]);
    await new Promise((r) => setTimeout(r, 2000));
    expect(deliveredTo('orthanc', study.uids)).toEqual([]);
    expect(services.queueHealth('orthanc').state).not.toBe('closed');
    expect(storescpRequests() - before).toBe(4);
    await up('orthanc');
    const back = Date.now();
    await waitFor('study delivered', () =>
      studies.find((s) => s.studyInstanceUid === study.studyInstanceUid),
    );
    figures.orthancCatchUpAndCommitMs = Date.now() - back;
    const report = committed.find((c) => c.studyInstanceUid === study.studyInstanceUid);
    expect(report?.destination).toBe('orthanc');
    expect(report?.committed).toHaveLength(4);
    expect(storeItems('pacs', study.uids).map((i) => i.attemptCount)).toEqual([1, 1, 1, 1]);
  });

  it('NFR-REL-01: a restart while storescp is down loses nothing; Orthanc is not sent anything again', async () => {
    await down('storescp');
    const study = await storeStudy();
    all.push(...study.uids);
    await waitFor('committed by Orthanc', () =>
      committed.find((c) => c.studyInstanceUid === study.studyInstanceUid),
    );
    await services.stop({ graceMs: 0 });
    services = await open();
    await up('storescp');
    const back = Date.now();
    await waitFor('study delivered', () =>
      studies.find((s) => s.studyInstanceUid === study.studyInstanceUid),
    );
    figures.storescpCatchUpAfterRestartMs = Date.now() - back;
    expect(deliveredTo('pacs', study.uids).sort()).toEqual([...study.uids].sort());
    expect(deliveredTo('orthanc', study.uids).sort()).toEqual([...study.uids].sort());
    expect(storeItems('orthanc', study.uids).map((i) => i.attemptCount)).toEqual([1, 1, 1, 1]);
  });

  it('NFR-REL-01: in the end each destination holds every object exactly once', async () => {
    expect(all).toHaveLength(16);
    expect(new Set(all).size).toBe(16);
    // storescp: one C-STORE request per object in all (none sent twice), one file each.
    expect(storescpRequests()).toBe(16);
    const files = await storescpFiles();
    expect(files.sort()).toEqual([...all].sort());
    const instances = await orthancInstances();
    expect(instances.sort()).toEqual([...all].sort());
    // Each object delivered once per destination (a second C-STORE would be a second event).
    for (const destination of ['pacs', 'orthanc']) {
      expect(deliveredTo(destination, all).sort()).toEqual([...all].sort());
    }
    expect(services.queueStatus().byDestination).toMatchObject({
      pacs: { DONE: 16, FAILED: 0 },
      orthanc: { DONE: 16, FAILED: 0 },
      'orthanc/commitment': { DONE: 4 },
    });
  });
});
