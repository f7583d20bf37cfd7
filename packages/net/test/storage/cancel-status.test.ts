import { afterEach, describe, expect, it } from 'vitest';
import { Association, createServer, type DicomServer, DimseFailureError } from '../../src/index.js';
import { storeInstance, storeInstances } from '../../src/storage/index.js';
import { makeImage, SOP, TS } from './helpers.js';

let server: DicomServer | undefined;

afterEach(async () => {
  await server?.close({ abort: true });
  server = undefined;
});

describe('C-STORE answered with Cancel', () => {
  it('FR-DICOM-04.store: an FE00 C-STORE-RSP is a DimseFailureError carrying the status, never a success', async () => {
    server = createServer({
      contexts: [{ abstractSyntax: SOP.dx, transferSyntaxes: [TS.explicit] }],
      handlers: {
        'C-STORE': async (request) => {
          for await (const _ of request.dataset ?? []) {
            // read it all, then refuse with a status PS3.4 B.2.3 does not allow for C-STORE
          }
          return { status: 0xfe00 };
        },
      },
    });
    const port = await server.listen(0);
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORE',
      presentationContexts: [{ abstractSyntax: SOP.dx, transferSyntaxes: [TS.explicit] }],
    });
    const image = makeImage({ rows: 8, columns: 8 });
    const instance = { dataset: image.dataset, transferSyntax: TS.explicit };
    const error = await storeInstance(association, instance).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DimseFailureError);
    expect((error as DimseFailureError).status).toBe(0xfe00);
    expect((error as DimseFailureError).code).toBe('HNV_ERR_DIMSE_FAILURE');
    const [outcome] = await storeInstances(association, [instance]);
    expect(outcome).toMatchObject({ ok: false });
    await association.release();
  });
});
