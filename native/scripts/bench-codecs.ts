/**
 * Codec benchmark: ours against DCMTK and GDCM on one 3000x3000 16-bit frame (12 bits stored,
 * smooth gradients + noise, ~18 MB), the size of a DX detector image. Peers are timed as whole
 * processes (read, code, write a Part 10 file) because that is how they are used; ours as the
 * codec call plus (de)encapsulation, which is what C-STORE pays.
 *
 * Run: pnpm --filter @hnvue/native run bench   (or: tsx --conditions=@hnvue/source scripts/bench-codecs.ts)
 * Options: --runs N (default 5), --size N (default 3000), --json, --only jpegll|j2k|jpeg12
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  decapsulate,
  decodeFrame,
  encapsulate,
  encodeFrame,
  type J2kBackend,
  nativeStatus,
  TransferSyntax,
} from '../lib/index.js';
import { jpeg12DecodeTs } from '../lib/jpeg12-ts.js';
import { firstDifference, frameInfo, syntheticFrame } from '../test/helpers/images.js';
import { readPart10, writePart10 } from '../test/helpers/part10.js';
import { tempDir } from '../test/helpers/tools.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const runs = opt('--runs', 5);
const size = opt('--size', 3000);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const want = (section: string): boolean => only === undefined || only === section;

const info = frameInfo(size, size, 16, 12);
const pixels = syntheticFrame(info, 2026, 0.01);
const dir = tempDir('bench');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Timing {
  /** Median wall-clock milliseconds. */
  readonly wall: number;
  /** Median CPU milliseconds (user + system, every thread): steadier than wall time on a busy machine. */
  readonly cpu: number;
}

