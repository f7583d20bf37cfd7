import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Association, createServer, type DicomServer, STATUS, withAssociation } from '../src/index.js';

/** How each acceptor association of our SCP ended: 'released' or 'aborted'. */
describe('withAssociation: open, use, release or abort', () => {
  let server: DicomServer;
  let port: number;
  const endings: string[] = [];

  beforeAll(async () => {
    server = createServer({ aeTitles: ['HNVUE'] });
    server.on('association', (a: Association) => {
      a.once('released', () => endings.push('released'));
      a.once('aborted', () => endings.push('aborted'));
    });
    port = await server.listen(0);
  });

  afterAll(async () => {
    await server.close();
  });

  const options = () => ({ host: '127.0.0.1', port, callingAeTitle: 'SCU', calledAeTitle: 'HNVUE' });
  const ended = async (n: number) => {
    for (let i = 0; i < 100 && endings.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    return endings.at(n - 1);
  };

  it('FR-DICOM-02.release: returns what the work returns and releases the association', async () => {
    let borrowed: Association | undefined;
    const status = await withAssociation(options(), async (a) => {
      borrowed = a;
      return (await a.echo()).status;
    });
    expect(status).toBe(STATUS.success);
    expect(borrowed?.usable).toBe(false);
    expect(await ended(1)).toBe('released');
  });

  it('FR-DICOM-02.release: a failure in the work aborts the association and is rethrown unchanged', async () => {
    const failure = new Error('work failed');
    let borrowed: Association | undefined;
    await expect(
      withAssociation(options(), async (a) => {
        borrowed = a;
        await a.echo();
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(borrowed?.usable).toBe(false);
    expect(await ended(2)).toBe('aborted');
  });

  it('FR-DICOM-02.release: a work that released the association itself is not released twice', async () => {
    await withAssociation(options(), async (a) => {
      await a.release();
    });
    expect(await ended(3)).toBe('released');
    expect(endings).toHaveLength(3);
  });
});
