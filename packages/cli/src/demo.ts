/**
 * The main job end to end, in one process against the simulator: RIS/PACS up, worklist fetched,
 * MPPS IN PROGRESS, a DX built from a synthetic detector image, stored through the queue,
 * the dose report stored with the study, MPPS COMPLETED, storage commitment requested once the
 * study is delivered and its report received, a PNG preview written, the image printed on a
 * 1×1 film to the simulator's printer (rendered to a PNG). Timings per step; the
 * summary and the logs carry UIDs and counts only, never patient data (NFR-SEC-01).
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, silentLogger } from '@hnvue/core';
import { type CommitmentInfo, createDicomServices, type DicomServices } from '@hnvue/facade';
import { startSimulator } from '@hnvue/simulator';
import { renderToPng } from './render.js';

export interface DemoOptions {
  /** Where the simulator's PACS folder, the queue and the preview go; default a new temp folder. */
  readonly outDir?: string;
  readonly logger?: Logger;
  /** Image size (square); default 1024. */
  readonly size?: number;
  /** Progress lines (one per step) as they happen. */
  readonly onStep?: (step: DemoStep) => void;
}

export interface DemoStep {
  readonly name: string;
  readonly ms: number;
  readonly detail: string;
}

export interface DemoSummary {
  readonly steps: readonly DemoStep[];
  readonly totalMs: number;
  readonly outDir: string;
  readonly preview: string;
  /** The printed film as the simulator's print SCP rendered it (PNG). */
  readonly film: string;
  readonly studyInstanceUid: string;
  readonly imageSopInstanceUid: string;
  readonly doseReportSopInstanceUid: string;
  readonly committed: number;
  readonly mppsStatus: string;
}

/**
 * A synthetic 12-bit chest-like detector image, For Presentation (MONOCHROME2): air dark, soft
 * tissue grey, lungs darker, spine and ribs bright, plus quantum-like noise. Deterministic.
 */
export function syntheticDetectorImage(size: number): Uint16Array {
  const pixels = new Uint16Array(size * size);
  let seed = 0x2f6b_1d3;
  const noise = () => {
    // xorshift32: cheap deterministic noise, no Math.random (reproducible previews).
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) / 0xffffffff - 0.5) * 120;
  };
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const nx = (x - c) / (size * 0.42);
      const ny = (y - c * 1.05) / (size * 0.48);
      let v = 250; // direct exposure (air)
      if (nx * nx + ny * ny < 1) {
        v = 1900; // soft tissue
        const lx = (Math.abs(x - c) - size * 0.17) / (size * 0.13);
        const ly = (y - size * 0.45) / (size * 0.3);
        if (lx * lx + ly * ly < 1) {
          v = 950; // lungs
          const rib = Math.sin((y / size) * Math.PI * 18 + Math.abs(x - c) / (size * 0.08));
          if (rib > 0.82) v += 900;
        }
        if (Math.abs(x - c) < size * 0.035) v = 3100; // spine
      }
      pixels[y * size + x] = Math.max(0, Math.min(4095, Math.round(v + noise())));
    }
  }
  return pixels;
}

