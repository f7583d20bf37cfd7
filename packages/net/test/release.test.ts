import { afterEach, describe, expect, it } from 'vitest';
import {
  Association,
  AssociationAbortedError,
  createServer,
  type DicomServer,
  type ServerOptions,
} from '../src/index.js';

let server: DicomServer | undefined;

afterEach(async () => {
  await server?.close({ abort: true });
  server = undefined;
});

async function start(options: ServerOptions): Promise<number> {
  server = createServer({ aeTitles: ['HNVUE'], ...options });
  return await server.listen(0);
}

const open = (port: number) =>
  Association.open({ host: '127.0.0.1', port, callingAeTitle: 'SCU', calledAeTitle: 'HNVUE' });

describe('A-RELEASE and A-ABORT (PS3.8 7.2, 7.3)', () => {
  it('FR-DICOM-02.release: release collision (PS3.8 9.2.1): both sides release at once and both complete', async () => {
    const port = await start({});
    const accepted = new Promise<Association>((resolve) => server?.once('association', resolve));
    const client = await open(port);
    const acceptor = await accepted;
    await Promise.all([client.release(), acceptor.release()]);
    await Promise.all([client.closed, acceptor.closed]);
    expect(client.usable).toBe(false);
    expect(acceptor.usable).toBe(false);
  });

  it('FR-DICOM-02.release: the acceptor may release; the requestor is told through the released event', async () => {
    const port = await start({});
    const accepted = new Promise<Association>((resolve) => server?.once('association', resolve));
    const client = await open(port);
    const released = new Promise<void>((resolve) => client.once('released', resolve));
    await (await accepted).release();
    await released;
    await client.closed;
    expect(client.usable).toBe(false);
  });

  it('FR-DICOM-02.release: A-ABORT from the requestor reaches the acceptor as a typed A-ABORT (source 0)', async () => {
    const port = await start({});
    const accepted = new Promise<Association>((resolve) => server?.once('association', resolve));
    const client = await open(port);
    const acceptor = await accepted;
    const aborted = new Promise<Error>((resolve) => acceptor.once('aborted', resolve));
    client.abort();
    const error = await aborted;
    expect(error).toBeInstanceOf(AssociationAbortedError);
    expect((error as AssociationAbortedError).source).toBe(0);
    await expect(client.echo()).rejects.toBeInstanceOf(AssociationAbortedError);
  });
});
