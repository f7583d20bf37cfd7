/**
 * Long-run floods against our SCP (issue 17 item 6; the CI tests in test/hardening/ run a
 * bounded slice). The SCP runs in this process with its default limits; the attacker runs in a
 * child process, so the memory figures are the SCP's alone. During each flood, waves of 10
 * concurrent legitimate C-ECHOs (5 from our SCU, 5 from DCMTK echoscu) start every 500 ms.
 *
 *   pnpm exec tsx --conditions @hnvue/source packages/net/scripts/flood.ts [seconds-per-flood] [mode]
 *
 * mode: baseline, connect, holders, slowloris or bigrq (default: all, in that order).
 *
 * Prints one Markdown table row per flood (the table of docs/reliability.md). Default 10 s.
 */
import { spawn } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, type DicomServer } from '../src/index.js';
import { encodePdu } from '../src/pdu/index.js';
import { concurrentEchoes, echoRq, manyContextsRq, type TimedEcho } from '../test/hardening/helpers.js';

const script = fileURLToPath(import.meta.url);

type Mode = 'connect' | 'holders' | 'slowloris' | 'bigrq';

/** The attacker: keeps `count` connections of the given kind alive, reopening each one closed. */
function attack(mode: Mode, port: number, count: number): void {
  const bytes =
    mode === 'bigrq' ? manyContextsRq(10_000) : encodePdu(echoRq(mode === 'holders' ? 'HOLDER' : 'SLOW'));
  let opened = 0;
  let closedByServer = 0;
  let inFlight = 0;
  let stopping = false;
  const open = (): void => {
    if (stopping) return;
    // Bounded batches: at most 100 connects in flight at once.
    if (inFlight >= 100) {
      setTimeout(open, 5);
      return;
    }
    inFlight++;
    opened++;
    const socket: Socket = createConnection({ port, host: '127.0.0.1' });
    let trickle: NodeJS.Timeout | undefined;
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.once('connect', () => {
      inFlight--;
      if (mode === 'holders' || mode === 'bigrq') socket.write(bytes);
      if (mode === 'slowloris') {
        let sent = 0;
        trickle = setInterval(() => {
          if (sent < bytes.length) socket.write(bytes.subarray(sent, ++sent));
        }, 100);
      }
    });
    socket.once('close', (hadError) => {
      if (trickle) clearInterval(trickle);
      if (!socket.connecting) closedByServer++;
      else if (hadError) inFlight--;
      setImmediate(open);
    });
  };
  for (let i = 0; i < count; i++) open();
  // Stopped by closing its stdin (a signal would be caught by tsx's preflight first).
  process.stdin.resume();
  process.stdin.once('end', () => {
    stopping = true;
    process.stdout.write(`${JSON.stringify({ opened, closedByServer })}\n`, () => process.exit(0));
  });
}

interface Figures {
  readonly name: string;
  readonly echoes: TimedEcho[];
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly attacker: { opened: number; closedByServer: number } | undefined;
  readonly dropped: number;
  readonly rejected: number;
}

async function flood(
  name: string,
  mode: Mode | undefined,
  count: number,
  seconds: number,
  server: DicomServer,
  port: number,
): Promise<Figures> {
  let dropped = 0;
  let rejected = 0;
  const onDrop = () => dropped++;
  const onReject = () => rejected++;
  server.on('connectionDropped', onDrop);
  server.on('rejected', onReject);
  global.gc?.();
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const child =
    mode === undefined
      ? undefined
      : spawn(process.execPath, [...process.execArgv, script, 'attack', mode, String(port), String(count)], {
          stdio: ['pipe', 'pipe', 'inherit'],
        });
  let output = '';
  child?.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  // Let the flood build up before the first wave.
  await new Promise((r) => setTimeout(r, 1000));
  const echoes: TimedEcho[] = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const wave = Date.now();
    echoes.push(...(await concurrentEchoes(port)));
    await new Promise((r) => setTimeout(r, Math.max(0, 500 - (Date.now() - wave))));
  }
  let attacker: Figures['attacker'];
  if (child) {
    const exited = new Promise((r) => child.once('exit', r));
    child.stdin?.end();
    await exited;
    attacker = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
  }
  clearInterval(sampler);
  server.off('connectionDropped', onDrop);
  server.off('rejected', onReject);
  const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  return { name, echoes, peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap), attacker, dropped, rejected };
}

function row(f: Figures): string {
  const ms = f.echoes.map((e) => e.ms).sort((a, b) => a - b);
  const served = f.echoes.filter((e) => e.ok && e.ms < 1000).length;
  const failed = f.echoes.filter((e) => !e.ok).length;
  const p = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0);
  return `| ${f.name} | ${served} / ${f.echoes.length} | ${failed} | ${p(0.5)} / ${p(0.99)} / ${Math.round(ms.at(-1) ?? 0)} | ${f.peakRssMb} | ${f.peakHeapMb} | ${f.attacker?.opened ?? 0} | ${f.dropped} | ${f.rejected} |`;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const server = createServer({ aeTitles: ['HNVUE'] });
  const port = await server.listen(0);
  const scenarios: [string, Mode | undefined, number][] = [
    ['no flood (baseline)', undefined, 0],
    ['idle TCP connects, 1,000 kept open', 'connect', 1000],
    ['silent A-ASSOCIATE-RQ holders, 100 kept', 'holders', 100],
    ['slowloris, 200 requests at 10 B/s', 'slowloris', 200],
    ['10,000-PC A-ASSOCIATE-RQs, 20 in parallel', 'bigrq', 20],
  ];
  console.log(`${seconds} s per flood, SCP defaults ${JSON.stringify(server.limits)}`);
  console.log(
    '| flood | echoes served ≤ 1 s | echoes failed | echo ms p50 / p99 / max | peak RSS MB | peak heap MB | attacker connects | dropped | rejected |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const only = process.argv[3];
  for (const [name, mode, count] of scenarios) {
    if (only !== undefined && mode !== only && !(only === 'baseline' && mode === undefined)) continue;
    console.log(row(await flood(name, mode, count, seconds, server, port)));
  }
  await server.close({ abort: true });
}

if (process.argv[2] === 'attack') {
  attack(process.argv[3] as Mode, Number(process.argv[4]), Number(process.argv[5]));
} else {
  await main();
}
