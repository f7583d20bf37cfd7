import { type RunningPeer, runEchoscu, startStorescp } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association, createServer, type DicomServer, echo, STATUS, TRANSFER_SYNTAX } from '../src/index.js';

describe('C-ECHO against DCMTK', () => {
  let storescp: RunningPeer;
  let server: DicomServer;
  let port: number;

  beforeAll(async () => {
    storescp = await startStorescp({ aeTitle: 'STORESCP' });
    server = createServer({ aeTitles: ['HNVUE'] });
    port = await server.listen(0);
  });

  afterAll(async () => {
    await storescp?.stop();
    await server?.close();
  });

  // conformance: SCU verification
  it('FR-DICOM-02.negotiation: our C-ECHO SCU → storescp succeeds and releases', async () => {
    const association = await Association.open({
      host: '127.0.0.1',
      port: storescp.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORESCP',
    });
    expect(association.negotiated.peerImplementationClassUid).toMatch(/^1\.2\.276\.0\.7230010/);
    expect(association.acceptedContexts).toHaveLength(1);
    expect(association.acceptedContexts[0]?.transferSyntax).toBe(TRANSFER_SYNTAX.explicitVrLittleEndian);
    const response = await association.echo();
    expect(response.status).toBe(STATUS.success);
    expect(response.statusClass).toBe('success');
    await association.release();
    await association.closed;
  });

  it('FR-DICOM-02.negotiation: echo() helper opens, echoes and releases in one call', async () => {
    const response = await echo({
      host: '127.0.0.1',
      port: storescp.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORESCP',
    });
    expect(response.status).toBe(0);
  });

  it('FR-DICOM-02.negotiation: several C-ECHOs on one association, one at a time by default', async () => {
    const association = await Association.open({
      host: '127.0.0.1',
      port: storescp.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORESCP',
    });
    expect(association.capacity).toBe(1);
    const results = await Promise.all([association.echo(), association.echo(), association.echo()]);
    expect(results.map((r) => r.status)).toEqual([0, 0, 0]);
    await association.release();
  });

  // conformance: SCP verification
  it('FR-DICOM-02.negotiation: DCMTK echoscu → our SCP succeeds', async () => {
    const result = await runEchoscu({ port, calledAe: 'HNVUE', callingAe: 'ECHOSCU', extraArgs: ['-v'] });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Received Echo Response \(Success\)/);
  });

  it('FR-DICOM-02.negotiation: echoscu with a lowercase called AE title is accepted (tolerant by default)', async () => {
    const result = await runEchoscu({ port, calledAe: 'hnvue', callingAe: 'echo scu' });
    expect(result.code, result.stderr + result.stdout).toBe(0);
  });

  it('FR-DICOM-02.negotiation: echoscu to an unknown called AE title is rejected (called AE not recognized)', async () => {
    const result = await runEchoscu({ port, calledAe: 'SOMEONE', extraArgs: ['-v'] });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Called AE Title Not Recognized/i);
  });
});
