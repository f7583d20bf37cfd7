/**
 * C-STORE SCU (PS3.4 Annex B, PS3.7 9.1.1; FR-DICOM-04) on an established association. A Part 10
 * file is streamed from disk: its meta header is read, and when the peer accepted the file's own
 * transfer syntax the data set bytes go out unchanged, 1 MiB at a time, never the whole file in
 * memory. Otherwise the data set is loaded and transcoded in memory to the best accepted syntax.
 *
 * Status handling (PS3.4 B.2.3): Success and Warnings (B000 coercion, B006 elements discarded,
 * B007 data set does not match SOP class) come back as data in `StoreResult`; Failures (A7xx,
 * A9xx, Cxxx, 01xx/02xx) throw DimseFailureError carrying the status code.
 */
import { close, closeSync, fstatSync, open, openSync, read, readFileSync, readSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import {
  datasetEncoding,
  EXPLICIT_LITTLE,
  type FileMetaInformation,
  isNativeTransferSyntax,
  openPart10File,
  type Part10Source,
  parsePart10File,
  parsePart10Header,
  readSopUids,
  TAG,
  validatePart10File,
  walkDataset,
} from '@hnvue/dicom';
import type { Association, DimseResponse } from '../association.js';
import { DATASET_FLUSHED } from '../dimse/fragment.js';
import { COMMAND_FIELD, dimseFailureError, PRIORITY } from '../dimse/index.js';
import { InvalidArgumentError, NoPresentationContextError } from '../errors.js';
import {
  planTransfer,
  type StorageKind,
  type TransferPlan,
  type TransferSyntaxPolicy,
} from './negotiation.js';
import {
  inflatedForTranscoding,
  TranscodeError,
  transcodeDataset,
  transcodeRefusalReason,
} from './transcode.js';

/** An object in memory: its data set bytes (no meta header) in `transferSyntax`. */
export interface DatasetInstance {
  readonly dataset: Uint8Array;
  readonly transferSyntax: string;
  /** Read from (0008,0016)/(0008,0018) when omitted. */
  readonly sopClassUid?: string;
  readonly sopInstanceUid?: string;
}

/** What can be stored: a Part 10 file path, an opened Part 10 source, or a data set in memory. */
export type StoreInstance = string | Part10Source | DatasetInstance;

/** An instance with its identity known and its bytes not yet read. */
export interface ResolvedInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntax: string;
  /** Data set bytes in the instance's own syntax. */
  readonly length: number;
  /** The data set as chunks; a file is streamed, a buffer is cut into views. */
  chunks(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** The whole data set in memory (only for transcoding). */
  load(): Promise<Uint8Array>;
}

/** Progress of one send, for progress bars: per instance and for the whole batch. */
export interface StoreProgress {
  readonly sopInstanceUid: string;
  /** Data set bytes handed to the socket for this instance so far. */
  readonly bytesSent: number;
  /** Data set bytes of this instance (after transcoding, when transcoded). */
  readonly totalBytes: number;
  /** 0-based position of this instance in the batch, and the batch size. */
  readonly index: number;
  readonly count: number;
  readonly batchBytesSent: number;
  /** Sum of the instances' own lengths (transcoded ones may differ: a hint, not a promise). */
  readonly batchTotalBytes: number;
}

/** The C-MOVE that caused this store (PS3.7 9.3.1.1: Move Originator AE Title / Message ID). */
export interface MoveOriginator {
  readonly aeTitle: string;
  readonly messageId: number;
}

export interface StoreOptions extends TransferSyntaxPolicy {
  readonly priority?: number;
  readonly moveOriginator?: MoveOriginator;
  readonly onProgress?: (progress: StoreProgress) => void;
  readonly signal?: AbortSignal;
  /** DIMSE timeout for the response, from the end of the data set. */
  readonly timeoutMs?: number;
}

export interface StoreResult {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** 0000, or a Warning (B000, B006, B007…): data, not an error. */
  readonly status: number;
  readonly statusClass: 'success' | 'warning';
  /** The transfer syntax the data set travelled in. */
  readonly transferSyntax: string;
  readonly transcoded: boolean;
  readonly bytesSent: number;
  readonly response: DimseResponse;
}

/** One instance of a batch: stored, or failed with its typed error (the batch goes on). */
export type StoreOutcome =
  | { readonly ok: true; readonly index: number; readonly result: StoreResult }
  | { readonly ok: false; readonly index: number; readonly error: Error };

/** Chunks of an in-memory data set: views, so progress moves in steps without copying. */
const MEMORY_CHUNK = 1 << 20;

function* slices(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += MEMORY_CHUNK) yield bytes.subarray(at, at + MEMORY_CHUNK);
}

