import { processContext } from './context.js';
import { main } from './main.js';

// SIGINT/SIGTERM abort long-running commands (simulate, store) so they stop gracefully; a second
// signal ends the process at once.
const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  });
}
const code = await main(process.argv.slice(2), processContext(controller.signal));
// The command is over: exit now, once stdout and stderr are flushed, rather than when the last
// socket or timer lets go (an aborted association's socket lingered 4 s after a -ta 2 timeout).
await Promise.all(
  [process.stdout, process.stderr].map(
    (stream) => new Promise<void>((resolve) => stream.write('', () => resolve())),
  ),
);
process.exit(code);
