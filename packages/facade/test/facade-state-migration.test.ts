import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorklistItem } from '@hnvue/net';
import { TransmissionQueue } from '@hnvue/queue';
import { RisPacsSimulator } from '@hnvue/simulator';
import { freePort, makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommitmentInfo, createDicomServices, type DicomServices } from '../src/index.js';
import type { ProcedureState, StudyState } from '../src/state.js';
import { readRecords, SMALL_DX, waitFor } from './support.js';

// An earlier facade kept `facade-state.json` and `procedures/<id>.json` beside the queue; the first
// start of this version moves them into the queue's records in one transaction (src/migrate.ts).
const ITEM: WorklistItem = {
  patientName: { alphabetic: 'Migrate^Me' },
  patientId: 'MIG-1',
  accessionNumber: 'MIGACC1',
  otherPatientIds: [],
  requestedProcedureCodes: [],
  referencedStudies: [],
  scheduledProcedureSteps: [{ modality: 'DX', protocolCodes: [] }],
  studyInstanceUid: '2.25.88881',
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const dir = await makeTempDir('hnvue-facade-migrate-');
  cleanups.push(() => rmTempDir(dir));
  const sim = new RisPacsSimulator({ storageDir: join(dir, 'pacs') });
  const address = await sim.start();
  cleanups.push(() => sim.stop());
  const localPort = await freePort();
  sim.registerModality('HNVUE_MG', { host: '127.0.0.1', port: localPort });
  const pacs = { aeTitle: address.pacs.aeTitle, host: '127.0.0.1', port: address.pacs.port };
  const config = {
    local: { aeTitle: 'HNVUE_MG', port: localPort },
    uid: { deviceSerial: '12' },
    pacs,
    commitment: pacs,
    queue: { path: join(dir, 'q.sqlite'), initialIntervalMs: 200, backoffMultiplier: 1 },
  };
  const open = () => {
    const services = createDicomServices({ config });
    cleanups.push(() => services.stop({ graceMs: 0 }));
    return services;
  };
  return { queueDir: join(dir, 'q'), open };
}

/** Moves the facade's records back out into the earlier version's files, as it would have left them. */
async function toLegacyFiles(
  queueDir: string,
  edit: (state: {
    studies: Record<string, StudyState>;
    commitments: Record<string, unknown>;
    procedures: Record<string, ProcedureState>;
  }) => void,
): Promise<void> {
  const queue = await TransmissionQueue.open({ dir: queueDir, sender: async () => {} });
  const state = { studies: {}, commitments: {}, procedures: {} } as Parameters<typeof edit>[0];
  queue.transaction((records) => {
    for (const [ns, into] of [
      ['study', state.studies],
      ['commitment', state.commitments],
      ['procedure', state.procedures],
    ] as const) {
      for (const { key, value } of records.list(ns)) {
        (into as Record<string, unknown>)[key] = value;
        records.delete(ns, key);
      }
    }
    mkdirSync(join(queueDir, 'procedures'), { recursive: true });
    for (const { key, value } of records.list('subject')) {
      writeFileSync(join(queueDir, 'procedures', `${key}.json`), JSON.stringify(value));
      records.delete('subject', key);
    }
  });
  await queue.close();
  edit(state);
  writeFileSync(join(queueDir, 'facade-state.json'), JSON.stringify(state));
}

function delivered(services: DicomServices, kind: string): Promise<void> {
  return waitFor<void>((done) => services.on('delivered', (i) => i.kind === kind && done()), kind);
}

describe('facade state files of an earlier version', () => {
  it('NFR-REL-01: FR-DICOM-07: facade-state.json and procedures/*.json move into the queue records once, then the files are gone', async () => {
    const { queueDir, open } = await setup();
    const first = open();
    await first.start();
    const procedure = await first.startProcedure({ worklist: { item: ITEM } });
    const stored = delivered(first, 'c-store');
    const image = await first.storeImage(procedure.id, SMALL_DX);
    await stored;
    await first.stop({ graceMs: 0 });
    const ref = { sopClassUid: image.sopClassUid, sopInstanceUid: image.sopInstanceUid };
    await toLegacyFiles(queueDir, (state) => {
      // The earlier version's crash windows: a DONE delivery it never recorded, and a study whose
      // transaction UID was saved without its queue item.
      state.studies[ITEM.studyInstanceUid!] = { references: [ref], delivered: [], closed: false };
      state.studies['2.25.88882'] = {
        references: [ref],
        delivered: [ref.sopInstanceUid],
        closed: true,
        commitment: '2.25.434343',
      };
    });

    const second = open();
    const lostCommitment = waitFor<CommitmentInfo>(
      (done) => second.on('committed', (i) => i.transactionUid === '2.25.434343' && done(i)),
      'the saved transaction UID',
    );
    await second.start();
    expect(existsSync(join(queueDir, 'facade-state.json'))).toBe(false);
    expect(existsSync(join(queueDir, 'procedures'))).toBe(false);
    expect(second.procedure(procedure.id)).toMatchObject({ status: 'IN PROGRESS', objects: [ref] });
    expect((await lostCommitment).committed).toEqual([ref]);
    // The worklist slice came along: a later image still carries the subject (IHE SWF).
    const later = await second.storeImage(procedure.id, SMALL_DX);
    const committed = waitFor<CommitmentInfo>(
      (done) => second.on('committed', (i) => i.studyInstanceUid === ITEM.studyInstanceUid && done(i)),
      'commitment',
    );
    await second.completeProcedure(procedure.id);
    expect((await committed).committed.map((r) => r.sopInstanceUid).sort()).toEqual(
      [image.sopInstanceUid, later.sopInstanceUid].sort(),
    );
    await second.stop({ graceMs: 0 });

    // A kill after the migration's commit, before the files went: the next start only removes them.
    await toLegacyFiles(queueDir, (state) => {
      state.procedures['2.25.99999'] = {
        studyInstanceUid: '2.25.1',
        seriesInstanceUid: '2.25.2',
        startedAt: 0,
        images: [],
        others: [],
        doseEvents: [],
      };
    });
    const third = open();
    await third.start();
    expect(existsSync(join(queueDir, 'facade-state.json'))).toBe(false);
    expect(third.procedure('2.25.99999')).toBeUndefined();
    await third.stop({ graceMs: 0 });
    expect(await readRecords(queueDir, 'subject')).toEqual([]);
  });
});
