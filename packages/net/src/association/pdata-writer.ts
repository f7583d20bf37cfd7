/**
 * Puts DIMSE messages on the upper layer as P-DATA-TF PDUs (PS3.8 9.3.5, PS3.7 Annex E): the
 * command set, then the data set, each cut to the peer's maximum PDU length, one message after
 * the other (the send chain: PS3.8 Annex E, messages are not interleaved).
 */
import { Socket } from 'node:net';
import type { Negotiated } from '../acse/negotiate.js';
import type { DicomSocket } from '../connector.js';
import { type DimseCommand, encodeCommand, encodeCommandWithHeadroom } from '../dimse/command.js';
import {
  commandFitsOnePdu,
  DATASET_FLUSHED,
  fragmentCommand,
  fragmentMessage,
  type MarkedPdu,
  PDU_DATASET_END,
} from '../dimse/fragment.js';
import type { UpperLayer } from '../dul/upper-layer.js';
import { AssociationClosedError, CancelledError, NetTimeoutError } from '../errors.js';
import { PDATA_SINGLE_PDV_HEADER_LENGTH, writeSinglePdvHeader } from '../pdu/pdata.js';
import type { Association } from './association.js';
import type { DimseTrace } from './diagnostics.js';
import { awaitDrain } from './timers.js';
import type { AssociationTimeouts, DatasetSource, FramingOptions } from './types.js';

const RESOLVED: Promise<void> = Promise.resolve();

/** What the writer needs from its association. */
export interface WriterHost {
  readonly dul: UpperLayer;
  readonly socket: DicomSocket;
  readonly framing: FramingOptions;
  readonly trace: DimseTrace;
  readonly association: Association;
  readonly peer: string;
  readonly timeouts: Required<AssociationTimeouts>;
  negotiated(): Negotiated | undefined;
  closeError(): Error | undefined;
}

export class PDataWriter {
  readonly #dul: UpperLayer;
  readonly #socket: DicomSocket;
  readonly #framing: FramingOptions;
  readonly #trace: DimseTrace;
  readonly #host: WriterHost;
  #sendChain: Promise<void> = RESOLVED;
  /** Messages queued on or being written through `#sendChain`; 0 allows the synchronous path. */
  #sendQueued = 0;
  #sendingMessageId: number | undefined;

  constructor(host: WriterHost) {
    this.#host = host;
    this.#dul = host.dul;
    this.#socket = host.socket;
    this.#framing = host.framing;
    this.#trace = host.trace;
  }

  /** The Message ID of the request being written, if one is. */
  get sendingMessageId(): number | undefined {
    return this.#sendingMessageId;
  }

  /** Resolves once every message queued so far has been written (or failed). */
  idle(): Promise<void> {
    return this.#sendChain;
  }

