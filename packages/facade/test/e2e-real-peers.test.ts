/**
 * The clinical day end to end against peers we did not write: Orthanc as RIS worklist (plugin),
 * PACS and storage commitment SCP, and dcmjs-dimse's Server as MPPS SCP. What arrived is checked
 * through Orthanc's REST API, and the debug log of the whole run is searched for the patient's
 * name, ID, birth date and accession number (NFR-SEC-01).
 */

import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Logger } from '@hnvue/core';
import { toPart10Buffer } from '@hnvue/iod';
import { MPPS_SOP_CLASS } from '@hnvue/net';
import { seedWorklist } from '@hnvue/simulator';
import {
  freePort,
  makeTempDir,
  type OrthancPeer,
  rmTempDir,
  startOrthanc,
  waitForPort,
} from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommitmentInfo, createDicomServices, type DicomServices } from '../src/index.js';

type Dimse = typeof import('dcmjs-dimse');
type ScpArgs<K extends keyof InstanceType<Dimse['Scp']>> = InstanceType<Dimse['Scp']>[K] extends (
  ...args: infer A
) => unknown
  ? A
  : never;
const dimse = createRequire(import.meta.url)('dcmjs-dimse') as Dimse;
dimse.log.setLevel?.('error');

// A UTF-8 item of the simulator's seed (Orthanc 1.10.1 answers in its DefaultEncoding, PEERS.md).
const ITEM = seedWorklist({ stationAeTitle: 'HNVUE_E2E' })[1]!;
const PHI = [
  'Kim',
  'Minjun',
  '김',
  '金',
  String(ITEM.PatientID),
  String(ITEM.AccessionNumber),
  String(ITEM.PatientBirthDate),
];

const mpps: { kind: string; uid: string; status: unknown }[] = [];
let dir: string;
let orthanc: OrthancPeer;
let mppsServer: InstanceType<Dimse['Server']>;
let services: DicomServices;
const lines: string[] = [];

function capture(): Logger {
  const log = (a: unknown, m?: string) => lines.push(`${JSON.stringify(a)} ${m ?? ''}`);
  const logger: Logger = {
    trace: log,
    debug: log,
    info: log,
    warn: log,
    error: log,
    fatal: log,
    child: () => logger,
  };
  return logger;
}

async function rest<T>(path: string, body?: string): Promise<T> {
  const response = await fetch(
    `http://127.0.0.1:${orthanc.httpPort}${path}`,
    body === undefined ? {} : { method: 'POST', body },
  );
  return (await response.json()) as T;
}

beforeAll(async () => {
  dir = await makeTempDir('hnvue-e2e-');
  const wl = join(dir, 'worklists');
  await import('node:fs/promises').then((fs) => fs.mkdir(wl));
  await writeFile(
    join(wl, 'item.wl'),
    toPart10Buffer({ ...ITEM, SOPClassUID: '1.2.840.10008.5.1.4.31', SOPInstanceUID: '2.25.1234567' }),
  );
  const listenerPort = await freePort();
  orthanc = await startOrthanc({
    config: {
      Plugins: ['/usr/share/orthanc/plugins/libModalityWorklists.so'],
      Worklists: { Enable: true, Database: wl },
      DicomAlwaysAllowFindWorklist: true,
      DefaultEncoding: 'Utf8',
      DicomModalities: {
        hnvue: { AET: 'HNVUE_E2E', Host: '127.0.0.1', Port: listenerPort, AllowStorageCommitment: true },
      },
    },
  });
  const { Scp, Server, responses, constants } = dimse;
  class MppsScp extends Scp {
    override associationRequested(association: ScpArgs<'associationRequested'>[0]) {
      for (const c of association.getPresentationContexts()) {
        const context = association.getPresentationContext(c.id);
        if (context.getAbstractSyntaxUid() === MPPS_SOP_CLASS) {
          context.setResult(
            constants.PresentationContextResult.Accept,
            constants.TransferSyntax.ImplicitVRLittleEndian,
          );
        } else {
          context.setResult(constants.PresentationContextResult.RejectAbstractSyntaxNotSupported);
        }
      }
      this.sendAssociationAccept();
    }
    override nCreateRequest(request: ScpArgs<'nCreateRequest'>[0], callback: ScpArgs<'nCreateRequest'>[1]) {
      const elements = (request.getDataset()?.getElements() ?? {}) as Record<string, unknown>;
      mpps.push({
        kind: 'N-CREATE',
        uid: request.getAffectedSopInstanceUid(),
        status: elements.PerformedProcedureStepStatus,
      });
      const response = responses.NCreateResponse.fromRequest(request);
      response.setStatus(constants.Status.Success);
      callback(response);
    }
    override nSetRequest(request: ScpArgs<'nSetRequest'>[0], callback: ScpArgs<'nSetRequest'>[1]) {
      const elements = (request.getDataset()?.getElements() ?? {}) as Record<string, unknown>;
      mpps.push({
        kind: 'N-SET',
        uid: request.getRequestedSopInstanceUid(),
        status: elements.PerformedProcedureStepStatus,
      });
      const response = responses.NSetResponse.fromRequest(request);
      response.setStatus(constants.Status.Success);
      callback(response);
    }
    override associationReleaseRequested() {
      this.sendAssociationReleaseResponse();
    }
  }
  const mppsPort = await freePort();
  mppsServer = new Server(MppsScp);
  mppsServer.listen(mppsPort);
  await waitForPort(mppsPort);
  const peer = { aeTitle: 'ORTHANC', host: '127.0.0.1', port: orthanc.port };
  services = createDicomServices({
    config: {
      local: { aeTitle: 'HNVUE_E2E', port: listenerPort },
      uid: { deviceSerial: '42' },
      ris: peer,
      pacs: peer,
      commitment: { ...peer, timeoutMs: 30_000 },
      mpps: { aeTitle: 'MPPS', host: '127.0.0.1', port: mppsPort },
      queue: { path: join(dir, 'queue.sqlite'), initialIntervalMs: 500 },
      logging: { level: 'debug' },
    },
    logger: capture(),
  });
  await services.start();
});

