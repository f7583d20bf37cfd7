/**
 * DIMSE message assembly from received PDVs (PS3.7 Annex E, PS3.8 9.3.5 and Annex E).
 *
 * A message is its command PDVs (bit 0 of the message control header set), the last one with
 * bit 1 set, then — when Command Data Set Type (0000,0800) is not 0101H — its data set PDVs, the
 * last one with bit 1 set, all on one presentation context. Messages are never interleaved.
 *
 * Design (back-pressure): the assembler is synchronous and pure. `push(pdv)` returns at most one
 * event per PDV, so the driver stays in charge of flow: it hands the event to its consumer and,
 * when that consumer is slow (a write stream returned false, a queue is full), it pauses the
 * socket and stops feeding PDVs until the consumer drains. Nothing queues inside the assembler.
 * Command fragments are collected (capped by `maxCommandLength`) and joined once; data set
 * bytes are never accumulated: each data set PDV becomes one `dataset-chunk` event carrying the
 * PDV's own bytes, not a copy. A chunk stays valid as long as the PDU decoder does not reuse the
 * memory behind it; a consumer that keeps chunks past its callback must copy them.
 */
import type { Pdv } from '../pdu/types.js';
import { type DimseCommand, decodeCommand } from './command.js';
import { commandFieldLabel } from './command-fields.js';
import { DimseProtocolError } from './errors.js';

export interface DimseCommandEvent {
  readonly kind: 'command';
  readonly contextId: number;
  readonly command: DimseCommand;
  /** True when data set PDVs follow on the same presentation context. */
  readonly hasDataset: boolean;
}

export interface DimseDatasetChunkEvent {
  readonly kind: 'dataset-chunk';
  readonly contextId: number;
  /** The PDV value as received (may be empty; odd lengths are accepted, fo-dicom #284). */
  readonly chunk: Uint8Array;
  /** True on the chunk that ends the message. */
  readonly isLast: boolean;
}

export type DimseEvent = DimseCommandEvent | DimseDatasetChunkEvent;

export interface DimseAssemblerOptions {
  /**
   * Cap on one command set's bytes across its PDVs. Command sets are a few hundred bytes; a
   * peer that sends more is broken or hostile, and this bounds what we hold. Default 64 KiB.
   */
  readonly maxCommandLength?: number;
}

export const DEFAULT_MAX_COMMAND_LENGTH: number = 64 * 1024;

type Phase =
  | { readonly kind: 'idle'; readonly lastCommandHadNoDataset: boolean }
  | { readonly kind: 'command'; readonly contextId: number; readonly fragments: Uint8Array[]; length: number }
  | { readonly kind: 'dataset'; readonly contextId: number; readonly commandField: number };

export class DimseAssembler {
  readonly #maxCommandLength: number;
  #phase: Phase = { kind: 'idle', lastCommandHadNoDataset: false };

  constructor(options: DimseAssemblerOptions = {}) {
    this.#maxCommandLength = options.maxCommandLength ?? DEFAULT_MAX_COMMAND_LENGTH;
  }

  /** True between the first PDV of a message and its last one. */
  get inMessage(): boolean {
    return this.#phase.kind !== 'idle';
  }

  /**
   * Feeds one PDV. Returns the event it completes, if any. Throws DimseProtocolError for a PDV
   * that breaks message structure and DimseDecodeError for a malformed command set; after either,
   * the association must be aborted (the assembler's state is no longer meaningful).
   */
  push(pdv: Pdv): DimseEvent | undefined {
    const phase = this.#phase;
    switch (phase.kind) {
      case 'idle': {
        if (!pdv.isCommand) {
          throw phase.lastCommandHadNoDataset
            ? new DimseProtocolError(
                'unexpected-dataset',
                'data set PDV after a command whose Command Data Set Type says no data set follows',
                { details: { contextId: pdv.contextId } },
              )
            : new DimseProtocolError(
                'dataset-before-command',
                'data set PDV received before any command PDV',
                {
                  details: { contextId: pdv.contextId },
                },
              );
        }
        this.#phase = { kind: 'command', contextId: pdv.contextId, fragments: [], length: 0 };
        return this.#commandFragment(pdv);
      }
      case 'command':
        if (!pdv.isCommand) {
          throw new DimseProtocolError(
            'dataset-before-command',
            'data set PDV received before the last command PDV',
            {
              details: { contextId: pdv.contextId },
            },
          );
        }
        if (pdv.contextId !== phase.contextId) throw contextChanged(phase.contextId, pdv.contextId);
        return this.#commandFragment(pdv);
      case 'dataset':
        if (pdv.isCommand) {
          throw new DimseProtocolError(
            'command-during-dataset',
            `command PDV received in the middle of the data set of a ${commandFieldLabel(phase.commandField)}`,
            { details: { contextId: pdv.contextId } },
          );
        }
        if (pdv.contextId !== phase.contextId) throw contextChanged(phase.contextId, pdv.contextId);
        if (pdv.isLast) this.#phase = { kind: 'idle', lastCommandHadNoDataset: false };
        return { kind: 'dataset-chunk', contextId: pdv.contextId, chunk: pdv.data, isLast: pdv.isLast };
      default: {
        const exhaustive: never = phase;
        return exhaustive;
      }
    }
  }

  /**
   * Call when the PDV stream ends (association released or aborted). Throws DimseProtocolError
   * when a message was cut off, so a half-received data set is never taken for a whole one.
   */
  end(): void {
    if (this.#phase.kind !== 'idle') {
      const where = this.#phase.kind === 'command' ? 'its command set' : 'its data set';
      this.#phase = { kind: 'idle', lastCommandHadNoDataset: false };
      throw new DimseProtocolError('stream-ended-mid-message', `PDV stream ended in the middle of ${where}`);
    }
  }

  #commandFragment(pdv: Pdv): DimseEvent | undefined {
    const phase = this.#phase;
    if (phase.kind !== 'command') throw new Error('unreachable: not collecting a command');
    phase.length += pdv.data.length;
    if (phase.length > this.#maxCommandLength) {
      throw new DimseProtocolError(
        'command-too-large',
        `command set exceeds ${this.#maxCommandLength} bytes across its PDVs`,
        { details: { contextId: phase.contextId, limit: this.#maxCommandLength } },
      );
    }
    phase.fragments.push(pdv.data);
    if (!pdv.isLast) return undefined;

    const bytes = phase.fragments.length === 1 ? pdv.data : joinFragments(phase.fragments, phase.length);
    const command = decodeCommand(bytes);
    this.#phase = command.hasDataset
      ? { kind: 'dataset', contextId: phase.contextId, commandField: command.commandField }
      : { kind: 'idle', lastCommandHadNoDataset: true };
    return { kind: 'command', contextId: phase.contextId, command, hasDataset: command.hasDataset };
  }
}

function joinFragments(fragments: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const f of fragments) {
    out.set(f, offset);
    offset += f.length;
  }
  return out;
}

function contextChanged(expected: number, got: number): DimseProtocolError {
  return new DimseProtocolError(
    'context-changed',
    `PDV on presentation context ${got} inside a message on presentation context ${expected}`,
    { details: { expected, got } },
  );
}