/**
 * Files up to this size are read whole, in one read: a stream (and its 1 MiB read buffer) per
 * 100 KB object made GC the main cost of a study of small objects (measured: 4.5 ms CPU each).
 */
const SMALL_FILE = 1 << 20;

/**
 * A file of at most SMALL_FILE bytes, read synchronously; undefined for a larger one. Measured on
 * a 200 × 100 KB study against storescp: 271 ms with fs/promises (open, stat, read, close: four
 * thread-pool round trips per file, the main cost), 156 ms this way (storescu 124 ms). The event
 * loop is blocked for the four syscalls of one small file (tens of microseconds from the cache).
 */
function readSmallFileSync(path: string, pooled: boolean): { bytes: Buffer; backing?: Buffer } | undefined {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > SMALL_FILE) return undefined;
    // An empty pool gives an exact-size buffer: a caller that only wants the identity (and never
    // sends) does not pay for a 1 MiB one. Sending refills the pool (releaseSmall).
    const file = (pooled ? smallBuffers.pop() : undefined) ?? Buffer.allocUnsafeSlow(size);
    const backing = pooled ? file : undefined;
    let at = 0;
    while (at < size) {
      const n = readSync(fd, file, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return backing ? { bytes: file.subarray(0, at), backing } : { bytes: file.subarray(0, at) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Read buffers of small files, reused once the socket has written the data set (see
 * DATASET_FLUSHED): a fresh buffer per 100 KB object made V8 run a mark-compact every ~80 ms
 * ("external memory pressure", --trace-gc) during a study of small objects. At most
 * SMALL_POOL buffers are kept (the read-ahead of storeInstances is at most 16 deep).
 */
const smallBuffers: Buffer[] = [];
const SMALL_POOL = 4;

/** Gives a sent small file's buffer back; an exact-size one is replaced by a pool-sized one. */
function releaseSmall(buffer: Buffer): void {
  if (smallBuffers.length >= SMALL_POOL || smallBuffers.includes(buffer)) return;
  smallBuffers.push(buffer.length >= SMALL_FILE ? buffer : Buffer.allocUnsafeSlow(SMALL_FILE));
}

interface SmallFile {
  /** The data set bytes as stored (deflated ones deflated): a view of the file buffer. */
  readonly bytes: Uint8Array;
  readonly meta: FileMetaInformation;
}

/**
 * The data set of a Part 10 file read whole, its structure walked in memory (@hnvue/dicom
 * parsePart10File): a file cut mid-element or whose lengths overrun it throws
 * Part10TruncatedError with the byte offset. Measured on a 40 KB CT: 20 µs, where walking it
 * again from disk (validatePart10File, 64 KiB windows) takes 300 µs. A data set with no Pixel
 * Data at its top level is handed to validatePart10File after all, for its rule that an image
 * object cut before its Pixel Data is truncated too (SR, KOS, GSPS pay the 300 µs, images not).
 */
async function validatedDatasetOf(path: string, file: Uint8Array): Promise<SmallFile> {
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const { meta, datasetOffset, elements } = parsePart10File(bytes);
  if (!elements.some((e) => e.tag >>> 16 === PIXEL_DATA_GROUP)) {
    await validatePart10File(path, meta, datasetOffset);
  }
  return { bytes: bytes.subarray(datasetOffset), meta };
}

const PIXEL_DATA_GROUP = TAG.pixelData >>> 16;

/** The data set bytes of a file read again after it was validated (header only). */
function datasetOf(file: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  return bytes.subarray(parsePart10Header(bytes).datasetOffset);
}

/**
 * A small file read into a pooled buffer. The first chunks() lends the buffer to the
 * association and takes it back once all of it is written; chunks() or load() after that read
 * the file again, so a resolved instance sent twice never sends another file's bytes.
 */
function pooledFileInstance(
  path: string,
  identity: ResolvedInstance,
  dataset: Uint8Array,
  backing: Buffer,
): ResolvedInstance {
  let owned: Buffer | undefined = backing;
  const fresh = (): Uint8Array => datasetOf(readFileSync(path));
  return {
    ...identity,
    chunks: () => {
      if (owned === undefined) return slices(fresh());
      const lent = owned;
      owned = undefined;
      const flushed = (bytes: number): void => {
        if (bytes < dataset.length) return;
        releaseSmall(lent);
      };
      return Object.assign(slices(dataset), { [DATASET_FLUSHED]: flushed });
    },
    load: async () => {
      // The buffer stays with whoever loaded it (a transcoder keeps views of it): never reused.
      if (owned === undefined) return fresh();
      owned = undefined;
      return dataset;
    },
  };
}

/**
 * Reads what negotiation needs (meta header or group 0008), never the data set of a large file.
 * A file's structure is walked first (element headers only: a small file in memory, a large one
 * from disk by openPart10File), so a truncated or overrunning file throws Part10TruncatedError
 * (HNV_ERR_PART10_TRUNCATED) with its byte offset here, before a byte of it is sent.
 */
export async function resolveInstance(instance: StoreInstance): Promise<ResolvedInstance> {
  if (typeof instance === 'string') {
    const file = readSmallFileSync(instance, true);
    if (file === undefined) return fromSource(await openPart10File(instance));
    let parsed: SmallFile;
    try {
      parsed = await validatedDatasetOf(instance, file.bytes);
    } catch (err) {
      // Not a usable Part 10 file: a pool-sized buffer goes back, an exact-size one is dropped.
      if (file.backing && file.backing.length >= SMALL_FILE) releaseSmall(file.backing);
      throw err;
    }
    const { bytes, meta } = parsed;
    const identity = await resolveInstance({
      dataset: bytes,
      transferSyntax: meta.transferSyntaxUid,
      sopClassUid: meta.mediaStorageSopClassUid,
      sopInstanceUid: meta.mediaStorageSopInstanceUid,
    });
    return file.backing ? pooledFileInstance(instance, identity, bytes, file.backing) : identity;
  }
  if ('dataset' in instance) {
    let { sopClassUid, sopInstanceUid } = instance;
    if (sopClassUid === undefined || sopInstanceUid === undefined) {
      const uids = readSopUids(instance.dataset, instance.transferSyntax);
      sopClassUid ??= uids.sopClassUid;
      sopInstanceUid ??= uids.sopInstanceUid;
    }
    if (!sopClassUid || !sopInstanceUid) {
      throw new InvalidArgumentError('data set has no SOP Class UID or SOP Instance UID (0008,0016/0018)');
    }
    const dataset = instance.dataset;
    return {
      sopClassUid,
      sopInstanceUid,
      transferSyntax: instance.transferSyntax,
      length: dataset.length,
      chunks: () => slices(dataset),
      load: async () => dataset,
    };
  }
  return fromSource(instance);
}

/**
 * SOP class and transfer syntax of an object, for the presentation contexts. A file's meta header
 * is read and its structure walked (element headers, never the Pixel Data value), so a truncated
 * file fails here with Part10TruncatedError, before any association is opened for it.
 */
export async function describeInstance(instance: StoreInstance): Promise<StorageKind> {
  if (typeof instance === 'string') {
    const file = readSmallFileSync(instance, false);
    const { meta } =
      file === undefined ? await openPart10File(instance) : await validatedDatasetOf(instance, file.bytes);
    return { sopClassUid: meta.mediaStorageSopClassUid, transferSyntax: meta.transferSyntaxUid };
  }
  if ('dataset' in instance) {
    const r = await resolveInstance(instance);
    return { sopClassUid: r.sopClassUid, transferSyntax: r.transferSyntax };
  }
  return {
    sopClassUid: instance.meta.mediaStorageSopClassUid,
    transferSyntax: instance.meta.transferSyntaxUid,
  };
}

/**
 * Streaming a file: 1 MiB positional reads (measured: 32 KiB reads made a 50 MB store 2.5x
 * slower, each read being a thread-pool round trip), READ_AHEAD of them in flight, so the disk
 * (or page cache) is read while the previous chunk is on the wire.
 *
 * The read buffers are reused once the socket has written every byte of them (the association
 * reports written bytes through DATASET_FLUSHED). A fresh 1 MiB buffer per read made V8's
 * "external memory pressure" scavenges take 20-50 ms each during a 50 MB send (--trace-gc),
 * a quarter of its time. A consumer that never reports (tests, other callers) gets fresh buffers.
 * Memory per transfer: the buffers the socket still holds (dul/upper-layer.ts: at most 2 MiB
 * queued plus a PDU) plus READ_AHEAD, a handful of MiB.
 */
const READ_SIZE = 1 << 20;
const READ_AHEAD = 2;

function readInto(fd: number, buffer: Buffer, length: number, position: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let at = 0;
    const next = (): void =>
      read(fd, buffer, at, length - at, position + at, (err, n) => {
        if (err) return reject(err);
        at += n;
        // A file that shrank while being sent ends early; the peer sees the shorter data set.
        if (n === 0 || at === length) return resolve(buffer.subarray(0, at));
        next();
      });
    next();
  });
}

function openAsync(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
}

/** The bytes [start, start + length) of a file, READ_SIZE at a time with READ_AHEAD reads pending. */
function readRange(path: string, start: number, length: number): AsyncIterable<Uint8Array> {
  const free: Buffer[] = [];
  /** Yielded buffers and the data set offset where each ends, oldest first. */
  const lent: { buffer: Buffer; end: number }[] = [];
  const flushed = (bytes: number): void => {
    while (lent.length > 0 && lent[0]!.end <= bytes) free.push(lent.shift()!.buffer);
  };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const fd = await openAsync(path);
    const pending: { read: Promise<Buffer>; buffer: Buffer; end: number }[] = [];
    let offset = 0;
    const issue = (): void => {
      if (offset >= length) return;
      const n = Math.min(READ_SIZE, length - offset);
      const buffer = free.pop() ?? Buffer.allocUnsafeSlow(READ_SIZE);
      const read = readInto(fd, buffer, n, start + offset);
      // Rejections are seen by the await below; an abandoned read must not be unhandled.
      read.catch(() => {});
      offset += n;
      pending.push({ read, buffer, end: offset });
    };
    try {
      for (let i = 0; i < READ_AHEAD; i++) issue();
      for (;;) {
        const next = pending.shift();
        if (next === undefined) return;
        const chunk = await next.read;
        if (chunk.length === 0) return;
        lent.push({ buffer: next.buffer, end: next.end });
        issue();
        yield chunk;
      }
    } finally {
      // Stopped early (abort, failure): reads still in flight use the descriptor.
      await Promise.allSettled(pending.map((p) => p.read));
      close(fd, () => {});
    }
  }
  return Object.assign(chunks(), { [DATASET_FLUSHED]: flushed });
}

