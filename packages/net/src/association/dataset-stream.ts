/**
 * The data set of one incoming request, handed to its handler as it arrives (PS3.7 9.1: a request
 * and its data set arrive as one message, whose P-DATA-TF PDUs may be many). Reading slowly pauses
 * the socket: the back-pressure that keeps a slow handler from buffering a whole image.
 */
import { ProtocolError } from '../errors.js';

/** Incoming data set bytes queued for a slow handler before the socket is paused. */
const DATASET_HIGH_WATER = 4 * 1024 * 1024;

/**
 * The incoming data set of one request as an AsyncIterable of chunks. Above the high-water mark
 * the socket is paused until the handler reads; `discard()` drops the rest without buffering.
 */
export class ChunkStream implements AsyncIterable<Uint8Array> {
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #error: Error | undefined;
  #discarding = false;
  #wake: (() => void) | undefined;
  #iterating = false;
  readonly #pause: () => void;
  readonly #resume: () => void;

  constructor(pause: () => void, resume: () => void) {
    this.#pause = pause;
    this.#resume = resume;
  }

  push(chunk: Uint8Array): void {
    if (this.#discarding) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered > DATASET_HIGH_WATER) this.#pause();
    this.#wakeUp();
  }

  end(): void {
    this.#ended = true;
    this.#wakeUp();
    this.#notifyEnd();
  }

  fail(error: Error): void {
    this.#error ??= error;
    this.#wakeUp();
    this.#notifyEnd();
  }

  #notifyEnd(): void {
    const waiters = this.#endWaiters;
    this.#endWaiters = undefined;
    waiters?.();
  }

  /** Resolves once the last chunk arrived (or the stream failed); unread chunks are dropped. */
  async finish(): Promise<void> {
    if (!this.#iterating) this.discard();
    while (!this.#ended && !this.#error) {
      await new Promise<void>((resolve) => {
        const previous = this.#endWaiters;
        this.#endWaiters = () => {
          previous?.();
          resolve();
        };
      });
    }
  }

  #endWaiters: (() => void) | undefined;

  /** The handler is done: drop what is queued and whatever still arrives. */
  discard(): void {
    this.#discarding = true;
    this.#chunks = [];
    this.#buffered = 0;
    this.#resume();
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    if (this.#iterating) throw new ProtocolError('a request data set can be read only once');
    this.#iterating = true;
    try {
      for (;;) {
        const chunk = this.#chunks.shift();
        if (chunk !== undefined) {
          this.#buffered -= chunk.length;
          if (this.#buffered <= DATASET_HIGH_WATER / 2) this.#resume();
          yield chunk;
          continue;
        }
        if (this.#error) throw this.#error;
        if (this.#ended || this.#discarding) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      this.discard();
    }
  }
}

/** One buffer for a response's data set (no copy when it came in one PDV). */
export function joinChunks(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
