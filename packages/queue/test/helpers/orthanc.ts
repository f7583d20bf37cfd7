/**
 * A private Orthanc whose storage survives restarts (the PACS-outage and crash tests stop and start
 * it on the same ports and folders, which testing/peers.ts's `startOrthanc` does not offer: it
 * removes its folder on stop). Stopped by PID only (PEERS.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, PEER_ENV, waitForPort } from '@hnvue/testing/peers';

export interface PersistentOrthanc {
  readonly dicomPort: number;
  readonly httpPort: number;
  readonly dir: string;
  readonly running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** GET on the REST API (JSON). */
  rest<T>(path: string): Promise<T>;
  output(): string;
}

export async function createOrthanc(dir: string): Promise<PersistentOrthanc> {
  const dicomPort = await freePort();
  const httpPort = await freePort();
  await mkdir(dir, { recursive: true });
  const configPath = join(dir, 'orthanc.json');
  await writeFile(
    configPath,
    JSON.stringify({
      Name: 'hnvue-queue-test',
      DicomAet: 'ORTHANC',
      DicomPort: dicomPort,
      HttpPort: httpPort,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      StorageDirectory: join(dir, 'storage'),
      IndexDirectory: join(dir, 'index'),
      // Off for speed: the test kills our process, never Orthanc's (which is stopped with SIGTERM).
      SyncStorageArea: false,
      DicomCheckCalledAet: false,
      DicomAlwaysAllowEcho: true,
      DicomAlwaysAllowStore: true,
      Plugins: [],
    }),
  );
  let child: ChildProcess | undefined;
  let out = '';
  const self: PersistentOrthanc = {
    dicomPort,
    httpPort,
    dir,
    get running() {
      return child !== undefined;
    },
    async start() {
      if (child) return;
      const c = spawn('Orthanc', [configPath], {
        env: PEER_ENV,
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: dir,
      });
      c.stdout?.on('data', (d: Buffer) => {
        out = (out + d.toString()).slice(-20_000);
      });
      c.stderr?.on('data', (d: Buffer) => {
        out = (out + d.toString()).slice(-20_000);
      });
      child = c;
      await waitForPort(httpPort, '127.0.0.1', 30_000);
      await waitForPort(dicomPort, '127.0.0.1', 30_000);
    },
    async stop() {
      const c = child;
      if (!c || c.pid === undefined) return;
      child = undefined;
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      process.kill(c.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (c.exitCode === null && c.signalCode === null && c.pid !== undefined)
          process.kill(c.pid, 'SIGKILL');
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
    async rest<T>(path: string): Promise<T> {
      const res = await fetch(`http://127.0.0.1:${httpPort}${path}`);
      if (!res.ok) throw new Error(`Orthanc GET ${path}: HTTP ${res.status}`);
      return (await res.json()) as T;
    },
    output: () => out,
  };
  return self;
}