  /**
   * Writes one DIMSE message, serialised with the others (PS3.8 Annex E: messages are not
   * interleaved). `cancelled()` is asked once more right before the message goes on the wire.
   */
  send(
    contextId: number,
    command: DimseCommand,
    dataset?: DatasetSource,
    messageId?: number,
    cancelled?: () => boolean,
  ): Promise<void> {
    const host = this.#host;
    if (this.#sendQueued === 0 && dataset === undefined) {
      // Nothing is being written: a command-only message (C-ECHO, a response, C-CANCEL) goes out
      // synchronously, so it cannot interleave with another message (PS3.8 Annex E), without the
      // promise hops of the chain on the per-message hot path.
      let rest: (() => Promise<void>) | undefined;
      try {
        if (host.dul.isClosed) throw host.closeError() ?? new AssociationClosedError();
        if (cancelled?.()) throw new CancelledError();
        rest = this.#commandMessage(contextId, command, this.#peerMaxPduLength());
      } catch (err) {
        return Promise.reject(err);
      }
      if (rest === undefined) return RESOLVED;
      // The socket asked to wait for 'drain': later messages queue behind this one.
      const finish = rest;
      return this.#enqueue(async () => {
        this.#sendingMessageId = messageId;
        try {
          await finish();
        } finally {
          this.#sendingMessageId = undefined;
        }
      }, false);
    }
    return this.#enqueue(async () => {
      if (host.dul.isClosed) throw host.closeError() ?? new AssociationClosedError();
      // Cancelled while queued behind another message: never put it on the wire.
      if (cancelled?.()) throw new CancelledError();
      this.#sendingMessageId = messageId;
      try {
        await this.#message(contextId, command, dataset, this.#peerMaxPduLength());
      } finally {
        this.#sendingMessageId = undefined;
      }
    }, true);
  }

  #enqueue(write: () => Promise<void>, afterChain: boolean): Promise<void> {
    this.#sendQueued++;
    const done = () => {
      this.#sendQueued--;
    };
    const run = (afterChain ? this.#sendChain.then(write) : write()).finally(done);
    this.#sendChain = run.catch(() => {});
    return run;
  }

  /** Waits for 'drain', bounded by the DIMSE timeout; on expiry the association is aborted. */
  #awaitDrain(drained: Promise<void>): Promise<void> {
    const { association, peer, timeouts } = this.#host;
    return awaitDrain(drained, timeouts.dimseMs, () => {
      const error = new NetTimeoutError('dimse', timeouts.dimseMs, {
        details: { peer, waitingFor: 'drain' },
      });
      association.abort(error);
      return error;
    });
  }

  #peerMaxPduLength(): number {
    return this.#host.negotiated()?.peerMaxPduLength ?? 0;
  }

  /**
   * Writes a message without a data set now. Returns undefined when it is all on the socket, or
   * the rest of the work when the socket asked to wait for 'drain' (back-pressure).
   */
  #commandMessage(
    contextId: number,
    command: DimseCommand,
    peerMaxPduLength: number,
  ): (() => Promise<void>) | undefined {
    // The command set is encoded behind room for its PDU header: one buffer, one socket write.
    const pdu = encodeCommandWithHeadroom(command, PDATA_SINGLE_PDV_HEADER_LENGTH);
    const commandLength = pdu.length - PDATA_SINGLE_PDV_HEADER_LENGTH;
    if (commandFitsOnePdu(commandLength, peerMaxPduLength)) {
      writeSinglePdvHeader(pdu, contextId, true, true, commandLength);
      const drained = this.#dul.sendPData([pdu]);
      this.#trace.message('sent', command, contextId, commandLength, 0);
      return drained === undefined ? undefined : () => this.#awaitDrain(drained);
    }
    const commandBytes = pdu.subarray(PDATA_SINGLE_PDV_HEADER_LENGTH);
    const pdus = fragmentCommand({
      contextId,
      command: commandBytes,
      peerMaxPduLength,
      maxPdvsPerPdu: this.#framing.maxPdvsPerPdu,
    });
    for (let i = 0; i < pdus.length; i++) {
      const drained = this.#dul.sendPData(pdus[i]!);
      if (drained === undefined) continue;
      // Only with a tiny peer maximum does a command set take several PDUs.
      const rest = pdus.slice(i + 1);
      return async () => {
        await this.#awaitDrain(drained);
        for (const pdu of rest) {
          const d = this.#dul.sendPData(pdu);
          if (d) await this.#awaitDrain(d);
        }
        this.#trace.message('sent', command, contextId, commandBytes.length, 0);
      };
    }
    this.#trace.message('sent', command, contextId, commandBytes.length, 0);
    return undefined;
  }

  /** Writes a message with or without a data set, waiting for 'drain' between PDUs. */
  async #message(
    contextId: number,
    command: DimseCommand,
    dataset: DatasetSource | undefined,
    peerMaxPduLength: number,
  ): Promise<void> {
    const commandBytes = encodeCommand(command);
    if (dataset === undefined) {
      // Command-only messages (C-ECHO, responses without data): the synchronous fragmenter.
      for (const pdu of fragmentCommand({
        contextId,
        command: commandBytes,
        peerMaxPduLength,
        maxPdvsPerPdu: this.#framing.maxPdvsPerPdu,
      })) {
        const drained = this.#dul.sendPData(pdu);
        if (drained) await this.#awaitDrain(drained);
      }
      this.#trace.message('sent', command, contextId, commandBytes.length, 0);
      return;
    }
    const flushed = this.#flushedHook(dataset);
    let datasetLength = 0;
    for await (const pdu of fragmentMessage({
      contextId,
      command: commandBytes,
      dataset: dataset instanceof Uint8Array ? [dataset] : dataset,
      peerMaxPduLength,
      maxPdvsPerPdu: this.#framing.maxPdvsPerPdu,
      separateCommandAndData: this.#framing.separateCommandAndData,
    }) as AsyncGenerator<MarkedPdu>) {
      const end = pdu[PDU_DATASET_END];
      if (end !== undefined) datasetLength = end;
      const drained = this.#dul.sendPData(
        pdu,
        flushed === undefined || end === undefined ? undefined : () => flushed(end),
      );
      if (drained) await this.#awaitDrain(drained);
    }
    this.#trace.message('sent', command, contextId, commandBytes.length, datasetLength);
  }

  /**
   * The DATASET_FLUSHED hook of a source that reuses its buffers (dimse/fragment.ts): it learns
   * how many of its bytes the socket has written, so it may refill them. Only over a kernel socket
   * (TCP, or TLS over one): there a written buffer has been copied. An in-process Duplex (a test's
   * stream pair) may hand the very buffer to its reader, so the hook is withheld.
   */
  #flushedHook(dataset: DatasetSource): ((bytes: number) => void) | undefined {
    if (!(this.#socket instanceof Socket)) return undefined;
    return (dataset as { [DATASET_FLUSHED]?: (bytes: number) => void })[DATASET_FLUSHED];
  }
}
