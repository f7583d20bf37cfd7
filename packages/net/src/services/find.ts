/**
 * The C-FIND SCU loop (PS3.7 9.1.2, 9.3.2) that the worklist query (PS3.4 K) and the Q/R query
 * (PS3.4 C) share: send the identifier, decode each Pending response's identifier in the
 * character set it declares (or the fallback: the query's, fo-dicom #659), stop after `limit`
 * matches or when `signal` aborts (C-CANCEL, PS3.7 9.3.2.3; the association stays usable), and
 * throw DimseFailureError on a Failure final status. Success, Warning and Cancel end the loop.
 */
import {
  type CharacterSet,
  type DatasetProblem,
  DEFAULT_CHARACTER_SET,
  decodeDataset,
  encodeDataset,
  type NaturalDataset,
  parseCharacterSet,
} from '@hnvue/dicom';
import type { Association } from '../association.js';
import { COMMAND_FIELD, dimseFailureError, PRIORITY } from '../dimse/index.js';
import { CancelledError } from '../errors.js';

export interface CFindOptions {
  /** C-CANCEL (PS3.7 9.3.2.3); the iteration ends without an error. */
  readonly signal?: AbortSignal;
  /** At most this many matches; then C-CANCEL, and the association stays usable. */
  readonly limit?: number;
  /** DIMSE timeout for each response (default: the association's). */
  readonly timeoutMs?: number;
  /** For responses without Specific Character Set. Default: the query's, else ISO_IR 6. */
  readonly fallbackCharacterSet?: string | readonly string[];
  /** 'flag' (default): undecodable text is flagged in `problems`; 'throw': CharsetError ends the query. */
  readonly charsetErrors?: 'flag' | 'throw';
  /** Priority (0000,0700); medium by default. */
  readonly priority?: number;
}

/** One Pending response's identifier, decoded. */
export interface CFindMatch {
  readonly dataset: NaturalDataset;
  /** The identifier as received (a copy: it does not pin the PDU). */
  readonly bytes: Uint8Array;
  readonly transferSyntax: string;
  /** FF00 or FF01. */
  readonly status: number;
  readonly characterSet: CharacterSet;
  /** Text values the character set could not decode (kept as Latin-1): flagged, not dropped. */
  readonly problems: readonly DatasetProblem[];
}

/** Sends a C-FIND for `sopClass` (its context must be accepted) and yields the matches as they arrive. */
export async function* cFind(
  association: Association,
  sopClass: string,
  identifier: NaturalDataset,
  options: CFindOptions = {},
): AsyncGenerator<CFindMatch, void, undefined> {
  const { transferSyntax } = association.contextFor(sopClass);
  const queryCharset =
    identifier.SpecificCharacterSet === undefined
      ? DEFAULT_CHARACTER_SET
      : parseCharacterSet(identifier.SpecificCharacterSet as string | string[]);
  const fallback =
    options.fallbackCharacterSet === undefined
      ? queryCharset
      : parseCharacterSet(options.fallbackCharacterSet);
  const bytes = encodeDataset(identifier, { transferSyntax });
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return;
  let count = 0;
  try {
    for await (const response of association.request({
      abstractSyntax: sopClass,
      command: {
        commandField: COMMAND_FIELD['C-FIND-RQ'],
        affectedSopClassUid: sopClass,
        priority: options.priority ?? PRIORITY.medium,
      },
      dataset: bytes,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    })) {
      if (response.statusClass === 'pending') {
        if (options.signal?.aborted || response.dataset === undefined) continue;
        const decoded = decodeDataset(response.dataset, {
          transferSyntax: response.transferSyntax,
          fallbackCharacterSet: fallback,
          charsetErrors: options.charsetErrors ?? 'flag',
          // The caller may keep the data set: its binary values get buffers of their own, not
          // views that pin the received PDU.
          copyBulk: true,
        });
        yield {
          dataset: decoded.dataset,
          // new Uint8Array(view) copies; a Buffer's slice() would be another view of the PDU.
          bytes: new Uint8Array(response.dataset),
          transferSyntax: response.transferSyntax,
          status: response.status,
          characterSet: decoded.characterSet,
          problems: decoded.problems,
        };
        count++;
        // Returning runs the request's cleanup: C-CANCEL, then the rest is drained.
        if (count >= limit) return;
        continue;
      }
      if (response.statusClass === 'failure') throw dimseFailureError(response.command);
    }
  } catch (err) {
    if (err instanceof CancelledError && options.signal?.aborted) return;
    throw err;
  }
}
