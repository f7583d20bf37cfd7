import { afterEach, describe, expect, it } from 'vitest';
import {
  Association,
  createServer,
  type DicomServer,
  type DimseReply,
  NetTimeoutError,
  STATUS,
} from '../../src/index.js';
import {
  encodeDataset,
  findWorklist,
  MODALITY_WORKLIST_FIND_SOP_CLASS,
  WORKLIST_CONTEXT,
} from '../../src/workflow/index.js';

const EXPLICIT = '1.2.840.10008.1.2.1';
const DIMSE_MS = 300;
let servers: DicomServer[] = [];
let unblock: () => void = () => {};

afterEach(async () => {
  unblock();
  await Promise.all(servers.map((s) => s.close({ abort: true })));
  servers = [];
});

describe('an outstanding request nobody reads any more', () => {
  it('FR-DICOM-02.timers: after a break out of a C-FIND whose SCP then goes silent, release() settles with the DIMSE timeout', async () => {
    const silence = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    let cancelSeen = false;
    const server = createServer({
      contexts: [{ abstractSyntax: MODALITY_WORKLIST_FIND_SOP_CLASS, transferSyntaxes: [EXPLICIT] }],
      handlers: {
        // One match, then nothing: not even the final response to our C-CANCEL.
        'C-FIND': async function* (request): AsyncGenerator<DimseReply> {
          request.signal.addEventListener('abort', () => {
            cancelSeen = true;
          });
          yield {
            status: STATUS.pending,
            dataset: encodeDataset({ PatientID: 'PID1' }, { transferSyntax: EXPLICIT }),
          };
          await silence;
        },
      },
    });
    servers.push(server);
    const port = await server.listen(0);
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'WLM',
      presentationContexts: [WORKLIST_CONTEXT],
      timeouts: { dimseMs: DIMSE_MS },
    });
    let seen = 0;
    for await (const _ of findWorklist(association, {})) {
      seen++;
      break;
    }
    expect(seen).toBe(1);
    // Before the fix the C-FIND stayed outstanding without a timer and this never settled.
    await expect(association.release()).rejects.toBeInstanceOf(NetTimeoutError);
    expect(association.usable).toBe(false);
    expect(cancelSeen).toBe(true);
  });
});