function fromSource(source: Part10Source): ResolvedInstance {
  return {
    sopClassUid: source.meta.mediaStorageSopClassUid,
    sopInstanceUid: source.meta.mediaStorageSopInstanceUid,
    transferSyntax: source.meta.transferSyntaxUid,
    length: source.datasetLength,
    chunks: () => readRange(source.path, source.datasetOffset, source.datasetLength),
    load: async () => {
      const file = await readFile(source.path);
      return new Uint8Array(file.buffer, file.byteOffset + source.datasetOffset, source.datasetLength);
    },
  };
}

interface BatchState {
  index: number;
  count: number;
  batchBytesSent: number;
  batchTotalBytes: number;
}

/**
 * Stores one object on `association` (whose accepted contexts must include its SOP class; see
 * `storageContexts`). Resolves with Success or Warning; throws DimseFailureError on Failure,
 * NoPresentationContextError when no accepted syntax is usable, TranscodeError when converting
 * failed, and the association's errors (AssociationAbortedError…) when it went away.
 */
export async function storeInstance(
  association: Association,
  instance: StoreInstance | ResolvedInstance,
  options: StoreOptions = {},
): Promise<StoreResult> {
  const resolved = isResolved(instance) ? instance : await resolveInstance(instance);
  return await storeResolved(association, resolved, options, {
    index: 0,
    count: 1,
    batchBytesSent: 0,
    batchTotalBytes: resolved.length,
  });
}

