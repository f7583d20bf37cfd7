/**
 * Shared test helpers: start real DICOM peers (DCMTK storescp / wlmscpfs / echoscu, Orthanc) on
 * free loopback ports with Nagle off (TCP_NODELAY=1, see PEERS.md), generate TLS material with
 * openssl, and wait for ports. Every process started here is stopped by its PID through the
 * returned `stop()`; call it in afterAll/finally.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Environment for DCMTK/Orthanc children: Nagle off, as our own sockets. */
export const PEER_ENV: NodeJS.ProcessEnv = { ...process.env, TCP_NODELAY: '1' };

/** A free TCP port on 127.0.0.1 (bound to port 0, then released). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once a TCP connect to host:port succeeds; rejects after `timeoutMs`. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${host}:${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A fresh directory under os.tmpdir(); `rmTempDir` removes it. */
export async function makeTempDir(prefix = 'hnvue-test-'): Promise<string> {
  return await mkdtemp(join(tmpdir(), prefix));
}

export async function rmTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface RunningPeer {
  readonly port: number;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Output collected so far (stdout + stderr), for diagnostics in failing tests. */
  output(): string;
  /** Stops the process by its PID (SIGTERM, then SIGKILL after 3 s) and waits for its exit. */
  stop(): Promise<void>;
}

function startProcess(command: string, args: readonly string[], port: number, cwd?: string): RunningPeer {
  const child = spawn(command, args, { env: PEER_ENV, stdio: ['ignore', 'pipe', 'pipe'], cwd });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    port,
    pid: child.pid ?? -1,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
            process.kill(child.pid, 'SIGKILL');
          }
        }, 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Spawns `command args` for a peer that will listen on `port` (picked with `freePort`) and resolves
 * once the port accepts connections; rejects with the peer's output if it exits first.
 */
export async function startAndWait(
  command: string,
  args: readonly string[],
  port: number,
  cwd?: string,
): Promise<RunningPeer> {
  const peer = startProcess(command, args, port, cwd);
  const died = new Promise<never>((_, reject) => {
    peer.process.once('exit', (code) =>
      reject(new Error(`${command} exited early (code ${code}): ${peer.output().slice(-2000)}`)),
    );
  });
  try {
    await Promise.race([waitForPort(port), died]);
  } catch (err) {
    await peer.stop();
    throw err;
  }
  died.catch(() => {});
  return peer;
}

/** PEM paths for DCMTK's `+tls key crt +cf ca`. */
export interface TlsPeerFiles {
  readonly key: string;
  readonly cert: string;
  /** CA certificates the peer trusts. */
  readonly ca: string;
  /** Require a client certificate (mutual TLS). */
  readonly requirePeerCert?: boolean;
}

export interface StorescpOptions {
  readonly aeTitle?: string;
  readonly tls?: TlsPeerFiles;
  /** Extra storescp arguments, e.g. `['+xi']`. */
  readonly args?: readonly string[];
  /** Output folder; a temp dir by default (storescp writes received objects there unless --ignore). */
  readonly outputDir?: string;
}

/** DCMTK `storescp` on a free port: accepts Verification and storage, `--ignore` by default. */
export async function startStorescp(options: StorescpOptions = {}): Promise<RunningPeer> {
  const port = await freePort();
  const args = ['--aetitle', options.aeTitle ?? 'STORESCP', ...(options.args ?? ['--ignore'])];
  if (options.outputDir) args.push('--output-directory', options.outputDir);
  if (options.tls) {
    args.push('+tls', options.tls.key, options.tls.cert, '+cf', options.tls.ca);
    if (options.tls.requirePeerCert) args.push('--require-peer-cert');
  }
  args.push(String(port));
  return await startAndWait('storescp', args, port);
}

export interface WlmscpfsPeer extends RunningPeer {
  readonly dataDir: string;
}

/**
 * DCMTK `wlmscpfs -dfp DIR PORT` with one worklist folder named after `aeTitle` (and the
 * `lockfile` it needs, PEERS.md). Calling it with another called AE yields A-ASSOCIATE-RJ
 * (permanent, service user, called AE title not recognized).
 */