function waitFor<T>(
  services: DicomServices,
  predicate: (resolve: (value: T) => void, reject: (err: Error) => void) => () => void,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`demo: ${what} did not happen within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = predicate(
      (v) => {
        clearTimeout(timer);
        cleanup();
        resolve(v);
      },
      (err) => {
        clearTimeout(timer);
        cleanup();
        reject(err);
      },
    );
    void services;
  });
}

/** Waits until the queue delivered the item with this SOP Instance UID (and kind). */
function delivered(services: DicomServices, sopInstanceUid: string, kind: string): Promise<void> {
  return waitFor<void>(
    services,
    (resolve, reject) => {
      const onDelivered = (info: { sopInstanceUid: string; kind: string }) => {
        if (info.sopInstanceUid === sopInstanceUid && info.kind === kind) resolve();
      };
      const onFailed = (
        info: { sopInstanceUid: string; kind: string },
        f: { code: string; reason: string },
      ) => {
        if (info.sopInstanceUid === sopInstanceUid && info.kind === kind)
          reject(new Error(`demo: ${kind} failed: ${f.code} ${f.reason}`));
      };
      services.on('delivered', onDelivered);
      services.on('failed', onFailed);
      return () => {
        services.off('delivered', onDelivered);
        services.off('failed', onFailed);
      };
    },
    30_000,
    `${kind} delivery`,
  );
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const logger = options.logger ?? silentLogger;
  const outDir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'hnvue-demo-')));
  await mkdir(outDir, { recursive: true });
  const steps: DemoStep[] = [];
  const started = performance.now();
  let last = started;
  const step = (name: string, detail: string) => {
    const now = performance.now();
    const s = { name, ms: Math.round((now - last) * 10) / 10, detail };
    last = now;
    steps.push(s);
    options.onStep?.(s);
  };

  const { simulator, address } = await startSimulator({
    storageDir: join(outDir, 'pacs'),
    printer: { directory: join(outDir, 'films') },
    logger,
  });
  const printer = address.printer as { readonly aeTitle: string; readonly port: number };
  let services: DicomServices | undefined;
  try {
    step(
      'simulator',
      `RIS ${address.ris.aeTitle}:${address.ris.port}, PACS ${address.pacs.aeTitle}:${address.pacs.port}, printer ${printer.aeTitle}:${printer.port}`,
    );
    const peer = (aeTitle: string, port: number) => ({ aeTitle, host: address.host, port });
    services = createDicomServices({
      config: {
        local: { aeTitle: 'HNVUE_DR1', port: 0 },
        uid: { deviceSerial: '1' },
        ris: peer(address.ris.aeTitle, address.ris.port),
        mpps: peer(address.ris.aeTitle, address.ris.port),
        pacs: peer(address.pacs.aeTitle, address.pacs.port),
        commitment: { ...peer(address.pacs.aeTitle, address.pacs.port), timeoutMs: 30_000 },
        // A small film keeps the demo fast: the image box matrix decides the pixels sent.
        printer: {
          ...peer(printer.aeTitle, printer.port),
          defaults: { filmSize: '14INX17IN', orientation: 'PORTRAIT', imageBox: { rows: 512, columns: 512 } },
        },
        queue: { path: join(outDir, 'queue.sqlite'), initialIntervalMs: 500 },
      },
      logger,
    });
    await services.start();
    simulator.registerModality('HNVUE_DR1', { host: '127.0.0.1', port: services.listenerPort });
    step('services', `queue and listener up (listener port ${services.listenerPort})`);

    const worklist = await services.queryWorklist({ modality: 'DX', scheduledStationAeTitle: 'HNVUE_DR1' });
    const chosen = worklist[0];
    if (chosen === undefined) throw new Error('demo: the simulated worklist is empty');
    const charsets = [
      ...new Set(worklist.map((r) => r.characterSet.terms.filter(Boolean).join('\\') || 'default')),
    ];
    step('worklist', `${worklist.length} DX items (character sets: ${charsets.join(', ')})`);

    const procedure = await services.startProcedure({ worklist: chosen });
    await delivered(services, procedure.id, 'mpps-create');
    step('mpps in progress', `N-CREATE ${procedure.id}`);

    const size = options.size ?? 1024;
    const pixels = syntheticDetectorImage(size);
    const image = await services.storeImage(procedure.id, {
      image: {
        rows: size,
        columns: size,
        bitsStored: 12,
        pixels,
        windowCenter: 2048,
        windowWidth: 4096,
        acquisitionDateTime: new Date(),
      },
      anatomy: {
        imageLaterality: 'U',
        bodyPart: 'CHEST',
        anatomicRegion: { value: '51185008', scheme: 'SCT', meaning: 'Thorax' },
      },
      acquisition: { kvp: 120, exposureTimeMs: 10, tubeCurrentMa: 250, dapDgyCm2: 0.15, viewPosition: 'PA' },
      presentationIntent: 'FOR PRESENTATION',
      detector: { type: 'SCINTILLATOR', imagerPixelSpacingMm: [0.14, 0.14] },
    });
    step(
      'dx built and queued',
      `${size}x${size} 12-bit, ${(image.part10.byteLength / 1048576).toFixed(1)} MiB`,
    );
    await delivered(services, image.sopInstanceUid, 'c-store');
    step('dx stored', `C-STORE ${image.sopInstanceUid}`);

    const dose = await services.storeDoseReport(procedure.id);
    await delivered(services, dose.sopInstanceUid, 'c-store');
    step('rdsr stored', `C-STORE ${dose.sopInstanceUid}`);

    const committed = waitFor<CommitmentInfo>(
      services,
      (resolve, reject) => {
        const ok = (info: CommitmentInfo) => resolve(info);
        const bad = (info: CommitmentInfo) =>
          reject(new Error(`demo: commitment reported ${info.failed.length} failed references`));
        const late = () => reject(new Error('demo: storage commitment timed out'));
        services!.on('committed', ok);
        services!.on('commitmentFailed', bad);
        services!.on('commitmentTimedOut', late);
        return () => {
          services!.off('committed', ok);
          services!.off('commitmentFailed', bad);
          services!.off('commitmentTimedOut', late);
        };
      },
      30_000,
      'storage commitment',
    );
    const mppsDone = delivered(services, procedure.id, 'mpps-set');
    await services.completeProcedure(procedure.id, {
      dose: { areaDoseProduct: 0.15, totalNumberOfExposures: 1 },
    });
    await mppsDone;
    step('mpps completed', `N-SET COMPLETED ${procedure.id}`);
    const commitment = await committed;
    step('committed', `${commitment.committed.length} objects, transaction ${commitment.transactionUid}`);

    const preview = join(outDir, 'preview.png');
    const { png, info } = await renderToPng(image.part10, { maxSize: 512 });
    await writeFile(preview, png);
    step('preview', `${preview} (${info.width}x${info.height})`);

    const filmWritten = new Promise<string>((resolve) => simulator.once('filmPrinted', resolve));
    const job = await services.print([image.part10]);
    await delivered(services, job.jobId, 'print');
    const film = await filmWritten;
    step('film printed', `${film} (${job.films} film, STANDARD\\1,1 on 14INX17IN)`);

    const mppsStatus = simulator.mppsRecords.get(procedure.id)?.status ?? 'unknown';
    return {
      steps,
      totalMs: Math.round(performance.now() - started),
      outDir,
      preview,
      film,
      studyInstanceUid: procedure.studyInstanceUid,
      imageSopInstanceUid: image.sopInstanceUid,
      doseReportSopInstanceUid: dose.sopInstanceUid,
      committed: commitment.committed.length,
      mppsStatus,
    };
  } finally {
    await services?.stop({ graceMs: 2000 });
    await simulator.stop();
  }
}
