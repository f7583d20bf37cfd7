import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_FIELD } from '../src/dimse/index.js';
import {
  Association,
  AssociationPool,
  AssociationRejectedError,
  CancelledError,
  createServer,
  type DicomServer,
  DimseFailureError,
  type DimseReply,
  type ServerOptions,
  STATUS,
  TRANSFER_SYNTAX,
  VERIFICATION_SOP_CLASS,
} from '../src/index.js';

const CT_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const ELE = [TRANSFER_SYNTAX.explicitVrLittleEndian];

let server: DicomServer | undefined;

afterEach(async () => {
  await server?.close({ abort: true });
  server = undefined;
});

async function start(options: ServerOptions): Promise<number> {
  server = createServer({ aeTitles: ['HNVUE'], ...options });
  return await server.listen(0);
}

const open = (port: number, more: Partial<Parameters<typeof Association.open>[0]> = {}) =>
  Association.open({ host: '127.0.0.1', port, callingAeTitle: 'SCU', calledAeTitle: 'HNVUE', ...more });

describe('Association', () => {
  it('FR-DICOM-02.negotiation: several outstanding C-ECHOs on one association when the async window is negotiated', async () => {
    let active = 0;
    let maxActive = 0;
    let release: () => void = () => {};
    const allIn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const port = await start({
      asyncOpsWindow: { maxOperationsInvoked: 1, maxOperationsPerformed: 4 },
      handlers: {
        'C-ECHO': async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          if (active === 3) release();
          await Promise.race([allIn, new Promise((r) => setTimeout(r, 2000))]);
          active--;
          return { status: STATUS.success };
        },
      },
    });
    const association = await open(port, {
      asyncOpsWindow: { maxOperationsInvoked: 3, maxOperationsPerformed: 1 },
    });
    expect(association.capacity).toBe(3);
    const results = await Promise.all([association.echo(), association.echo(), association.echo()]);
    expect(results.map((r) => r.status)).toEqual([0, 0, 0]);
    expect(maxActive).toBe(3);
    await association.release();
  });

  it('FR-DICOM-02.negotiation: without a proposed window only one request is outstanding at a time', async () => {
    let active = 0;
    let maxActive = 0;
    const port = await start({
      asyncOpsWindow: { maxOperationsInvoked: 1, maxOperationsPerformed: 4 },
      handlers: {
        'C-ECHO': async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          await new Promise((r) => setTimeout(r, 20));
          active--;
          return { status: STATUS.success };
        },
      },
    });
    const association = await open(port);
    expect(association.capacity).toBe(1);
    await Promise.all([association.echo(), association.echo(), association.echo()]);
    expect(maxActive).toBe(1);
    await association.release();
  });

  it('FR-DICOM-02.limits: the SCP bounds concurrent associations (A-ASSOCIATE-RJ transient, local limit exceeded)', async () => {
    const port = await start({ maxAssociations: 1 });
    const first = await open(port);
    const error = await open(port).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssociationRejectedError);
    const rj = error as AssociationRejectedError;
    expect([rj.result, rj.source, rj.reason]).toEqual([2, 3, 2]);
    await first.release();
  });

  it('FR-DICOM-02.negotiation: role selection and extended negotiation are negotiated and passed through', async () => {
    const port = await start({
      contexts: [{ abstractSyntax: CT_STORAGE, transferSyntaxes: ELE, requestorScp: true }],
      extendedNegotiation: (received) => received.map((item) => ({ ...item })),
    });
    const info = Uint8Array.from([1, 0, 1, 0]);
    const association = await open(port, {
      presentationContexts: [{ abstractSyntax: CT_STORAGE, transferSyntaxes: ELE }],
      roles: [{ sopClassUid: CT_STORAGE, scuRole: true, scpRole: true }],
      extendedNegotiation: [{ sopClassUid: CT_STORAGE, serviceClassApplicationInformation: info }],
    });
    const context = association.findContext(CT_STORAGE);
    expect(context?.requestorScu).toBe(true);
    expect(context?.requestorScp).toBe(true);
    expect(association.negotiated.peerExtendedNegotiation).toHaveLength(1);
    expect([
      ...(association.negotiated.peerExtendedNegotiation[0]?.serviceClassApplicationInformation ?? []),
    ]).toEqual([1, 0, 1, 0]);
    await association.release();
  });

  it('FR-DICOM-02.dimse: a data set streams from an AsyncIterable to the handler as chunks, within the peer max PDU', async () => {
    const chunks = Array.from({ length: 64 }, (_, i) => new Uint8Array(65_536).fill(i));
    const expected = createHash('sha256');
    for (const c of chunks) expected.update(c);
    let received = 0;
    let receivedChunks = 0;
    const hash = createHash('sha256');
    const port = await start({
      maxPduLength: 16_384,
      contexts: [{ abstractSyntax: CT_STORAGE, transferSyntaxes: ELE }],
      handlers: {
        'C-STORE': async (request) => {
          for await (const chunk of request.dataset ?? []) {
            received += chunk.length;
            receivedChunks++;
            hash.update(chunk);
          }
          return { status: STATUS.success };
        },
      },
    });
    const association = await open(port, {
      presentationContexts: [{ abstractSyntax: CT_STORAGE, transferSyntaxes: ELE }],
    });
    expect(association.negotiated.peerMaxPduLength).toBe(16_384);
    async function* source() {
      for (const c of chunks) yield c;
    }
    const response = await association.send({
      abstractSyntax: CT_STORAGE,
      command: {
        commandField: COMMAND_FIELD['C-STORE-RQ'],
        affectedSopClassUid: CT_STORAGE,
        affectedSopInstanceUid: '1.2.3.4.5',
        priority: 0,
      },
      dataset: source(),
    });
    expect(response.status).toBe(0);
    expect(response.command.affectedSopInstanceUid).toBe('1.2.3.4.5');
    expect(received).toBe(64 * 65_536);
    // Each PDV fits in one 16 KiB PDU, so the handler sees many chunks, never one big buffer.
    expect(receivedChunks).toBeGreaterThanOrEqual((64 * 65_536) / 16_384);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
    await association.release();
  });

  it('FR-DICOM-02.dimse: back-pressure: a handler that does not read stops the sender (bounded memory both sides)', async () => {
    const MiB = 1024 * 1024;
    const total = 48;
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let received = 0;
    const port = await start({
      contexts: [{ abstractSyntax: CT_STORAGE, transferSyntaxes: ELE }],
      handlers: {
        'C-STORE': async (request) => {
          await gate;
          for await (const chunk of request.dataset ?? []) received += chunk.length;
          return { status: STATUS.success };
        },
      },
    });
    const association = await open(port, {
      presentationContexts: [{ abstractSyntax: CT_STORAGE, transferSyntaxes: ELE }],
    });
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < total; i++) {
        pulled += MiB;
        yield new Uint8Array(MiB).fill(i);
      }
    }
    const sending = association.send({
      abstractSyntax: CT_STORAGE,
      command: {
        commandField: COMMAND_FIELD['C-STORE-RQ'],
        affectedSopClassUid: CT_STORAGE,
        affectedSopInstanceUid: '1.2.3',
        priority: 0,
      },
      dataset: source(),
    });
    // Wait until the sender stalls: nothing more pulled from the source for 300 ms. About 11 MiB
    // is in flight here then (4 MiB queued for the handler, the rest in socket buffers).
    let last = -1;
    for (let i = 0; i < 50 && pulled !== last; i++) {
      last = pulled;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(pulled).toBeLessThan((total / 2) * MiB);
    openGate();
    expect((await sending).status).toBe(0);
    expect(received).toBe(total * MiB);
    await association.release();
  });

  it('FR-DICOM-02.dimse: multi-response operations stream as an AsyncIterable; AbortSignal sends C-CANCEL', async () => {
    let cancelled = false;
    const port = await start({
      contexts: [{ abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: ELE }],
      handlers: {
        'C-FIND': async function* (request): AsyncGenerator<DimseReply> {
          for (let i = 0; i < 1000; i++) {
            if (request.signal.aborted) {
              cancelled = true;
              yield { status: STATUS.cancel };
              return;
            }
            yield {
              status: STATUS.pending,
              dataset: Uint8Array.from([8, 0, 0x52, 0, 6, 0, 83, 84, 85, 68, 89, 32]),
            };
            await new Promise((r) => setTimeout(r, 5));
          }
          yield { status: STATUS.success };
        },
      },
    });
    const association = await open(port, {
      presentationContexts: [{ abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: ELE }],
    });
    const controller = new AbortController();
    const statuses: number[] = [];
    for await (const response of association.request({
      abstractSyntax: STUDY_ROOT_FIND,
      command: {
        commandField: COMMAND_FIELD['C-FIND-RQ'],
        affectedSopClassUid: STUDY_ROOT_FIND,
        priority: 0,
      },
      dataset: new Uint8Array([8, 0, 0x52, 0, 6, 0, 83, 84, 85, 68, 89, 32]),
      signal: controller.signal,
    })) {
      statuses.push(response.status);
      if (response.statusClass === 'pending') expect(response.dataset?.length).toBe(12);
      if (statuses.length === 3) controller.abort();
    }
    expect(statuses.slice(0, 3)).toEqual([0xff00, 0xff00, 0xff00]);
    expect(statuses.at(-1)).toBe(STATUS.cancel);
    expect(cancelled).toBe(true);
    expect(association.usable).toBe(true);
    await association.release();
  });

  it('FR-DICOM-02.dimse: an AbortSignal fired before sending cancels with CancelledError and leaves the association usable', async () => {
    const port = await start({});
    const association = await open(port);
    const controller = new AbortController();
    controller.abort();
    await expect(association.echo({ signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(association.usable).toBe(true);
    expect((await association.echo()).status).toBe(0);
    await association.release();
  });

  it('FR-DICOM-02.dimse: an unknown service gets 0x0211 and the association stays open', async () => {
    const port = await start({
      contexts: [{ abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: ELE }],
    });
    const association = await open(port, {
      presentationContexts: [{ abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: ELE }],
    });
    const response = await association
      .send({
        abstractSyntax: VERIFICATION_SOP_CLASS,
        command: {
          commandField: COMMAND_FIELD['N-GET-RQ'],
          requestedSopClassUid: VERIFICATION_SOP_CLASS,
          requestedSopInstanceUid: '1.2.3',
        },
      })
      .catch((e: unknown) => e);
    expect((response as { status: number }).status).toBe(STATUS.unrecognizedOperation);
    expect((await association.echo()).status).toBe(0);
    await association.release();
  });

  it('FR-DICOM-02.pool: an Association is a pool resource: pooled associations carry the negotiated window as capacity', async () => {
    const port = await start({ asyncOpsWindow: { maxOperationsInvoked: 1, maxOperationsPerformed: 2 } });
    const created: Association[] = [];
    const pool = new AssociationPool<Association>({
      create: async () => {
        const association = await open(port, {
          asyncOpsWindow: { maxOperationsInvoked: 2, maxOperationsPerformed: 1 },
        });
        expect(association.capacity).toBe(2);
        created.push(association);
        return association;
      },
      maxSize: 2,
    });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => pool.use(async (association) => (await association.echo()).status)),
    );
    expect(results).toEqual([0, 0, 0, 0, 0, 0]);
    expect(pool.stats.size).toBeGreaterThanOrEqual(1);
    expect(pool.stats.size).toBeLessThanOrEqual(2);
    await pool.close();
    await Promise.all(created.map((a) => a.closed));
    expect(created.every((a) => !a.usable)).toBe(true);
  });

  it('FR-DICOM-02.dimse: a Failure status is a DimseFailureError; a Warning is data; a throwing handler answers 0110', async () => {
    const statuses = [0xb000, 0xa700];
    const port = await start({
      handlers: {
        'C-ECHO': () => {
          const status = statuses.shift();
          if (status === undefined) throw new Error('handler bug');
          return { status };
        },
      },
    });
    const association = await open(port);
    const warning = await association.echo();
    expect(warning.statusClass).toBe('warning');
    const failure = await association.echo().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DimseFailureError);
    expect((failure as DimseFailureError).code).toBe('HNV_ERR_DIMSE_FAILURE');
    expect((failure as DimseFailureError).status).toBe(0xa700);
    const thrown = await association.echo().catch((e: unknown) => e);
    expect((thrown as DimseFailureError).status).toBe(STATUS.processingFailure);
    expect(association.usable).toBe(true);
    await association.release();
  });
});
