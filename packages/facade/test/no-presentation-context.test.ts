/**
 * Callers of a presentation context take it from `Association.contextFor` (issue 14): a peer that
 * accepted no context for the SOP class is a typed NoPresentationContextError
 * (HNV_ERR_NO_PRESENTATION_CONTEXT) before anything is encoded or sent, never a guessed Implicit
 * VR LE. The peer here is our own SCP with its default contexts (Verification only), on loopback.
 */
import { join } from 'node:path';
import {
  Association,
  buildMppsCreate,
  createServer,
  type DicomServer,
  findWorklist,
  MPPS_CONTEXT,
  MPPS_SOP_CLASS,
  MppsProcedureStep,
  NoPresentationContextError,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_SOP_CLASS,
  StorageCommitmentScu,
  VERIFICATION_SOP_CLASS,
  WORKLIST_CONTEXT,
  type WorklistItem,
} from '@hnvue/net';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDicomServices } from '../src/index.js';

const ITEM: WorklistItem = {
  patientName: { alphabetic: 'Context^Test' },
  patientId: 'CTX-1',
  otherPatientIds: [],
  requestedProcedureCodes: [],
  referencedStudies: [],
  scheduledProcedureSteps: [{ modality: 'DX', protocolCodes: [] }],
  studyInstanceUid: '2.25.777001',
};

const uids = {
  next: (() => {
    let n = 0;
    return () => `2.25.777${++n}`;
  })(),
};

let server: DicomServer;
let port: number;

beforeAll(async () => {
  server = createServer({ aeTitles: ['VERIFY_ONLY'] });
  port = await server.listen(0);
});

afterAll(async () => {
  await server.close();
});

async function openAll(): Promise<Association> {
  return await Association.open({
    host: '127.0.0.1',
    port,
    callingAeTitle: 'HNVUE_CTX',
    calledAeTitle: 'VERIFY_ONLY',
    presentationContexts: [
      { abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: [...MPPS_CONTEXT.transferSyntaxes] },
      MPPS_CONTEXT,
      WORKLIST_CONTEXT,
      STORAGE_COMMITMENT_CONTEXT,
    ],
  });
}

function expectNoContext(err: unknown, sopClass: string): void {
  expect(err).toBeInstanceOf(NoPresentationContextError);
  expect(err).toMatchObject({ code: 'HNV_ERR_NO_PRESENTATION_CONTEXT', abstractSyntax: sopClass });
}

describe('Association.contextFor callers', () => {
  it('FR-DICOM-02.negotiation: worklist, MPPS and commitment SCUs throw HNV_ERR_NO_PRESENTATION_CONTEXT when the peer accepted no context for their SOP class', async () => {
    const association = await openAll();
    try {
      expect(association.findContext(MPPS_SOP_CLASS)).toBeUndefined();
      expectNoContext(
        await findWorklist(association, { patientId: 'CTX-1' })
          .next()
          .catch((e) => e),
        WORKLIST_CONTEXT.abstractSyntax,
      );
      const step = new MppsProcedureStep(uids);
      const created = buildMppsCreate({
        worklistItem: ITEM,
        performedProcedureStepId: 'PPS1',
        performedStationAeTitle: 'HNVUE_CTX',
        startedAt: new Date(),
        modality: 'DX',
      });
      expectNoContext(await step.create(association, created).catch((e) => e), MPPS_SOP_CLASS);
      // A failed N-CREATE leaves the step as it was (nothing was sent).
      expect(step.state).toBe('new');
      const scu = new StorageCommitmentScu({ uids });
      const refs = [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1', sopInstanceUid: '2.25.777999' }];
      expectNoContext(await scu.request(association, refs).catch((e) => e), STORAGE_COMMITMENT_SOP_CLASS);
      // The request it registered before sending is dropped again.
      expect(scu.pending).toEqual([]);
      // The association is still usable for what was accepted.
      expect((await association.echo()).status).toBe(0);
    } finally {
      await association.release();
    }
  });

  it('FR-DICOM-05: the facade fails a queued N-CREATE permanently with HNV_ERR_NO_PRESENTATION_CONTEXT, without retrying', async () => {
    const dir = await makeTempDir('hnvue-facade-ctx-');
    const services = createDicomServices({
      config: {
        local: { aeTitle: 'HNVUE_CTX', port: 0 },
        uid: { deviceSerial: '7' },
        mpps: { aeTitle: 'VERIFY_ONLY', host: '127.0.0.1', port },
        queue: { path: join(dir, 'q.sqlite'), initialIntervalMs: 200, backoffMultiplier: 1 },
      },
    });
    const retried: string[] = [];
    services.on('retrying', (_item, f) => retried.push(f.code ?? ''));
    try {
      await services.start();
      const failed = new Promise<[{ kind: string }, { code?: string }]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no 'failed' within 15 s")), 15_000);
        services.on('failed', (item, f) => {
          clearTimeout(timer);
          resolve([item, f]);
        });
      });
      await services.startProcedure({ worklist: { item: ITEM } });
      const [item, failure] = await failed;
      expect(item.kind).toBe('mpps-create');
      expect(failure.code).toBe('HNV_ERR_NO_PRESENTATION_CONTEXT');
      expect(retried).toEqual([]);
    } finally {
      await services.stop({ graceMs: 0 });
      await rmTempDir(dir);
    }
  });
});
