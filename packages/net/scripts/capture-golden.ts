/**
 * Regenerates packages/net/test/golden/*.hex: real PDUs exchanged by DCMTK tools, captured by a
 * recording TCP proxy between a DCMTK SCU and a DCMTK SCP on 127.0.0.1.
 *
 *   pnpm exec tsx --conditions @hnvue/source packages/net/scripts/capture-golden.ts
 *
 * Needs DCMTK 3.6.7 (echoscu, storescu, storescp, dump2dcm) on PATH. Every process it starts is
 * stopped by PID. The captured datasets carry no patient data (a synthetic secondary capture).
 * Each .hex file starts with `#` comment lines (tool, command, decoded summary) then hex bytes,
 * 32 per line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPduFramer, decodePdu, describePdu, type RawPdu } from '../src/pdu/index.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'golden');
const env = { ...process.env, TCP_NODELAY: '1' };
const started: ChildProcess[] = [];

interface Capture {
  /** PDUs in arrival order, tagged with the direction. */
  readonly pdus: { readonly from: 'scu' | 'scp'; readonly pdu: RawPdu }[];
  readonly closed: Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A proxy on a free port forwarding to `target`; each connection's PDUs are framed as they pass. */
async function startProxy(target: number): Promise<{ port: number; next: () => Capture; close: () => void }> {
  const captures: Capture[] = [];
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect(target, '127.0.0.1');
    upstream.setNoDelay(true);
    const pdus: Capture['pdus'] = [];
    const framers = { scu: createPduFramer({ maxPduLength: 0 }), scp: createPduFramer({ maxPduLength: 0 }) };
    const record = (from: 'scu' | 'scp', chunk: Buffer): void => {
      const framer = framers[from];
      framer.push(new Uint8Array(chunk));
      for (let raw = framer.next(); raw !== undefined; raw = framer.next()) pdus.push({ from, pdu: raw });
    };
    let open = 2;
    let done: () => void = () => {};
    const closed = new Promise<void>((resolve) => {
      done = resolve;
    });
    const end = (): void => {
      open--;
      if (open === 0) done();
    };
    client.on('data', (chunk: Buffer) => {
      record('scu', chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      record('scp', chunk);
      client.write(chunk);
    });
    client.on('close', () => {
      upstream.end();
      end();
    });
    upstream.on('close', () => {
      client.end();
      end();
    });
    client.on('error', () => client.destroy());
    upstream.on('error', () => upstream.destroy());
    captures.push({ pdus, closed });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy has no port');
  let taken = 0;
  return {
    port: address.port,
    next: () => {
      const capture = captures[taken++];
      if (capture === undefined) throw new Error('no connection captured');
      return capture;
    },
    close: () => server.close(),
  };
}

function run(cmd: string, args: readonly string[], allowFailure = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 || allowFailure ? resolve() : reject(new Error(`${cmd} exited ${code}: ${stderr}`)),
    );
  });
}

async function startScp(args: readonly string[]): Promise<{ port: number; stop: () => void }> {
  const port = await freePort();
  const child = spawn('storescp', [...args, String(port)], { env, stdio: 'ignore' });
  started.push(child);
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, stop: () => child.pid !== undefined && process.kill(child.pid) };
}

function hexLines(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 32)
    lines.push(Buffer.from(bytes.subarray(i, i + 32)).toString('hex'));
  return lines.join('\n');
}

function save(name: string, pdu: RawPdu, from: string, command: string): void {
  const value = decodePdu(pdu.bytes);
  // Listing 128 contexts would bury the summary; short lists are worth reading.
  const few =
    value.type !== 'A-ASSOCIATE-RQ' && value.type !== 'A-ASSOCIATE-AC'
      ? true
      : value.presentationContexts.length <= 8;
  const decoded = describePdu(value, { contexts: few });
  const header = [
    `# ${name}: sent by the DCMTK 3.6.7 ${from}, ${pdu.bytes.length} bytes`,
    `# command: ${command}`,
    `# decoded: ${decoded}`,
    '# regenerate: pnpm exec tsx --conditions @hnvue/source packages/net/scripts/capture-golden.ts',
  ];
  writeFileSync(join(GOLDEN_DIR, `${name}.hex`), `${header.join('\n')}\n${hexLines(pdu.bytes)}\n`);
  console.log(`${name}.hex  ${decoded.slice(0, 140)}`);
}

