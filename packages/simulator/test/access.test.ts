/**
 * The simulator's listeners refuse what a hospital's AE configuration would (issue 17 item 3):
 * calling AE titles and source subnets, on the RIS, the PACS and the printer alike.
 */
import { join } from 'node:path';
import { Association, AssociationRejectedError } from '@hnvue/net';
import { makeTempDir, rmTempDir, run } from '@hnvue/testing/peers';
import { afterAll, describe, expect, it } from 'vitest';
import { RisPacsSimulator } from '../src/index.js';

const dirs: string[] = [];
const sims: RisPacsSimulator[] = [];
afterAll(async () => {
  for (const s of sims) await s.stop();
  for (const d of dirs) await rmTempDir(d);
});

async function simulator(access: ConstructorParameters<typeof RisPacsSimulator>[0]['access']) {
  const dir = await makeTempDir('hnvue-sim-access-');
  dirs.push(dir);
  const sim = new RisPacsSimulator({
    storageDir: join(dir, 'pacs'),
    printer: { directory: join(dir, 'films') },
    ...(access ? { access } : {}),
  });
  sims.push(sim);
  return await sim.start();
}

/** 'ok' when the association is accepted (the printer has no Verification context to echo on). */
async function echo(port: number, calledAeTitle: string, callingAeTitle: string): Promise<unknown> {
  try {
    const a = await Association.open({ host: '127.0.0.1', port, callingAeTitle, calledAeTitle });
    await a.release();
    return 'ok';
  } catch (err) {
    return err;
  }
}

describe('NFR-SEC-02: simulator access control', () => {
  it('NFR-SEC-02: only the listed calling AE titles associate to the RIS, PACS and printer (1/1/3 for others, also for echoscu)', async () => {
    const address = await simulator({ callingAeTitles: ['MODALITY1'] });
    for (const [port, ae] of [
      [address.ris.port, address.ris.aeTitle],
      [address.pacs.port, address.pacs.aeTitle],
      [address.printer!.port, address.printer!.aeTitle],
    ] as const) {
      expect(await echo(port, ae, 'MODALITY1')).toBe('ok');
      const refused = await echo(port, ae, 'STRANGER');
      expect(refused).toBeInstanceOf(AssociationRejectedError);
      expect(refused).toMatchObject({ result: 1, source: 1, reason: 3 });
    }
    const echoscu = await run('echoscu', [
      '-aet',
      'STRANGER',
      '-aec',
      address.pacs.aeTitle,
      '127.0.0.1',
      String(address.pacs.port),
    ]);
    expect(echoscu.code).not.toBe(0);
    expect(echoscu.stderr).toMatch(/Calling AE Title Not Recognized/i);
  });

  it('NFR-SEC-02: a source outside allowedAddresses is refused; open by default', async () => {
    const closed = await simulator({ allowedAddresses: ['192.168.0.0/16'] });
    expect(await echo(closed.pacs.port, closed.pacs.aeTitle, 'ANY')).toMatchObject({
      result: 1,
      source: 1,
      reason: 3,
    });
    const open = await simulator(undefined);
    expect(await echo(open.pacs.port, open.pacs.aeTitle, 'ANY')).toBe('ok');
  });
});
