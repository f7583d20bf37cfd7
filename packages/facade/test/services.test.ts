import { join } from 'node:path';
import type { Logger } from '@hnvue/core';
import { encodeDataset } from '@hnvue/dicom';
import {
  Association,
  buildCommitmentReport,
  STORAGE_COMMITMENT_SOP_CLASS,
  STORAGE_COMMITMENT_SOP_INSTANCE,
} from '@hnvue/net';
import { COMMAND_FIELD } from '@hnvue/net/dimse';
import { RisPacsSimulator } from '@hnvue/simulator';
import { freePort, makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommitmentInfo, createDicomServices, type DicomServices } from '../src/index.js';
import { dxImage, dxWorklistItem } from './support.js';

const ITEM = dxWorklistItem({
  patientName: { alphabetic: 'Facade^Test', phonetic: '파사드^테스트' },
  patientId: 'FAC-1',
  patientBirthDate: '19700101',
  accessionNumber: 'FACACC1',
  studyInstanceUid: '2.25.55551',
});

const IMAGE = dxImage(32);

function capture(lines: string[]): Logger {
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

function once<T extends unknown[]>(services: DicomServices, event: string, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    (services as unknown as NodeJS.EventEmitter).once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

function deliveredOf(services: DicomServices, kind: string, uid: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} not delivered`)), 20_000);
    services.on('delivered', (info) => {
      if (info.kind === kind && info.sopInstanceUid === uid) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('createDicomServices', () => {
  it('FR-DICOM-05/NFR-REL-01: queues MPPS while the MPPS SCP is down and delivers it once it is up', async () => {
    const dir = await makeTempDir('hnvue-facade-');
    cleanups.push(() => rmTempDir(dir));
    const risPort = await freePort();
    const lines: string[] = [];
    const services = createDicomServices({
      config: {
        local: { aeTitle: 'HNVUE_T1', port: 0 },
        uid: { deviceSerial: '7' },
        mpps: { aeTitle: 'RIS', host: '127.0.0.1', port: risPort },
        queue: { path: join(dir, 'q.sqlite'), initialIntervalMs: 200, backoffMultiplier: 1 },
        logging: { level: 'debug' },
      },
      logger: capture(lines),
    });
    await services.start();
    cleanups.push(() => services.stop({ graceMs: 0 }));
    const retrying = once<[{ kind: string }]>(services, 'retrying');
    const procedure = await services.startProcedure({ worklist: { item: ITEM } });
    expect((await retrying)[0].kind).toBe('mpps-create');
    const sim = new RisPacsSimulator({ storageDir: join(dir, 'pacs'), ris: { port: risPort } });
    await sim.start();
    cleanups.push(() => sim.stop());
    await deliveredOf(services, 'mpps-create', procedure.id);
    expect(sim.mppsRecords.get(procedure.id)?.status).toBe('IN PROGRESS');
    // NFR-SEC-01: the debug log of the whole run names no patient attribute.
    for (const phi of ['Facade', '파사드', 'FAC-1', 'FACACC1', '19700101'])
      expect(lines.join('\n')).not.toContain(phi);
  });

  it('FR-DICOM-07: a pending commitment survives a restart, times out, and a late report still commits it', async () => {
    const dir = await makeTempDir('hnvue-facade-');
    cleanups.push(() => rmTempDir(dir));
    // No modality registered: the simulated PACS cannot deliver the report, the commitment stays pending.
    const sim = new RisPacsSimulator({ storageDir: join(dir, 'pacs') });
    const address = await sim.start();
    cleanups.push(() => sim.stop());
    const pacs = { aeTitle: 'PACS', host: '127.0.0.1', port: address.pacs.port };
    const config = (timeoutMs: number) => ({
      local: { aeTitle: 'HNVUE_T2', port: 0 },
      uid: { deviceSerial: '8' },
      pacs,
      // A restart waits for the old request's report (re-requests: commitment-rerequest.test.ts).
      commitment: { ...pacs, timeoutMs, reRequest: { onRestart: false } },
      queue: { path: join(dir, 'q.sqlite'), initialIntervalMs: 200 },
    });
    const first = createDicomServices({ config: config(600_000) });
    const progress: number[] = [];
    first.on('progress', (_info, sent, total) => progress.push(sent / total));
    await first.start();
    const procedure = await first.startProcedure({ worklist: { item: ITEM } });
    const image = await first.storeImage(procedure.id, IMAGE);
    const requested = new Promise<void>((resolve) =>
      first.on('delivered', (info) => info.kind === 'storage-commitment' && resolve()),
    );
    const reportFailed = new Promise((r) => sim.once('commitmentReportFailed', r));
    await first.completeProcedure(procedure.id);
    await requested;
    await reportFailed;
    expect(progress.at(-1)).toBe(1);
    const [pending] = first.pendingCommitments();
    expect(pending?.studyInstanceUid).toBe(ITEM.studyInstanceUid);
    await first.stop({ graceMs: 0 });

    const second = createDicomServices({ config: config(300) });
    const timedOut = once<[{ transactionUid: string }]>(second, 'commitmentTimedOut');
    await second.start();
    cleanups.push(() => second.stop({ graceMs: 0 }));
    expect(second.pendingCommitments().map((p) => p.transactionUid)).toEqual([pending!.transactionUid]);
    expect((await timedOut)[0].transactionUid).toBe(pending!.transactionUid);

    // The PACS reports late, on a new association to our listener (as Orthanc does).
    const committed = once<[CommitmentInfo]>(second, 'committed');
    const association = await Association.open({
      host: '127.0.0.1',
      port: second.listenerPort,
      callingAeTitle: 'PACS',
      calledAeTitle: 'HNVUE_T2',
      presentationContexts: [
        { abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS, transferSyntaxes: ['1.2.840.10008.1.2'] },
      ],
      roles: [{ sopClassUid: STORAGE_COMMITMENT_SOP_CLASS, scuRole: false, scpRole: true }],
    });
    const report = buildCommitmentReport(
      pending!.transactionUid,
      [{ sopClassUid: image.sopClassUid, sopInstanceUid: image.sopInstanceUid }],
      [],
    );
    await association.send({
      abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS,
      command: {
        commandField: COMMAND_FIELD['N-EVENT-REPORT-RQ'],
        affectedSopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
        affectedSopInstanceUid: STORAGE_COMMITMENT_SOP_INSTANCE,
        eventTypeId: report.eventTypeId,
      },
      dataset: encodeDataset(report.dataset, { transferSyntax: '1.2.840.10008.1.2' }),
    });
    await association.release();
    const [info] = await committed;
    expect(info.committed.map((r) => r.sopInstanceUid)).toEqual([image.sopInstanceUid]);
    expect(second.pendingCommitments()).toEqual([]);
  });
});
