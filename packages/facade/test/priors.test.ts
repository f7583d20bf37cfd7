/**
 * FR-DICOM-06, issue 15 item 4: the console's priors through the facade — findPriors (Study Root
 * C-FIND on the configured queryRetrieve destination, modality/since/limit) and PriorsCache
 * (a study fetched by C-GET or by C-MOVE to our own storage SCP into a bounded folder, evicted
 * oldest first, removed on release unless kept), against the simulator's Q/R SCP.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parsePart10Header } from '@hnvue/dicom';
import { RisPacsSimulator } from '@hnvue/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArchiveInstance,
  fillArchive,
  removeDir,
  tempDir,
  writeArchive,
} from '../../net/test/qr/archive.js';
import { type DicomServiceOptions, findPriors, PriorsCache, parseConfig } from '../src/index.js';

let dir: string;
let sim: RisPacsSimulator;
let archive: ArchiveInstance[];
let config: DicomServiceOptions;
let movePort: number;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  dir = await tempDir('hnvue-facade-priors-');
  await mkdir(join(dir, 'src'));
  archive = await writeArchive(join(dir, 'src'), {
    patients: [
      { id: 'PRI001', name: 'HAN^SORA' },
      { id: 'PRI002', name: 'OH^JIN' },
    ],
    studiesPerPatient: 3,
    seriesPerStudy: 1,
    instancesPerSeries: 2,
  });
  movePort = await freePort();
  sim = new RisPacsSimulator({
    storageDir: join(dir, 'pacs'),
    moveDestinations: { HNVUE: { host: '127.0.0.1', port: movePort } },
  });
  const address = await sim.start();
  await fillArchive(address.pacs.port, archive, sim);
  config = parseConfig({
    local: { aeTitle: 'HNVUE' },
    uid: { deviceSerial: '1' },
    queryRetrieve: { aeTitle: 'PACS', host: '127.0.0.1', port: address.pacs.port },
  });
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  if (dir) await removeDir(dir);
});

const studiesOf = (pid: string) => [
  ...new Set(archive.filter((a) => a.patientId === pid).map((a) => a.studyInstanceUid)),
];

async function sopInstancesIn(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(folder)) {
    const header = parsePart10Header(new Uint8Array(await readFile(join(folder, name))));
    out.push(header.meta.mediaStorageSopInstanceUid);
  }
  return out.sort();
}

describe('facade priors', { timeout: 60_000 }, () => {
  it("FR-DICOM-06: findPriors lists one patient's studies newest first, with limit and since", async () => {
    const all = await findPriors(config, 'PRI001');
    expect(all.map((s) => s.studyInstanceUid).sort()).toEqual(studiesOf('PRI001').sort());
    expect([...all.map((s) => s.studyDate)].sort().reverse()).toEqual(all.map((s) => s.studyDate));
    expect(all[0]!.numberOfInstances).toBe(2);
    const two = await findPriors(config, 'PRI001', { limit: 2 });
    expect(two.map((s) => s.studyInstanceUid)).toEqual(all.slice(0, 2).map((s) => s.studyInstanceUid));
    const since = await findPriors(config, 'PRI001', { since: all[0]!.studyDate });
    expect(since.every((s) => s.studyDate >= all[0]!.studyDate)).toBe(true);
    await expect(findPriors(config, ' ')).rejects.toMatchObject({ code: 'HNV_ERR_INVALID_ARGUMENT' });
  });

  it('FR-DICOM-06: a prior fetched by C-GET and by C-MOVE lands whole in its cache folder, with progress', async () => {
    const cache = new PriorsCache({ directory: join(dir, 'cache') });
    const [first, second] = studiesOf('PRI002');
    const progress: number[] = [];
    const got = await cache.retrieve(config, first!, {
      via: 'get',
      onProgress: (p) => progress.push(p.completed),
    });
    expect(got.result.failed).toBe(0);
    expect(await sopInstancesIn(got.directory)).toEqual(
      archive
        .filter((a) => a.studyInstanceUid === first)
        .map((a) => a.sopInstanceUid)
        .sort(),
    );
    const moved = await cache.retrieve(config, second!, { via: 'move', movePort });
    expect(moved.result.completed).toBe(2);
    expect(await sopInstancesIn(moved.directory)).toEqual(
      archive
        .filter((a) => a.studyInstanceUid === second)
        .map((a) => a.sopInstanceUid)
        .sort(),
    );
    await expect(cache.retrieve(config, first!, { via: 'move' })).rejects.toMatchObject({
      code: 'HNV_ERR_INVALID_ARGUMENT',
    });
    expect(() => cache.folderOf('../../etc')).toThrow(/plain UID/);
  });

  it('FR-DICOM-06: the cache stays within its budget (oldest first, kept ones stay) and release removes a study unless kept', async () => {
    const cache = new PriorsCache({ directory: join(dir, 'small'), maxBytes: 1 });
    const [a, b, c] = studiesOf('PRI001');
    await cache.retrieve(config, a!);
    cache.keep(a!);
    await cache.retrieve(config, b!);
    // b is over budget once c arrives: evicted; a is kept; c is the one just written.
    await cache.retrieve(config, c!);
    expect((await readdir(join(dir, 'small'))).sort()).toEqual([a!, c!].sort());
    await cache.release(c!);
    await cache.release(a!);
    expect(await readdir(join(dir, 'small'))).toEqual([a!]);
  });
});