export async function startWlmscpfs(
  options: { aeTitle?: string; dataDir?: string } = {},
): Promise<WlmscpfsPeer> {
  const port = await freePort();
  const dataDir = options.dataDir ?? (await makeTempDir('hnvue-wlm-'));
  const aet = options.aeTitle ?? 'WLMSCP';
  await mkdir(join(dataDir, aet), { recursive: true });
  await writeFile(join(dataDir, aet, 'lockfile'), '');
  const peer = await startAndWait('wlmscpfs', ['-dfp', dataDir, String(port)], port);
  return { ...peer, port: peer.port, pid: peer.pid, process: peer.process, dataDir };
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (no shell), Nagle off, returning exit code and output. */
export async function run(command: string, args: readonly string[], timeoutMs = 30_000): Promise<ExecResult> {
  return await new Promise((resolve) => {
    execFile(command, args, { env: PEER_ENV, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export interface EchoscuOptions {
  readonly port: number;
  readonly host?: string;
  readonly calledAe?: string;
  readonly callingAe?: string;
  /** `+tls key crt +cf ca` (client certificate and trusted CA). */
  readonly tls?: { readonly key: string; readonly cert: string; readonly ca: string };
  readonly extraArgs?: readonly string[];
}

/** Runs DCMTK `echoscu` once against host:port. Exit code 0 means the C-ECHO succeeded. */
export async function runEchoscu(options: EchoscuOptions): Promise<ExecResult> {
  const args = ['-aec', options.calledAe ?? 'ANY-SCP', '-aet', options.callingAe ?? 'ECHOSCU'];
  if (options.tls) args.push('+tls', options.tls.key, options.tls.cert, '+cf', options.tls.ca);
  args.push(...(options.extraArgs ?? []), options.host ?? '127.0.0.1', String(options.port));
  return await run('echoscu', args);
}

export interface OrthancOptions {
  readonly aeTitle?: string;
  /** Extra configuration keys merged last. */
  readonly config?: Record<string, unknown>;
  readonly tls?: {
    readonly cert: string;
    readonly key: string;
    readonly trusted: string;
    readonly requireClientCert?: boolean;
  };
}

export interface OrthancPeer extends RunningPeer {
  readonly httpPort: number;
  readonly dir: string;
}

/** A private Orthanc instance (never the system service) on free DICOM and HTTP ports. */
export async function startOrthanc(options: OrthancOptions = {}): Promise<OrthancPeer> {
  const dir = await makeTempDir('hnvue-orthanc-');
  const port = await freePort();
  const httpPort = await freePort();
  const config: Record<string, unknown> = {
    Name: 'hnvue-test',
    DicomAet: options.aeTitle ?? 'ORTHANC',
    DicomPort: port,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'index'),
    SyncStorageArea: false,
    DicomCheckCalledAet: false,
    DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowStore: true,
    Plugins: [],
    ...(options.tls
      ? {
          DicomTlsEnabled: true,
          DicomTlsCertificate: options.tls.cert,
          DicomTlsPrivateKey: options.tls.key,
          DicomTlsTrustedCertificates: options.tls.trusted,
          DicomTlsRemoteCertificateRequired: options.tls.requireClientCert ?? true,
        }
      : {}),
    ...options.config,
  };
  const configPath = join(dir, 'orthanc.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  let peer: RunningPeer;
  try {
    peer = await startAndWait('Orthanc', [configPath], port, dir);
  } catch (err) {
    await rmTempDir(dir);
    throw err;
  }
  return {
    port,
    pid: peer.pid,
    process: peer.process,
    output: peer.output,
    httpPort,
    dir,
    async stop() {
      await peer.stop();
      await rmTempDir(dir);
    },
  };
}

/** PEM files written by `generateTlsMaterial`. */
export interface TlsMaterial {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  /** Server certificate (SAN DNS:localhost, IP:127.0.0.1) signed by the CA. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** Client certificate signed by the CA. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** The client certificate and key as PKCS#12, password `clientPfxPassword`. */
  readonly clientPfx: string;
  readonly clientPfxPassword: string;
  /** A second CA nobody trusts, with a server and a client certificate signed by it. */
  readonly untrustedCaCert: string;
  readonly untrustedServerCert: string;
  readonly untrustedServerKey: string;
  readonly untrustedClientCert: string;
  readonly untrustedClientKey: string;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile('openssl', args, { cwd }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args.join(' ')} failed: ${stderr}`));
      else resolve();
    });
  });
}

async function issue(
  dir: string,
  name: string,
  subject: string,
  caName: string,
  extensions: string,
): Promise<void> {
  await openssl(['genrsa', '-out', `${name}.key`, '2048'], dir);
  await openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${caName}.crt`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

async function makeCa(dir: string, name: string, subject: string): Promise<void> {
  await openssl(['genrsa', '-out', `${name}.key`, '2048'], dir);
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-subj',
      subject,
      '-days',
      '2',
      '-sha256',
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

/**
 * A CA, a server certificate (SAN localhost + 127.0.0.1), a client certificate (also as PFX), and
 * an untrusted CA with its own server and client certificates, in a fresh temp dir. About 1 s.
 */
export async function generateTlsMaterial(): Promise<TlsMaterial> {
  const dir = await makeTempDir('hnvue-tls-');
  const serverExt = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n';
  const clientExt = 'extendedKeyUsage=clientAuth,serverAuth\n';
  await makeCa(dir, 'ca', '/CN=HnVue Test CA');
  await makeCa(dir, 'untrusted-ca', '/CN=Untrusted Test CA');
  await Promise.all([
    issue(dir, 'server', '/CN=localhost', 'ca', serverExt),
    issue(dir, 'client', '/CN=hnvue-client', 'ca', clientExt),
  ]);
  await Promise.all([
    issue(dir, 'untrusted-server', '/CN=localhost', 'untrusted-ca', serverExt),
    issue(dir, 'untrusted-client', '/CN=rogue-client', 'untrusted-ca', clientExt),
  ]);
  const clientPfxPassword = 'hnvue-test';
  await openssl(
    [
      'pkcs12',
      '-export',
      '-inkey',
      'client.key',
      '-in',
      'client.crt',
      '-certfile',
      'ca.crt',
      '-passout',
      `pass:${clientPfxPassword}`,
      '-out',
      'client.pfx',
    ],
    dir,
  );
  const p = (f: string) => join(dir, f);
  return {
    dir,
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    clientPfx: p('client.pfx'),
    clientPfxPassword,
    untrustedCaCert: p('untrusted-ca.crt'),
    untrustedServerCert: p('untrusted-server.crt'),
    untrustedServerKey: p('untrusted-server.key'),
    untrustedClientCert: p('untrusted-client.crt'),
    untrustedClientKey: p('untrusted-client.key'),
  };
}
