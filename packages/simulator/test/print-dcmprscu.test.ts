import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildCrImage, toPart10Buffer } from '@hnvue/iod';
import { makeTempDir, PEER_ENV, rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/index.js';

const run = promisify(execFile);

// DCMTK's print spooler: dcmpsprt renders an image into a Stored Print + Hardcopy object in its
// database, dcmprscu prints that to the printer of its configuration — our simulator.
function config(base: string, port: number): string {
  return `[[GENERAL]]
[APPLICATION]
LogDirectory = ${base}
LogFile = general.log
LogLevel = ERROR
MessagePort = 0
[PRINT]
Directory = ${join(base, 'spool')}
DetailedLog = false
MinPrintResolution = 16\\16
MaxPrintResolution = 8192\\8192
DefaultIllumination = 2000
DefaultReflection = 10
[DATABASE]
Directory = ${join(base, 'db')}
[LUT]
Directory = ${base}
[[COMMUNICATION]]
[SIMPRN]
Aetitle = PRINTER
Description = simulator print SCP
Hostname = 127.0.0.1
Port = ${port}
Type = PRINTER
DisplayFormat=1,1
FilmSizeID = 14INX17IN
MaxDensity = 320
MaxPDU = 32768
Supports12Bit = true
SupportsPresentationLUT = true
`;
}

describe('simulator print SCP driven by DCMTK dcmprscu', { timeout: 120_000 }, () => {
  let dir: string;
  let sim: Awaited<ReturnType<typeof startSimulator>>;

  beforeAll(async () => {
    dir = await makeTempDir('hnvue-sim-dcmprscu-');
    sim = await startSimulator({ storageDir: join(dir, 'pacs'), printer: { directory: join(dir, 'films') } });
  });

  afterAll(async () => {
    await sim?.simulator.stop();
    if (dir) await rmTempDir(dir);
  });

  it('FR-DICOM-11: dcmpsprt + dcmprscu print a 12-bit image to the simulator, which renders the film', async () => {
    const base = join(dir, 'dcmtk');
    await mkdir(join(base, 'db'), { recursive: true });
    await mkdir(join(base, 'spool'), { recursive: true });
    const cfg = join(base, 'dcmpstat.cfg');
    await writeFile(cfg, config(base, sim.address.printer?.port ?? 0));
    const pixels = new Uint16Array(64 * 64).map((_, i) => i % 4096);
    const cr = buildCrImage({
      patient: { name: 'Print^Spool', id: 'PS1' },
      equipment: { manufacturer: 'HnVue' },
      image: { rows: 64, columns: 64, bitsStored: 12, pixels, windowCenter: 2048, windowWidth: 4096 },
      anatomy: { imageLaterality: 'U' },
    });
    const image = join(dir, 'img.dcm');
    await writeFile(image, toPart10Buffer(cr.dataset, cr.pixelData));
    const printed: string[] = [];
    sim.simulator.on('filmPrinted', (p) => printed.push(p));
    await run('dcmpsprt', ['-c', cfg, '-p', 'SIMPRN', image], { env: PEER_ENV, timeout: 60_000 });
    const storedPrint = (await readdir(join(base, 'db'))).filter((f) => f.startsWith('SP_'));
    expect(storedPrint).toHaveLength(1);
    await run('dcmprscu', ['-c', cfg, '-p', 'SIMPRN', join(base, 'db', storedPrint[0] as string)], {
      env: PEER_ENV,
      timeout: 60_000,
    });
    expect(printed).toHaveLength(1);
    expect(await readdir(join(dir, 'films'))).toEqual(['film-0001.png']);
  });
});