afterAll(async () => {
  await services?.stop({ graceMs: 0 });
  mppsServer?.close();
  await orthanc?.stop();
  if (dir) await rmTempDir(dir);
});

describe('a clinical day against Orthanc and dcmjs-dimse', () => {
  // conformance: SCU modalityWorklistFind modalityPerformedProcedureStep digitalXRayImageStorageForPresentation xRayRadiationDoseSrStorage storageCommitmentPushModel
  it('FR-DICOM-03/04/05/07/09, NFR-SEC-01: worklist → MPPS → DX + RDSR stored → committed, no PHI in the debug log', async () => {
    const worklist = await services.queryWorklist({ scheduledStationAeTitle: 'HNVUE_E2E' });
    expect(worklist).toHaveLength(1);
    const chosen = worklist[0]!;
    expect(chosen.item.patientName?.phonetic).toBe('김^민준');

    const committed = new Promise<CommitmentInfo>((resolve, reject) => {
      services.once('committed', resolve);
      services.once('commitmentFailed', () => reject(new Error('commitment failed')));
      services.once('commitmentTimedOut', () => reject(new Error('commitment timed out')));
    });
    const procedure = await services.startProcedure({ worklist: chosen });
    const image = await services.storeImage(procedure.id, {
      image: {
        rows: 128,
        columns: 128,
        bitsStored: 12,
        pixels: new Uint16Array(128 * 128).fill(1000),
        windowCenter: 2048,
        windowWidth: 4096,
      },
      anatomy: {
        imageLaterality: 'L',
        bodyPart: 'HAND',
        anatomicRegion: { value: '85562004', scheme: 'SCT', meaning: 'Hand' },
      },
      acquisition: { kvp: 55, exposureTimeMs: 8, tubeCurrentMa: 100, dapDgyCm2: 0.02, viewPosition: 'PA' },
      presentationIntent: 'FOR PRESENTATION',
      detector: { type: 'SCINTILLATOR', imagerPixelSpacingMm: [0.14, 0.14] },
    });
    const dose = await services.storeDoseReport(procedure.id);
    await services.completeProcedure(procedure.id, {
      dose: { areaDoseProduct: 0.02, totalNumberOfExposures: 1 },
    });
    const result = await committed;
    expect(result.committed.map((r) => r.sopInstanceUid).sort()).toEqual(
      [image.sopInstanceUid, dose.sopInstanceUid].sort(),
    );

    // Orthanc's REST API: both objects are there, the SR is a dose report of the same study.
    const found = await rest<{ Type: string; ID: string }[]>('/tools/lookup', image.sopInstanceUid);
    expect(found[0]?.Type).toBe('Instance');
    const sr = await rest<{ Type: string; ID: string }[]>('/tools/lookup', dose.sopInstanceUid);
    const srTags = await rest<Record<string, string>>(`/instances/${sr[0]!.ID}/simplified-tags`);
    expect(srTags.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.88.67');
    expect(srTags.StudyInstanceUID).toBe(procedure.studyInstanceUid);
    // Orthanc ran a storage commitment SCP job for our request, successfully.
    const jobs = await rest<{ Type: string; State: string }[]>('/jobs?expand');
    expect(jobs.filter((j) => j.Type === 'StorageCommitmentScp').map((j) => j.State)).toContain('Success');

    // MPPS at dcmjs-dimse: N-CREATE IN PROGRESS, then N-SET COMPLETED, same instance.
    await expect.poll(() => mpps.length, { timeout: 10_000 }).toBe(2);
    expect(mpps.map((m) => [m.kind, m.uid, m.status])).toEqual([
      ['N-CREATE', procedure.id, 'IN PROGRESS'],
      ['N-SET', procedure.id, 'COMPLETED'],
    ]);

    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const phi of PHI) expect(log).not.toContain(phi);
  });
});
