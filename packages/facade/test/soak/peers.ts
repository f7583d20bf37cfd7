/**
 * The soak's peers, restartable on the same port and the same storage: DCMTK `storescp` (output
 * folder, default file names = SOP Instance UID, so a second copy shows as DCMTK's "DICOM file
 * already exists, overwriting" warning) and Orthanc (its own storage and index folders, a DICOM
 * modality entry for the console's listener so commitment reports come back, PS3.4 J.3.3).
 * And our MPPS SCP (@hnvue/net createMppsScp) recording every N-CREATE / N-SET in arrival order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TS } from '@hnvue/dicom';
import { createMppsScp, createServer, type DicomServer, MPPS_CONTEXT, type RequestHandler } from '@hnvue/net';
import { freePort, PEER_ENV, waitForPort } from '@hnvue/testing/peers';

const PEER_LOG = process.env.HNVUE_SOAK_PEER_LOG === '1';

export interface Restartable {
  readonly port: number;
  restarts: number;
  /** Warnings counted in the output across runs (storescp: overwritten duplicates). */
  duplicates: number;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function restartable(command: string, args: readonly string[], port: number, cwd: string, dupe?: RegExp) {
  let child: ChildProcess | undefined;
  const self: Restartable = {
    port,
    restarts: 0,
    duplicates: 0,
    async restart() {
      await self.stop();
      self.restarts++;
      await launch();
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
  };
  const launch = async () => {
    child = spawn(command, args, { env: PEER_ENV, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    const scan = (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      if (dupe) for (const l of lines) if (dupe.test(l)) self.duplicates++;
      // Diagnosis (HNVUE_SOAK_PEER_LOG=1): the peer's output with epoch ms, in its folder.
      if (PEER_LOG) appendFileSync(join(cwd, 'peer.log'), lines.map((l) => `${Date.now()} ${l}\n`).join(''));
    };
    child.stdout?.on('data', scan);
    child.stderr?.on('data', scan);
    await waitForPort(port, '127.0.0.1', 30_000);
  };
  return { self, launch };
}

export async function startSoakStorescp(dir: string): Promise<Restartable & { readonly dir: string }> {
  const port = await freePort();
  await mkdir(dir, { recursive: true });
  const { self, launch } = restartable(
    'storescp',
    ['--aetitle', 'STORESCP', '--output-directory', dir, String(port)],
    port,
    dir,
    /already exists, overwriting/,
  );
  await launch();
  return Object.assign(self, { dir });
}

/** SOP Instance UIDs in storescp's folder (file names `<modality prefix>.<SOP Instance UID>`, e.g. `DX.`, `SRd.`). */
export async function storescpUids(dir: string): Promise<Set<string>> {
  const names = await readdir(dir);
  return new Set(names.map((n) => n.replace(/^[A-Za-z]+\./, '')));
}

export async function startSoakOrthanc(
  dir: string,
  modality: { readonly aeTitle: string; readonly port: number },
): Promise<Restartable & { readonly httpPort: number; readonly dir: string }> {
  const port = await freePort();
  const httpPort = await freePort();
  await mkdir(dir, { recursive: true });
  const config = {
    Name: 'hnvue-soak',
    DicomAet: 'ORTHANC',
    DicomPort: port,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'index'),
    DicomCheckCalledAet: false,
    DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowStore: true,
    Plugins: [],
    LuaScripts: [join(dir, 'received.lua')],
    DicomModalities: {
      hnvue: { AET: modality.aeTitle, Host: '127.0.0.1', Port: modality.port, AllowStorageCommitment: true },
    },
  };
  await writeFile(
    join(dir, 'received.lua'),
    `RECEIVED_LOG = ${JSON.stringify(join(dir, 'received.log'))}\n${RECEIVED_LUA}`,
  );
  await writeFile(join(dir, 'orthanc.json'), JSON.stringify(config, null, 2));
  const { self, launch } = restartable(
    'Orthanc',
    [...(PEER_LOG ? ['--verbose'] : []), join(dir, 'orthanc.json')],
    port,
    dir,
  );
  await launch();
  return Object.assign(self, { httpPort, dir });
}

/**
 * Orthanc's duplicates: its Lua ReceivedInstanceFilter (Orthanc Book, "Server-side scripting with
 * Lua") logs each instance received, as `dup` when Orthanc already held it (REST /tools/lookup),
 * as storescp's "already exists, overwriting" counts a file that was there.
 */
const RECEIVED_LUA = `function ReceivedInstanceFilter(dicom, origin, info)
  local uid = dicom.SOPInstanceUID
  local found = ParseJson(RestApiPost('/tools/lookup', uid))
  local f = io.open(RECEIVED_LOG, 'a')
  f:write((#found > 0 and 'dup ' or 'new ') .. uid .. '\\n')
  f:close()
  return true
end
`;

/** Instances Orthanc received while it already held them (received.log of RECEIVED_LUA). */
export async function orthancDuplicates(dir: string): Promise<number> {
  const log = await readFile(join(dir, 'received.log'), 'utf8').catch(() => '');
  return log.split('\n').filter((l) => l.startsWith('dup ')).length;
}

/** SOP Instance UIDs Orthanc holds (REST `/instances?expand`). */
export async function orthancUids(httpPort: number): Promise<Set<string>> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/instances?expand`);
  const instances = (await response.json()) as { MainDicomTags: { SOPInstanceUID: string } }[];
  return new Set(instances.map((i) => i.MainDicomTags.SOPInstanceUID));
}

export interface MppsOp {
  readonly op: 'N-CREATE' | 'N-SET';
  readonly uid: string;
  readonly status: number;
}

/** Our MPPS SCP (the RIS side), every request recorded in arrival order with the status answered. */
export async function startMppsScp(): Promise<{ port: number; ops: MppsOp[]; server: DicomServer }> {
  const scp = createMppsScp();
  const ops: MppsOp[] = [];
  const record =
    (op: MppsOp['op'], handler: RequestHandler): RequestHandler =>
    async (request) => {
      const reply = await (handler(request) as Promise<{ status: number }>);
      const uid =
        (op === 'N-CREATE'
          ? request.command.affectedSopInstanceUid
          : request.command.requestedSopInstanceUid) ?? '';
      ops.push({ op, uid, status: reply.status });
      return reply;
    };
  const server = createServer({
    aeTitles: ['RIS'],
    contexts: [
      {
        abstractSyntax: MPPS_CONTEXT.abstractSyntax,
        transferSyntaxes: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
      },
    ],
    handlers: {
      'N-CREATE': record('N-CREATE', scp.handlers['N-CREATE']),
      'N-SET': record('N-SET', scp.handlers['N-SET']),
    },
  });
  const port = await server.listen(0, '127.0.0.1');
  return { port, ops, server };
}
