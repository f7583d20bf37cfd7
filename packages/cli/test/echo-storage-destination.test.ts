/**
 * `hnvue echo --to storage.<name>` (issue 21): a named storage destination of the configuration is
 * reachable from the CLI like the fixed ones, against DCMTK storescp; unknown names and host/port
 * beside it are usage errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type RunningPeer, rmTempDir, startStorescp } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, main } from '../src/index.js';
import { cli, context } from './helpers/context.js';

let dir: string;
let peer: RunningPeer;
let configFile: string;

beforeAll(async () => {
  dir = await makeTempDir('hnvue-cli-echo-storage-');
  peer = await startStorescp({ aeTitle: 'ARCHIVE2' });
  configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      local: { aeTitle: 'HNVUE' },
      uid: { deviceSerial: '7' },
      pacs: { aeTitle: 'PACS', host: '127.0.0.1', port: 1 },
      storage: { archive2: { aeTitle: 'ARCHIVE2', host: '127.0.0.1', port: peer.port, commitment: 'none' } },
    }),
  );
}, 30_000);

afterAll(async () => {
  await peer?.stop();
  await rmTempDir(dir);
});

describe('hnvue echo --to storage.<name>', () => {
  it('FR-DICOM-01: C-ECHO to a named storage destination of the configuration (storescp)', async () => {
    const { code, out } = await cli('echo', '--config', configFile, '--to', 'storage.archive2', '--json');
    expect(code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(out)).toMatchObject({
      destination: `ARCHIVE2@127.0.0.1:${peer.port}`,
      echoes: [{ status: 0 }],
    });
  });

  it('FR-DICOM-01: an unknown storage destination, or host and port beside one, is a usage error naming the configured ones', async () => {
    const unknown = context();
    expect(await main(['echo', '--config', configFile, '--to', 'storage.nope'], unknown)).toBe(
      EXIT_CODES.usage,
    );
    expect(unknown.stderr()).toContain(
      'no storage destination "nope" in the configuration (configured: storage.archive2)',
    );
    const both = context();
    expect(
      await main(['echo', '--config', configFile, '--to', 'storage.archive2', '127.0.0.1', '104'], both),
    ).toBe(EXIT_CODES.usage);
  });
});
