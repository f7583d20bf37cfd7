/**
 * Q/R interop fixtures: DCMTK `dcmqrscp` configured in a temp dir and filled with `storescu`; the
 * archive itself comes from archive.ts (peer-free).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, run } from '@hnvue/testing/peers';
import { type Peer, startPeer } from '../workflow/helpers.js';

export * from './archive.js';

export interface Dcmqrscp extends Peer {
  readonly aeTitle: string;
  readonly dir: string;
}

export interface DcmqrscpOptions {
  /** Move destinations: AE title → port on 127.0.0.1. */
  readonly destinations?: Readonly<Record<string, number>>;
  readonly aeTitle?: string;
  /** Extra dcmqrscp arguments (e.g. `--disable-get`). */
  readonly args?: readonly string[];
}

/**
 * DCMTK `dcmqrscp` with one storage area (PEERS.md): the config file written in `dir`, the
 * destinations in its HostTable, any calling AE allowed. Filled later with `fillDcmqrscp`.
 * DCMTK caps a storage area at 500 studies (DB_UpperMaxStudies): above that dcmqrscp crashes
 * while storing (seen with 3.6.7: "free(): invalid next size").
 */
export async function startDcmqrscp(dir: string, options: DcmqrscpOptions = {}): Promise<Dcmqrscp> {
  const aeTitle = options.aeTitle ?? 'QRSCP';
  const db = join(dir, 'db');
  await mkdir(db, { recursive: true });
  const hosts = Object.entries(options.destinations ?? {})
    .map(([ae, port]) => `${ae.toLowerCase()} = (${ae}, 127.0.0.1, ${port})`)
    .join('\n');
  const cfgPath = join(dir, 'dcmqrscp.cfg');
  await writeFile(
    cfgPath,
    `NetworkTCPPort = 104\nMaxPDUSize = 65536\nMaxAssociations = 16\n` +
      `HostTable BEGIN\n${hosts}\nHostTable END\nVendorTable BEGIN\nVendorTable END\n` +
      `AETable BEGIN\n${aeTitle} ${db} RW (500, 1024mb) ANY\nAETable END\n`,
  );
  // The port argument overrides NetworkTCPPort.
  const peer = await startPeer('dcmqrscp', (port) => ['-c', cfgPath, ...(options.args ?? []), String(port)]);
  return { ...peer, port: peer.port, aeTitle, dir, output: peer.output, stop: peer.stop };
}

/** Stores the files into the dcmqrscp archive with DCMTK `storescu`. */
export async function fillDcmqrscp(qr: Dcmqrscp, files: readonly string[]): Promise<void> {
  for (let i = 0; i < files.length; i += 200) {
    const batch = files.slice(i, i + 200);
    const res = await run(
      'storescu',
      ['-aec', qr.aeTitle, '-aet', 'FILLER', '127.0.0.1', String(qr.port), ...batch],
      120_000,
    );
    if (res.code !== 0)
      throw new Error(`storescu failed: ${res.stderr.slice(-1000)}\n${qr.output().slice(-2000)}`);
  }
}

export { makeTempDir };
