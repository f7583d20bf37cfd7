/**
 * FR-DICOM-06: `hnvue query` and `hnvue retrieve` against the simulator's Q/R SCP (filled by our
 * C-STORE SCU; no external peer): table and DICOM JSON output, -S/-P, --level, -k; C-GET and C-MOVE (our own
 * listener with --port) into --out; the exit codes of a refused key set, an unknown move
 * destination and a bad command line.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { type RisPacsSimulator, startSimulator } from '@hnvue/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArchiveInstance,
  fillArchive,
  removeDir,
  tempDir,
  writeArchive,
} from '../../net/test/qr/archive.js';
import { EXIT_CODES, main } from '../src/index.js';
import { context } from './helpers/context.js';

let dir: string;
let sim: RisPacsSimulator;
let pacs: string;
let archive: ArchiveInstance[];

beforeAll(async () => {
  dir = await tempDir('hnvue-cli-qr-');
  const src = join(dir, 'src');
  await mkdir(src);
  archive = await writeArchive(src, {
    patients: [
      { id: 'CLI001', name: 'PARK^SEOYEON' },
      { id: 'CLI002', name: 'CHOI^MINHO' },
    ],
    studiesPerPatient: 2,
    seriesPerStudy: 1,
    instancesPerSeries: 2,
  });
  const started = await startSimulator({ storageDir: join(dir, 'pacs') });
  sim = started.simulator;
  pacs = String(started.address.pacs.port);
  await fillArchive(Number(pacs), archive, sim);
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  if (dir) await removeDir(dir);
});

/** A free loopback port (bound to 0, then released). */
async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createNetServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const peer = () => ['-aec', 'PACS', '127.0.0.1', pacs];

describe('FR-DICOM-06: hnvue query / hnvue retrieve', { timeout: 90_000 }, () => {
  it('FR-DICOM-03.dataset: query --json writes IS values as JSON numbers (PS3.18 F.2.3), not strings', async () => {
    const ctx = context();
    const code = await main(
      ['query', '--json', '-k', 'PatientID=CLI001', '-k', 'NumberOfStudyRelatedInstances', ...peer()],
      ctx,
    );
    expect(code, ctx.stderr()).toBe(EXIT_CODES.ok);
    const studies = JSON.parse(ctx.stdout()) as Record<string, { vr?: string; Value?: unknown[] }>[];
    expect(studies.length).toBe(2);
    for (const study of studies) expect(study['00201208']).toEqual({ vr: 'IS', Value: [2] });
  });

  it('FR-DICOM-06: hnvue query prints a table, or DICOM JSON with --json', async () => {
    const ctx = context();
    expect(await main(['query', '-S', '-k', 'PatientID=CLI001', ...peer()], ctx)).toBe(EXIT_CODES.ok);
    expect(ctx.stdout()).toContain('PARK^SEOYEON');
    expect(ctx.stdout()).toContain('2 matches');

    const json = context();
    expect(
      await main(
        ['query', '--json', '-k', 'PatientName=CHOI*', '-k', 'StudyDate=20250101-', ...peer()],
        json,
      ),
    ).toBe(0);
    const studies = JSON.parse(json.stdout()) as Record<string, { Value?: unknown[] }>[];
    expect(studies.length).toBe(2);
    expect(studies[0]?.['0020000D']?.Value?.length).toBe(1);

    const patients = context();
    expect(
      await main(['query', '-P', '--level', 'PATIENT', '-k', 'PatientID=CLI00*', ...peer()], patients),
    ).toBe(0);
    expect(patients.stdout()).toContain('2 matches');

    const study = archive[0]!.studyInstanceUid;
    const series = context();
    expect(
      await main(
        ['query', '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${study}`, ...peer()],
        series,
      ),
    ).toBe(0);
    expect(series.stdout()).toContain('1 match');
  });

  it('FR-DICOM-06: a SERIES query without StudyInstanceUID and a bad -k exit with input/usage codes', async () => {
    const ctx = context();
    expect(await main(['query', '--level', 'SERIES', '-k', 'Modality=DX', ...peer()], ctx)).toBe(
      EXIT_CODES.input,
    );
    expect(ctx.stderr()).toContain('HNV_ERR_INVALID_ARGUMENT');
    expect(await main(['query', '-k', '=x', ...peer()], context())).toBe(EXIT_CODES.usage);
    expect(await main(['query', '-S', '-P', ...peer()], context())).toBe(EXIT_CODES.usage);
  });

  it('FR-DICOM-06: hnvue retrieve --get writes every instance of the study into --out', async () => {
    const out = join(dir, 'get');
    const study = archive.filter((a) => a.patientId === 'CLI002')[0]!.studyInstanceUid;
    const ctx = context();
    const code = await main(
      ['retrieve', '--get', '--out', out, '-k', `StudyInstanceUID=${study}`, ...peer()],
      ctx,
    );
    expect(code, ctx.stderr()).toBe(0);
    expect(ctx.stdout()).toMatch(/C-GET: 2 completed, 0 failed/);
    expect((await readdir(out)).sort()).toEqual(
      archive
        .filter((a) => a.studyInstanceUid === study)
        .map((a) => `${a.sopInstanceUid}.dcm`)
        .sort(),
    );
  });

  it('FR-DICOM-06: hnvue retrieve --move AE --port N receives the sub-operations itself', async () => {
    const out = join(dir, 'move');
    const port = await freePort();
    sim.registerMoveDestination('CLIMOVE', { host: '127.0.0.1', port });
    const study = archive[0]!.studyInstanceUid;
    const ctx = context();
    const code = await main(
      [
        'retrieve',
        '--move',
        'CLIMOVE',
        '--port',
        String(port),
        '--out',
        out,
        '--json',
        '-k',
        `StudyInstanceUID=${study}`,
        ...peer(),
      ],
      ctx,
    );
    expect(code, ctx.stderr()).toBe(0);
    expect(JSON.parse(ctx.stdout())).toMatchObject({ status: 0, completed: 2, failed: 0 });
    expect((await readdir(out)).length).toBe(2);
  });

  it('FR-DICOM-06: a move to an unknown AE exits 6 with the SCP status; --move with --get exits 2', async () => {
    const ctx = context();
    const study = archive[0]!.studyInstanceUid;
    expect(
      await main(['retrieve', '--move', 'NOWHERE', '-k', `StudyInstanceUID=${study}`, ...peer()], ctx),
    ).toBe(EXIT_CODES.dimseFailure);
    expect(ctx.stderr()).toMatch(/HNV_ERR_DIMSE_FAILURE/);
    expect(ctx.stderr()).toMatch(/A801|a801/i);
    expect(await main(['retrieve', '--move', 'X', '--get', ...peer()], context())).toBe(EXIT_CODES.usage);
    expect(await main(['retrieve', ...peer()], context())).toBe(EXIT_CODES.usage);
  });
});
