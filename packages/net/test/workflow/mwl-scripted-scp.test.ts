import { worklistItem } from '@hnvue/testing/worklist';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Association,
  createServer,
  type DicomServer,
  DimseFailureError,
  type DimseReply,
  NetTimeoutError,
  type ServerOptions,
  STATUS,
} from '../../src/index.js';
import {
  decodeDatasetStream,
  encodeDataset,
  findWorklist,
  MODALITY_WORKLIST_FIND_SOP_CLASS,
  WORKLIST_CONTEXT,
} from '../../src/workflow/index.js';

const EXPLICIT = '1.2.840.10008.1.2.1';
let servers: DicomServer[] = [];

async function start(handler: NonNullable<ServerOptions['handlers']>['C-FIND']): Promise<Association> {
  const server = createServer({
    contexts: [{ abstractSyntax: MODALITY_WORKLIST_FIND_SOP_CLASS, transferSyntaxes: [EXPLICIT] }],
    handlers: handler ? { 'C-FIND': handler } : {},
  });
  servers.push(server);
  const port = await server.listen(0);
  return await Association.open({
    host: '127.0.0.1',
    port,
    callingAeTitle: 'HNVUE',
    calledAeTitle: 'WLM',
    presentationContexts: [WORKLIST_CONTEXT],
  });
}

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close({ abort: true })));
  servers = [];
});

const match = (i: number, extra: Record<string, unknown> = {}) =>
  encodeDataset({ ...worklistItem(i).dataset, ...extra }, { transferSyntax: EXPLICIT });

describe('Modality Worklist SCU against a scripted SCP', () => {
  it('FR-DICOM-03.responses: items stream out as they arrive, before the SCP has finished', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const association = await start(async function* (): AsyncGenerator<DimseReply> {
      yield { status: STATUS.pending, dataset: match(1) };
      await gate; // the SCP holds the rest until the client has seen the first item
      yield { status: STATUS.pending, dataset: match(2) };
      yield { status: STATUS.success };
    });
    const seen: string[] = [];
    for await (const r of findWorklist(association, {})) {
      seen.push(r.item.patientId ?? '');
      if (seen.length === 1) release();
    }
    expect(seen).toEqual(['PID00001', 'PID00002']);
    await association.release();
  });

  it('FR-DICOM-03.responses: the SCP receives the identifier with the return keys, and C-CANCEL on abort', async () => {
    let identifier: Record<string, unknown> | undefined;
    let cancelled = false;
    const association = await start(async function* (request): AsyncGenerator<DimseReply> {
      identifier = (
        await decodeDatasetStream(request.dataset ?? [], { transferSyntax: request.transferSyntax })
      ).dataset;
      for (let i = 0; i < 500; i++) {
        if (request.signal.aborted) {
          cancelled = true;
          yield { status: STATUS.cancel };
          return;
        }
        yield { status: STATUS.pendingWarning, dataset: match(i) };
        await new Promise((r) => setTimeout(r, 2));
      }
      yield { status: STATUS.success };
    });
    const controller = new AbortController();
    const results = [];
    for await (const r of findWorklist(
      association,
      { modality: 'DX', patientName: 'DOE*' },
      { signal: controller.signal },
    )) {
      results.push(r);
      if (results.length === 3) controller.abort();
    }
    expect(results).toHaveLength(3);
    expect(results.map((r) => r.status)).toEqual([0xff01, 0xff01, 0xff01]);
    expect(cancelled).toBe(true);
    expect(String(identifier?.PatientName)).toBe('DOE*');
    // Return keys arrive as zero-length elements.
    expect(identifier).toMatchObject({ PatientID: null, AccessionNumber: null, StudyInstanceUID: null });
    expect(
      ((identifier?.ScheduledProcedureStepSequence ?? []) as Record<string, unknown>[])[0],
    ).toMatchObject({
      Modality: 'DX',
    });
    expect(association.usable).toBe(true);
    await association.release();
  });

  it('FR-DICOM-03.responses: a failure status ends the query with DimseFailureError; the association stays usable', async () => {
    const association = await start(async function* (): AsyncGenerator<DimseReply> {
      yield { status: STATUS.pending, dataset: match(3) };
      yield { status: STATUS.outOfResources };
    });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const r of findWorklist(association, {})) seen.push(r.item.patientId ?? '');
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['PID00003']);
    expect(error).toBeInstanceOf(DimseFailureError);
    expect((error as DimseFailureError).status).toBe(0xa700);
    expect(association.usable).toBe(true);
    await association.release();
  });

  it('FR-DICOM-03.responses: an SCP that never answers trips the DIMSE timeout; nothing hangs', async () => {
    const association = await start(async function* (request): AsyncGenerator<DimseReply> {
      await new Promise<void>((resolve) => request.signal.addEventListener('abort', () => resolve()));
      yield { status: STATUS.cancel };
    });
    const error = await (async () => {
      for await (const _ of findWorklist(association, {}, { timeoutMs: 200 })) {
        // no match ever comes
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetTimeoutError);
    expect((error as NetTimeoutError).timeout).toBe('dimse');
    await association.closed;
  });

  it('FR-DICOM-03.responses: a malformed match raises a typed error, never a crash', async () => {
    const association = await start(async function* (): AsyncGenerator<DimseReply> {
      yield {
        status: STATUS.pending,
        dataset: Uint8Array.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0x40, 0x00, 0x41, 0x42]),
      };
      yield { status: STATUS.success };
    });
    await expect(
      (async () => {
        for await (const _ of findWorklist(association, {})) {
          // the first match is malformed
        }
      })(),
    ).rejects.toMatchObject({ code: 'HNV_ERR_DATASET' });
    association.abort();
  });
});
