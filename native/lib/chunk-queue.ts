/**
 * The queues of the native PDU framers (lib/framer.ts): the chunks received from a peer, and
 * what has been framed but not yet returned. Pure bookkeeping: no addon, no I/O.
 */

/**
 * Received chunks as pushed (never written to), read from `offset` in the head chunk; consumed
 * chunks are dropped in batches, amortized O(1) per chunk.
 */
export class ChunkQueue {
  chunks: Uint8Array[] = [];
  head = 0;
  /** Where reading resumes in the head chunk. */
  offset = 0;
  /** Bytes pushed and not yet consumed; the owner says what consumed means and subtracts. */
  buffered = 0;

  /** Appends a chunk; an empty one is ignored. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The head chunk, or undefined when every chunk is consumed. */
  first(): Uint8Array | undefined {
    return this.chunks[this.head];
  }

  /** `n` more bytes of the head chunk `chunk` are read; past its end, the next chunk is the head. */
  advance(chunk: Uint8Array, n: number): void {
    this.offset += n;
    if (this.offset < chunk.length) return;
    this.nextChunk();
  }

  /** The head chunk is consumed. */
  nextChunk(): void {
    this.offset = 0;
    this.head++;
    if (this.head >= this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.offset = 0;
    this.buffered = 0;
  }
}

/** First in, first out, without Array.shift's O(n): emptied, it starts over. */
export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined {
    const item = this.#items[this.#head];
    if (item === undefined) return undefined;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
