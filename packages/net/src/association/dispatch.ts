/**
 * Hands one incoming request to the association's single handler (an intervention, STYLE.md) and
 * sends its replies: one, or several (Pending … final, PS3.7 9.1.2.1.6). A handler that throws
 * is answered 0110 Processing failure (PS3.7 C.4); without a handler, C-ECHO succeeds and anything
 * else is refused as an unrecognized operation (PS3.7 C.5).
 */
import type { Logger } from '@hnvue/core';
import type { NegotiatedContext } from '../acse/negotiate.js';
import { responseTo } from '../dimse/builders.js';
import type { DimseCommand } from '../dimse/command.js';
import { COMMAND_FIELD, commandFieldLabel, responseFieldFor } from '../dimse/command-fields.js';
import { STATUS } from '../dimse/status.js';
import type { Association } from './association.js';
import type { ChunkStream } from './dataset-stream.js';
import type { DatasetSource, DimseReply, IncomingRequest, RequestHandler } from './types.js';

/** What dispatching needs from the provider. */
export interface DispatchHost {
  readonly association: Association;
  readonly log: Logger;
  /** The C-CANCEL-RQ targets of requests being handled, by Message ID (PS3.7 9.3.2.3). */
  readonly incomingRequests: Map<number, AbortController>;
  handler(): RequestHandler | undefined;
  send(contextId: number, command: DimseCommand, dataset: DatasetSource | undefined): Promise<void>;
}

export async function dispatchRequest(
  host: DispatchHost,
  command: DimseCommand,
  context: NegotiatedContext,
  stream: ChunkStream | undefined,
): Promise<void> {
  const association = host.association;
  const messageId = command.messageId ?? 0;
  const controller = new AbortController();
  host.incomingRequests.set(messageId, controller);
  const responseField = responseFieldFor(command.commandField);
  const reply = async (r: DimseReply) => {
    if (responseField === undefined) return;
    // The response follows the whole request (PS3.7 9.1): drain what the handler left unread.
    if (stream) await stream.finish();
    const response = responseTo(
      command,
      r.status,
      Object.assign({}, r.command, { hasDataset: r.dataset !== undefined }),
    );
    await host.send(context.id, response, r.dataset);
  };
  const handler = host.handler() ?? defaultHandler;
  try {
    const result = await handler({
      command,
      contextId: context.id,
      abstractSyntax: context.abstractSyntax,
      transferSyntax: context.transferSyntax,
      dataset: stream,
      signal: controller.signal,
      association,
    });
    if (isIterable(result)) {
      for await (const r of result as AsyncIterable<DimseReply>) {
        if (!association.usable) break;
        await reply(r);
      }
    } else {
      await reply(result as DimseReply);
    }
  } catch (err) {
    if (association.usable) {
      host.log.error(
        { command: commandFieldLabel(command.commandField), messageId, err: (err as Error)?.message },
        'request handler failed',
      );
      // PS3.7 C.4: 0110 Processing failure.
      await reply({ status: STATUS.processingFailure }).catch(() => {});
    }
  } finally {
    host.incomingRequests.delete(messageId);
    stream?.discard();
  }
}

/** Without a handler: C-ECHO succeeds, anything else is an unrecognized operation (PS3.7 C.5). */
function defaultHandler(request: IncomingRequest): DimseReply {
  if (request.command.commandField === COMMAND_FIELD['C-ECHO-RQ']) return { status: STATUS.success };
  return { status: STATUS.unrecognizedOperation };
}

function isIterable(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (Symbol.asyncIterator in value || (Symbol.iterator in value && !(value instanceof Uint8Array)))
  );
}