function pick(capture: Capture, from: 'scu' | 'scp', type: number, nth = 0): RawPdu {
  const found = capture.pdus.filter((p) => p.from === from && p.pdu.pduType === type)[nth];
  if (found === undefined) throw new Error(`no PDU type ${type} from ${from} (nth ${nth})`);
  return found.pdu;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'hnvue-golden-'));
  try {
    // A synthetic secondary capture without patient data: 8x8 pixels, 7 bytes of odd-length text.
    const dump = join(work, 'sc.dump');
    writeFileSync(
      dump,
      [
        '(0008,0016) UI =SecondaryCaptureImageStorage',
        '(0008,0018) UI [1.2.826.0.1.3680043.10.1234.1.1]',
        '(0008,0060) CS [OT]',
        '(0020,000d) UI [1.2.826.0.1.3680043.10.1234.1.2]',
        '(0020,000e) UI [1.2.826.0.1.3680043.10.1234.1.3]',
        '(0028,0002) US 1',
        '(0028,0004) CS [MONOCHROME2]',
        '(0028,0010) US 8',
        '(0028,0011) US 8',
        '(0028,0100) US 8',
        '(0028,0101) US 8',
        '(0028,0102) US 7',
        '(0028,0103) US 0',
        `(7fe0,0010) OB ${Array.from({ length: 64 }, (_, i) => (i * 4).toString(16).padStart(2, '0')).join('\\')}`,
      ].join('\n'),
    );
    const file = join(work, 'sc.dcm');
    await run('dump2dcm', ['+te', '-g', dump, file]);

    const cfg = join(work, 'neg.cfg');
    writeFileSync(
      cfg,
      [
        '[[TransferSyntaxes]]',
        '[Uncompressed]',
        'TransferSyntax1 = LocalEndianExplicit',
        'TransferSyntax2 = LittleEndianImplicit',
        '[[PresentationContexts]]',
        '[SC]',
        'PresentationContext1 = SecondaryCaptureImageStorage\\Uncompressed',
        'PresentationContext2 = VerificationSOPClass\\Uncompressed',
        '[[SCPSCURoleSelection]]',
        '[Roles]',
        'Role1 = SecondaryCaptureImageStorage\\BOTH',
        '[[ExtendedNegotiation]]',
        '[ExtNeg]',
        'ExtendedNegotiation1 = SecondaryCaptureImageStorage\\020003000000',
        '[[Profiles]]',
        '[Negotiate]',
        'PresentationContexts = SC',
        'SCPSCURoleSelection = Roles',
        'ExtendedNegotiation = ExtNeg',
      ].join('\n'),
    );

    for (const f of readdirSync(GOLDEN_DIR)) if (f.endsWith('.hex')) unlinkSync(join(GOLDEN_DIR, f));

    const scp = await startScp(['-aet', 'STORESCP', '--ignore']);
    const proxy = await startProxy(scp.port);
    const at = ['127.0.0.1', String(proxy.port)];

    let command = `echoscu -aet HNVUE_SCU -aec STORESCP 127.0.0.1 PORT`;
    await run('echoscu', ['-aet', 'HNVUE_SCU', '-aec', 'STORESCP', ...at]);
    let c = proxy.next();
    await c.closed;
    save('echo-associate-rq', pick(c, 'scu', 1), 'echoscu', command);
    save('echo-associate-ac', pick(c, 'scp', 2), 'storescp', command);
    save('echo-pdata-command-rq', pick(c, 'scu', 4), 'echoscu', command);
    save('echo-pdata-command-rsp', pick(c, 'scp', 4), 'storescp', command);
    save('release-rq', pick(c, 'scu', 5), 'echoscu', command);
    save('release-rp', pick(c, 'scp', 6), 'storescp', command);

    command = 'echoscu --abort -aet HNVUE_SCU -aec STORESCP 127.0.0.1 PORT';
    await run('echoscu', ['--abort', '-aet', 'HNVUE_SCU', '-aec', 'STORESCP', ...at]);
    c = proxy.next();
    await c.closed;
    save('abort-user', pick(c, 'scu', 7), 'echoscu', command);

    command = 'echoscu -aet HNVUE_SCU -aec STORESCP -ppc 3 -pts 3 -pdu 65536 127.0.0.1 PORT';
    await run('echoscu', [
      '-aet',
      'HNVUE_SCU',
      '-aec',
      'STORESCP',
      '-ppc',
      '3',
      '-pts',
      '3',
      '-pdu',
      '65536',
      ...at,
    ]);
    c = proxy.next();
    await c.closed;
    save('echo-multi-associate-rq', pick(c, 'scu', 1), 'echoscu', command);
    save('echo-multi-associate-ac', pick(c, 'scp', 2), 'storescp', command);

    command =
      'storescu -aet HNVUE_SCU -aec STORESCP -pdu 4096 --user hnvue --password golden 127.0.0.1 PORT sc.dcm';
    await run('storescu', [
      '-aet',
      'HNVUE_SCU',
      '-aec',
      'STORESCP',
      '-pdu',
      '4096',
      '--user',
      'hnvue',
      '--password',
      'golden',
      ...at,
      file,
    ]);
    c = proxy.next();
    await c.closed;
    save('store-user-identity-2-associate-rq', pick(c, 'scu', 1), 'storescu', command);
    save('store-pdata-command-rq', pick(c, 'scu', 4, 0), 'storescu', command);
    save('store-pdata-dataset', pick(c, 'scu', 4, 1), 'storescu', command);
    save('store-pdata-command-rsp', pick(c, 'scp', 4), 'storescp', command);

    command = 'storescu -aet HNVUE_SCU -aec STORESCP --user hnvue 127.0.0.1 PORT sc.dcm';
    await run('storescu', ['-aet', 'HNVUE_SCU', '-aec', 'STORESCP', '--user', 'hnvue', ...at, file]);
    c = proxy.next();
    await c.closed;
    save('store-user-identity-1-associate-rq', pick(c, 'scu', 1), 'storescu', command);
    proxy.close();
    scp.stop();

    // Role selection and extended negotiation from an association configuration profile, both sides.
    const negScp = await startScp(['-aet', 'STORESCP', '--ignore', '-xf', cfg, 'Negotiate']);
    const negProxy = await startProxy(negScp.port);
    command =
      'storescu -xf neg.cfg Negotiate -aet HNVUE_SCU -aec STORESCP 127.0.0.1 PORT sc.dcm (storescp -xf neg.cfg Negotiate)';
    await run(
      'storescu',
      [
        '-xf',
        cfg,
        'Negotiate',
        '-aet',
        'HNVUE_SCU',
        '-aec',
        'STORESCP',
        '127.0.0.1',
        String(negProxy.port),
        file,
      ],
      true,
    );
    c = negProxy.next();
    await c.closed;
    save('negotiation-associate-rq', pick(c, 'scu', 1), 'storescu', command);
    save('negotiation-associate-ac', pick(c, 'scp', 2), 'storescp', command);
    negProxy.close();
    negScp.stop();

    const refuseScp = await startScp(['-aet', 'STORESCP', '--refuse']);
    const refuseProxy = await startProxy(refuseScp.port);
    command = 'echoscu -aet HNVUE_SCU -aec STORESCP 127.0.0.1 PORT (storescp --refuse)';
    await run(
      'echoscu',
      ['-aet', 'HNVUE_SCU', '-aec', 'STORESCP', '127.0.0.1', String(refuseProxy.port)],
      true,
    );
    c = refuseProxy.next();
    await c.closed;
    save('associate-rj', pick(c, 'scp', 3), 'storescp', command);
    refuseProxy.close();
    refuseScp.stop();
  } finally {
    for (const child of started) if (child.exitCode === null && child.pid !== undefined) child.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