// fn returns the CPU ms it used when it measured them itself (peer processes), else undefined.
async function time(fn: () => Promise<number | undefined> | number | undefined): Promise<Timing> {
  await fn(); // warm-up (WASM instantiation, page faults)
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const childCpu = await fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push(childCpu ?? (c.user + c.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

const HAVE_TIME = existsSync('/usr/bin/time');

// A peer process; its CPU time comes from GNU time (%U user, %S system seconds) when installed.
const tool = (cmd: string, a: string[]) => (): number | undefined => {
  if (!HAVE_TIME) {
    execFileSync(cmd, a, { stdio: 'ignore' });
    return undefined;
  }
  const r = spawnSync('/usr/bin/time', ['-f', 'HNVCPU %U %S', cmd, ...a], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const m = /HNVCPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined;
};

const rawFile = dir.file('raw.dcm');
writePart10(rawFile, {
  info,
  transferSyntaxUid: TransferSyntax.explicitVrLittleEndian,
  pixelData: pixels,
  encapsulated: false,
});

interface Row {
  name: string;
  ours: Timing;
  theirs: Timing;
  peer: string;
  bytes?: number;
  peerBytes?: number;
}
const rows: Row[] = [];

try {
  const status = nativeStatus();
  if (status.kind !== 'loaded') console.warn(`addon not loaded (${status.kind}); native rows are skipped`);

  if (status.kind === 'loaded' && want('jpegll')) {
    // JPEG Lossless SV1
    let jpeg: Uint8Array = new Uint8Array();
    const encLL = await time(async () => {
      jpeg = await encodeFrame(pixels, info, TransferSyntax.jpegLosslessSv1);
      encapsulate([jpeg]);
      return undefined;
    });
    const jpegFile = dir.file('jpegll.dcm');
    const dcmcjpeg = await time(tool('dcmcjpeg', [rawFile, jpegFile]));
    const theirsJpeg = readPart10(jpegFile).pixelData;
    rows.push({
      name: 'JPEG Lossless SV1 encode',
      ours: encLL,
      theirs: dcmcjpeg,
      peer: 'dcmcjpeg',
      bytes: jpeg.length,
      peerBytes: decapsulate(theirsJpeg)[0]!.length,
    });
    let decoded: Uint8Array = new Uint8Array();
    const decLL = await time(async () => {
      decoded = await decodeFrame(decapsulate(theirsJpeg)[0]!, info, TransferSyntax.jpegLosslessSv1);
      return undefined;
    });
    if (firstDifference(decoded, pixels) !== -1) throw new Error('JPEG Lossless decode is not pixel-exact');
    const dcmdjpeg = await time(tool('dcmdjpeg', [jpegFile, dir.file('jpegll-raw.dcm')]));
    rows.push({ name: 'JPEG Lossless SV1 decode', ours: decLL, theirs: dcmdjpeg, peer: 'dcmdjpeg' });
  }

  if (want('jpeg12')) {
    // JPEG 12-bit (Process 4) decode of a dcmcjpeg +ee stream: the TypeScript decoder, the addon
    // (GDCM's libgdcmjpeg12) and dcmdjpeg (a whole process), the same samples from all three.
    const jpegFile = dir.file('jpeg12.dcm');
    execFileSync('dcmcjpeg', ['+ee', rawFile, jpegFile], { stdio: 'ignore' });
    const stream = decapsulate(readPart10(jpegFile).pixelData)[0]!;
    const dcmdjpeg = await time(tool('dcmdjpeg', [jpegFile, dir.file('jpeg12-raw.dcm')]));
    let ts: Uint8Array = new Uint8Array();
    const decTs = await time(() => {
      ts = jpeg12DecodeTs(stream, info);
      return undefined;
    });
    rows.push({ name: 'JPEG 12-bit decode (TypeScript)', ours: decTs, theirs: dcmdjpeg, peer: 'dcmdjpeg' });
    if (status.kind === 'loaded' && status.jpeg12) {
      let native: Uint8Array = new Uint8Array();
      const decNative = await time(async () => {
        native = await decodeFrame(stream, info, TransferSyntax.jpegExtended);
        return undefined;
      });
      if (firstDifference(ts, native) !== -1) throw new Error('JPEG 12-bit: TypeScript and addon differ');
      rows.push({ name: 'JPEG 12-bit decode (addon)', ours: decNative, theirs: dcmdjpeg, peer: 'dcmdjpeg' });
      rows.push({
        name: 'JPEG 12-bit decode, TypeScript vs addon',
        ours: decTs,
        theirs: decNative,
        peer: 'addon (libgdcmjpeg12)',
      });
    }
  }

  const j2kFile = dir.file('j2k.dcm');
  if (want('j2k')) {
    const gdcmEnc = await time(tool('gdcmconv', ['--j2k', rawFile, j2kFile]));
    const gdcmDec = await time(tool('gdcmconv', ['--raw', j2kFile, dir.file('j2k-raw.dcm')]));
    const theirsJ2k = decapsulate(readPart10(j2kFile).pixelData)[0]!;
    const backends: J2kBackend[] = status.kind === 'loaded' ? ['native', 'wasm'] : ['wasm'];
    for (const backend of backends) {
      let j2k: Uint8Array = new Uint8Array();
      const enc = await time(async () => {
        j2k = await encodeFrame(pixels, info, TransferSyntax.jpeg2000Lossless, { j2kBackend: backend });
        encapsulate([j2k]);
        return undefined;
      });
      rows.push({
        name: `JPEG 2000 lossless encode (${backend})`,
        ours: enc,
        theirs: gdcmEnc,
        peer: 'gdcmconv --j2k',
        bytes: j2k.length,
        peerBytes: theirsJ2k.length,
      });
      let decoded: Uint8Array = new Uint8Array();
      const dec = await time(async () => {
        decoded = await decodeFrame(theirsJ2k, info, TransferSyntax.jpeg2000Lossless, {
          j2kBackend: backend,
        });
        return undefined;
      });
      if (firstDifference(decoded, pixels) !== -1)
        throw new Error(`JPEG 2000 ${backend} decode is not pixel-exact`);
      rows.push({
        name: `JPEG 2000 lossless decode (${backend})`,
        ours: dec,
        theirs: gdcmDec,
        peer: 'gdcmconv --raw',
      });
    }
  }
} finally {
  dir.remove();
}

if (args.includes('--json')) {
  console.log(JSON.stringify({ size, runs, rows }, null, 2));
} else {
  console.log(`${size}x${size} 16-bit (12 stored), ${pixels.length} bytes, median of ${runs} runs\n`);
  console.log(
    '| operation | ours wall (ms) | peer | peer wall (ms) | wall ratio | ours CPU (ms) | peer CPU (ms) | CPU ratio | our bytes | peer bytes |',
  );
  console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const cells = [
      r.name,
      r.ours.wall.toFixed(0),
      r.peer,
      r.theirs.wall.toFixed(0),
      (r.ours.wall / r.theirs.wall).toFixed(2),
      r.ours.cpu.toFixed(0),
      r.theirs.cpu.toFixed(0),
      (r.ours.cpu / r.theirs.cpu).toFixed(2),
      String(r.bytes ?? ''),
      String(r.peerBytes ?? ''),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}