/**
 * Stores several objects (a study) on one association, as many at once as the negotiated
 * asynchronous operations window allows (PS3.7 D.3.3.3), else one after the other. A failure of
 * one object does not stop the others; an association that went away fails the rest.
 */
export async function storeInstances(
  association: Association,
  instances: readonly (StoreInstance | ResolvedInstance)[],
  options: StoreOptions = {},
): Promise<StoreOutcome[]> {
  // Sizes first (a stat per file, no read), so the batch total is known before the first byte;
  // each estimate is replaced by the exact data set length once that instance is resolved.
  // Only progress needs the total; without a listener no file is looked at before its turn.
  const estimates = options.onProgress
    ? await Promise.all(instances.map((i) => estimateLength(i)))
    : instances.map(() => 0);
  const batch: BatchState = {
    index: 0,
    count: instances.length,
    batchBytesSent: 0,
    batchTotalBytes: estimates.reduce((n, e) => n + e, 0),
  };
  const width = Math.max(1, Math.min(association.capacity, 16, instances.length));
  // Instances are read at most `width` ahead of the one being sent: a study of 1000 files never
  // sits in memory at once, and the next file is read while the current one is on the wire.
  const resolving = new Map<number, Promise<ResolvedInstance>>();
  const ensure = (index: number): Promise<ResolvedInstance> | undefined => {
    if (index >= instances.length) return undefined;
    let p = resolving.get(index);
    if (p === undefined) {
      const instance = instances[index]!;
      p = (async () => {
        const r = isResolved(instance) ? instance : await resolveInstance(instance);
        batch.batchTotalBytes += r.length - estimates[index]!;
        return r;
      })();
      // Failures are reported by the worker that awaits it.
      p.catch(() => {});
      resolving.set(index, p);
    }
    return p;
  };
  const outcomes: StoreOutcome[] = new Array(instances.length);
  let next = 0;
  // Only an instance no worker has taken yet: a taken one has its read (and its buffer) already.
  const ensureLater = (index: number): void => {
    if (index >= next) ensure(index);
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      if (index >= instances.length) return;
      const pending = ensure(index)!;
      // The read-ahead of a later instance waits for the check phase: by then this one's PDUs
      // have left in the writev that ends the tick (dul/upper-layer.ts uncorks on nextTick), so
      // a small file's synchronous open + read overlaps the peer's turnaround instead of coming
      // before our write (with one request outstanding, about 35 µs per 100 KB object).
      setImmediate(ensureLater, index + width);
      try {
        const r = await pending;
        resolving.delete(index);
        const result = await storeResolved(association, r, options, { ...batch, index, sharedBatch: batch });
        outcomes[index] = { ok: true, index, result };
      } catch (err) {
        resolving.delete(index);
        outcomes[index] = { ok: false, index, error: err as Error };
      }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return outcomes;
}

async function estimateLength(instance: StoreInstance | ResolvedInstance): Promise<number> {
  if (typeof instance === 'string')
    return await stat(instance).then(
      (s) => s.size,
      () => 0,
    );
  if (isResolved(instance)) return instance.length;
  if ('dataset' in instance) return instance.dataset.length;
  return instance.datasetLength;
}

function isResolved(instance: StoreInstance | ResolvedInstance): instance is ResolvedInstance {
  return typeof instance === 'object' && 'chunks' in instance && 'load' in instance;
}

async function storeResolved(
  association: Association,
  instance: ResolvedInstance,
  options: StoreOptions,
  batch: BatchState & { sharedBatch?: BatchState },
): Promise<StoreResult> {
  const shared = batch.sharedBatch ?? batch;
  const plan = planTransfer(
    association.acceptedContexts,
    instance.sopClassUid,
    instance.transferSyntax,
    options,
  );
  if (plan === undefined) {
    const accepted = association.acceptedContexts
      .filter((c) => c.abstractSyntax === instance.sopClassUid)
      .map((c) => c.transferSyntax);
    const reason = transcodeRefusalReason(instance.transferSyntax, accepted, options);
    throw new NoPresentationContextError(
      instance.sopClassUid,
      `no accepted presentation context for SOP class ${instance.sopClassUid} in ${instance.transferSyntax} or a syntax it can be transcoded to: ${reason}`,
      { details: { transferSyntax: instance.transferSyntax } },
    );
  }
  let transferSyntax = plan.transferSyntax;
  let chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  let totalBytes = instance.length;
  if (plan.kind === 'asIs') {
    chunks = instance.chunks();
  } else {
    // A deflated data set is inflated once, here: both what follows walk the plain bytes.
    const source = inflatedForTranscoding(await instance.load(), instance.transferSyntax);
    transferSyntax = pickForContent(source.dataset, source.transferSyntax, plan);
    const parts = await transcodeDataset(source.dataset, source.transferSyntax, transferSyntax, options);
    totalBytes = parts.reduce((n, p) => n + p.length, 0);
    chunks = regroup(parts);
  }
  let bytesSent = 0;
  const report = (n: number): void => {
    bytesSent += n;
    shared.batchBytesSent += n;
    options.onProgress?.({
      sopInstanceUid: instance.sopInstanceUid,
      bytesSent,
      totalBytes,
      index: batch.index,
      count: batch.count,
      batchBytesSent: shared.batchBytesSent,
      batchTotalBytes: shared.batchTotalBytes,
    });
  };
  const dataset = options.onProgress ? withFlushed(counted(chunks, report), chunks) : chunks;
  const command = {
    commandField: COMMAND_FIELD['C-STORE-RQ'],
    affectedSopClassUid: instance.sopClassUid,
    affectedSopInstanceUid: instance.sopInstanceUid,
    priority: options.priority ?? PRIORITY.medium,
    ...(options.moveOriginator
      ? {
          moveOriginatorApplicationEntityTitle: options.moveOriginator.aeTitle,
          moveOriginatorMessageId: options.moveOriginator.messageId,
        }
      : {}),
  };
  const response = await association.send({
    abstractSyntax: instance.sopClassUid,
    transferSyntax,
    command,
    dataset,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  // send() threw on Failure. Cancel (FE00) and Pending are not C-STORE statuses (PS3.4 B.2.3):
  // an SCP that answers one did not store the instance, so it is a failure, never a success.
  if (response.statusClass === 'cancel' || response.statusClass === 'pending') {
    throw dimseFailureError(response.command);
  }
  const statusClass = response.statusClass === 'warning' ? 'warning' : 'success';
  if (!options.onProgress) bytesSent = totalBytes;
  return {
    sopClassUid: instance.sopClassUid,
    sopInstanceUid: instance.sopInstanceUid,
    status: response.status,
    statusClass,
    transferSyntax,
    transcoded: plan.kind === 'transcode',
    bytesSent,
    response,
  };
}

/**
 * A data set without Pixel Data gains nothing from a compressed syntax: prefer a native one
 * among the candidates when there is one.
 */
function pickForContent(
  dataset: Uint8Array,
  own: string,
  plan: Extract<TransferPlan, { kind: 'transcode' }>,
): string {
  let hasPixels = true;
  try {
    const { elements } = walkDataset(dataset, {
      ...(datasetEncoding(own) ?? EXPLICIT_LITTLE),
      stopBeforeTag: TAG.pixelData + 1,
    });
    hasPixels = elements.some((e) => e.tag === TAG.pixelData);
  } catch (err) {
    throw new TranscodeError('data set could not be read for transcoding', { cause: err });
  }
  if (hasPixels) return plan.transferSyntax;
  return plan.candidates.find(isNativeTransferSyntax) ?? plan.transferSyntax;
}

/** Many small header buffers become fewer, larger chunks; large values stay views. */
function* regroup(parts: readonly Uint8Array[]): Generator<Uint8Array> {
  for (const part of parts) {
    if (part.length <= MEMORY_CHUNK) yield part;
    else yield* slices(part);
  }
}

async function* counted(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  report: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    yield chunk;
    // Counted once the fragmenter asks for the next chunk: this one has been handed to the socket.
    report(chunk.length);
  }
}

/** Keeps a source's DATASET_FLUSHED hook on a wrapper of it. */
function withFlushed(
  wrapper: AsyncIterable<Uint8Array>,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  const flushed = (source as { [DATASET_FLUSHED]?: (bytes: number) => void })[DATASET_FLUSHED];
  return flushed === undefined ? wrapper : Object.assign(wrapper, { [DATASET_FLUSHED]: flushed });
}
