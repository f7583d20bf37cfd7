import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association, createServer, type DicomServer, STATUS } from '../src/index.js';

describe('C-ECHO between our SCU and our SCP', () => {
  let server: DicomServer;
  let port: number;

  beforeAll(async () => {
    server = createServer({ aeTitles: ['HNVUE'] });
    port = await server.listen(0);
  });

  afterAll(async () => {
    await server.close();
  });

  it('FR-DICOM-02.negotiation: opens, echoes, releases', async () => {
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'SCU',
      calledAeTitle: 'HNVUE',
    });
    expect(association.isEstablished).toBe(true);
    const response = await association.echo();
    expect(response.status).toBe(STATUS.success);
    await association.release();
    expect(association.usable).toBe(false);
  });
});
