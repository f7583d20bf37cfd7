/**
 * Logging and tracing of associations: the node:diagnostics_channel channels and the per-message
 * DIMSE log. Payloads are PHI-free: peer, AE titles, context IDs, command labels, sizes and
 * statuses, never data set content (NFR-SEC-01).
 */
import { channel } from 'node:diagnostics_channel';
import { type Logger, silentLogger } from '@hnvue/core';
import type { DimseCommand } from '../dimse/command.js';
import { commandFieldLabel } from '../dimse/command-fields.js';

/** Tracing channels (node:diagnostics_channel); payloads are PHI-free. */
export const DIAGNOSTICS_CHANNELS: {
  readonly associationOpen: 'hnvue:net:association:open';
  readonly associationClose: 'hnvue:net:association:close';
  readonly dimseSent: 'hnvue:net:dimse:sent';
  readonly dimseReceived: 'hnvue:net:dimse:received';
} = {
  associationOpen: 'hnvue:net:association:open',
  associationClose: 'hnvue:net:association:close',
  dimseSent: 'hnvue:net:dimse:sent',
  dimseReceived: 'hnvue:net:dimse:received',
};

const openChannel = channel(DIAGNOSTICS_CHANNELS.associationOpen);
const closeChannel = channel(DIAGNOSTICS_CHANNELS.associationClose);
const sentChannel = channel(DIAGNOSTICS_CHANNELS.dimseSent);
const receivedChannel = channel(DIAGNOSTICS_CHANNELS.dimseReceived);

/**
 * Whether `logger` would emit `level`: false for no logger or silentLogger, pino's
 * isLevelEnabled() when present, true otherwise.
 */
export function levelEnabled(logger: Logger | undefined, level: 'debug' | 'trace'): boolean {
  if (logger === undefined || logger === silentLogger) return false;
  const probe = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return typeof probe === 'function' ? probe.call(logger, level) : true;
}

/** Publishes an established association (A-ASSOCIATE-AC sent or received). */
export function publishOpen(info: object): void {
  if (openChannel.hasSubscribers) openChannel.publish(info);
}

/** Publishes a closed transport, whatever the cause. */
export function publishClose(info: object): void {
  if (closeChannel.hasSubscribers) closeChannel.publish(info);
}

/** The `code` of an HnvError (or any error carrying one), for PHI-free logs. */
export function errorCode(error: Error | undefined): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

/** One line per DIMSE message, at debug, and the sent/received channels. */
export class DimseTrace {
  readonly #log: Logger;
  readonly #peer: string;
  /** False when the logger drops debug anyway: skips building and redacting log objects per message. */
  readonly #debug: boolean;

  constructor(log: Logger, peer: string, debug: boolean) {
    this.#log = log;
    this.#peer = peer;
    this.#debug = debug;
  }

  message(
    direction: 'sent' | 'received',
    command: DimseCommand,
    contextId: number,
    commandBytes: number,
    datasetBytes: number,
  ): void {
    const ch = direction === 'sent' ? sentChannel : receivedChannel;
    if (!this.#debug && !ch.hasSubscribers) return;
    const info = {
      direction,
      command: commandFieldLabel(command.commandField),
      messageId: command.messageId ?? command.messageIdBeingRespondedTo,
      status: command.status,
      contextId,
      commandBytes,
      datasetBytes,
    };
    if (this.#debug) this.#log.debug(info, `DIMSE ${direction}`);
    if (ch.hasSubscribers) ch.publish({ peer: this.#peer, ...info });
  }
}
