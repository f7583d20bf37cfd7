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
// Exit code via process.exitCode, so pending stdout writes are flushed before Node exits.
process.exitCode = await main(process.argv.slice(2), processContext(controller.signal));
