/**
 * Test helpers for the workflow services: start a DCMTK peer with arbitrary arguments on a free
 * port (Nagle off), stopped by its PID.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, PEER_ENV, waitForPort } from '@hnvue/testing/peers';

export interface Peer {
  readonly port: number;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns `command ...args(port)` and resolves once the port accepts connections. */
export async function startPeer(command: string, args: (port: number) => readonly string[]): Promise<Peer> {
  const port = await freePort();
  const child = spawn(command, args(port), { env: PEER_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
          process.kill(child.pid, 'SIGKILL');
      }, 3000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await Promise.race([
      waitForPort(port),
      exited.then(() => {
        throw new Error(`${command} exited early: ${out.slice(-2000)}`);
      }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, pid: child.pid ?? -1, output: () => out, stop };
}

/** A wlmscpfs data folder for one called AE title, with the `lockfile` it needs (PEERS.md). */
export async function wlmFolder(dataDir: string, aeTitle: string): Promise<string> {
  const dir = join(dataDir, aeTitle);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'lockfile'), '');
  return dir;
}
