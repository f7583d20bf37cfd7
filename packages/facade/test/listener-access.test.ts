/**
 * Access control on the facade's listener (issue 17 item 3): by default only the peers that report
 * to us (the commitment SCP and the PACS) may associate; the list, "any", source subnets and the
 * connection limits come from the configuration. Checked with our own requestor and with DCMTK
 * echoscu, which reports the A-ASSOCIATE-RJ it gets.
 */
import { join } from 'node:path';
import { Association, AssociationRejectedError } from '@hnvue/net';
import { freePort, makeTempDir, rmTempDir, run } from '@hnvue/testing/peers';
import { afterEach, describe, expect, it } from 'vitest';
import { createDicomServices, type DicomServiceConfig } from '../src/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Starts the services (listener up, nothing to deliver) with `local` merged into the config. */
async function listener(local: Partial<DicomServiceConfig['local']> = {}) {
  const dir = await makeTempDir('hnvue-facade-access-');
  cleanups.push(() => rmTempDir(dir));
  const port = await freePort();
  // The PACS and commitment SCP are never contacted here: nothing is queued.
  const pacs = { aeTitle: 'PACS_AE', host: '127.0.0.1', port: 1 };
  const services = createDicomServices({
    config: {
      local: { aeTitle: 'HNVUE_ACL', port, ...local },
      uid: { deviceSerial: '12' },
      pacs,
      commitment: { ...pacs, aeTitle: 'COMMIT_AE' },
      queue: { path: join(dir, 'q.sqlite') },
    },
  });
  await services.start();
  cleanups.push(() => services.stop({ graceMs: 0 }));
  return services.listenerPort;
}

/** Opens, echoes and releases with `callingAeTitle`; resolves with the rejection, if any. */
async function tryEcho(port: number, callingAeTitle: string): Promise<AssociationRejectedError | 'ok'> {
  try {
    const a = await Association.open({ host: '127.0.0.1', port, callingAeTitle, calledAeTitle: 'HNVUE_ACL' });
    await a.echo();
    await a.release();
    return 'ok';
  } catch (err) {
    if (err instanceof AssociationRejectedError) return err;
    throw err;
  }
}

describe('NFR-SEC-02: the facade listener accepts only the peers configured to report to it', () => {
  it('NFR-SEC-02: by default the commitment SCP and PACS AE titles associate, any other gets A-ASSOCIATE-RJ 1/1/3', async () => {
    const port = await listener();
    expect(await tryEcho(port, 'COMMIT_AE')).toBe('ok');
    expect(await tryEcho(port, 'PACS_AE')).toBe('ok');
    const refused = await tryEcho(port, 'INTRUDER');
    expect(refused).toBeInstanceOf(AssociationRejectedError);
    expect(refused).toMatchObject({ code: 'HNV_ERR_ASSOC_REJECTED', result: 1, source: 1, reason: 3 });
    // DCMTK's requestor sees the same rejection.
    const echoscu = await run('echoscu', [
      '-aet',
      'INTRUDER',
      '-aec',
      'HNVUE_ACL',
      '127.0.0.1',
      String(port),
    ]);
    expect(echoscu.code).not.toBe(0);
    expect(echoscu.stderr).toMatch(/Calling AE Title Not Recognized/i);
    const allowed = await run('echoscu', ['-aet', 'PACS_AE', '-aec', 'HNVUE_ACL', '127.0.0.1', String(port)]);
    expect(allowed.code).toBe(0);
  });

  it('NFR-SEC-02: acceptCallingAeTitles replaces the default list; acceptAnyCallingAeTitle opens it', async () => {
    const listed = await listener({ acceptCallingAeTitles: ['ORTHANC'] });
    expect(await tryEcho(listed, 'ORTHANC')).toBe('ok');
    expect(await tryEcho(listed, 'PACS_AE')).toBeInstanceOf(AssociationRejectedError);
    const open = await listener({ acceptAnyCallingAeTitle: true });
    expect(await tryEcho(open, 'INTRUDER')).toBe('ok');
  });

  it('NFR-SEC-02: a source address outside allowedAddresses is refused before its AE title counts', async () => {
    const outside = await listener({ allowedAddresses: ['10.0.0.0/8'] });
    expect(await tryEcho(outside, 'PACS_AE')).toMatchObject({ result: 1, source: 1, reason: 3 });
    const inside = await listener({ allowedAddresses: ['127.0.0.0/8', '::1'] });
    expect(await tryEcho(inside, 'PACS_AE')).toBe('ok');
  });

  it('NFR-SEC-02: listener limits reach the server: one association per calling AE', async () => {
    const port = await listener({ limits: { maxAssociationsPerCallingAe: 1 } });
    const first = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'PACS_AE',
      calledAeTitle: 'HNVUE_ACL',
    });
    try {
      // PS3.8 Table 9-21: rejected-transient, service-provider (presentation), local limit exceeded.
      expect(await tryEcho(port, 'PACS_AE')).toMatchObject({ result: 2, source: 3, reason: 2 });
      expect(await tryEcho(port, 'COMMIT_AE')).toBe('ok');
    } finally {
      await first.release();
    }
  });
});
