/**
 * Basic Grayscale Print Management (PS3.4 H) with @hnvue/net's PrintScu and printFilms: one film
 * with one 8-bit image box, printed on the simulator's printer (it writes each film as a PNG).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { associationOptionsFor, loadConfig, requireDestination } from '@hnvue/facade/config';
import { PrintScu, printFilms } from '@hnvue/net';
import { startSimulator } from '@hnvue/simulator';

const dir = mkdtempSync(join(tmpdir(), 'hnvue-example-'));
const { simulator, address } = await startSimulator({
  storageDir: join(dir, 'pacs'),
  printer: { directory: join(dir, 'films') },
});
if (address.printer === undefined) throw new Error('the simulator started no printer');
const config = loadConfig({
  env: {},
  overrides: {
    local: { aeTitle: 'HNVUE_DR1' },
    uid: { deviceSerial: '1' },
    printer: { aeTitle: address.printer.aeTitle, host: address.host, port: address.printer.port },
  },
});
const scu = await PrintScu.open(associationOptionsFor(config, requireDestination(config, 'printer')));
try {
  const rows = 512;
  const columns = 512;
  // A horizontal grey ramp, one byte per pixel, row by row (Image Box Pixel, PS3.3 C.13.5).
  const data = new Uint8Array(rows * columns).map((_, i) => (i % columns) / 2);
  const result = await printFilms(scu, {
    session: { copies: 1 },
    films: [
      {
        filmBox: { format: { columns: 1, rows: 1 } },
        images: [{ pixels: { bitDepth: 8, rows, columns, data } }],
      },
    ],
  });
  console.log(`print: ${result.films.length} film(s) printed, ${result.warnings} warning(s)`);
} finally {
  await scu.release(); // A-RELEASE: the printer keeps nothing open for us
}
await simulator.stop();
