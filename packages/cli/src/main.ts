/**
 * The `hnvue` command line. `main(argv)` runs one command and returns its exit code (see
 * EXIT_CODES); errors end as one line `hnvue: CODE: message (hint: …)` on stderr.
 */
import { type CliContext, processContext } from './context.js';
import { formatError, UsageError } from './errors.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { cliVersion } from './version.js';

type Command = (argv: readonly string[], ctx: CliContext) => Promise<number>;
interface CommandModule {
  readonly run: Command;
  readonly help: string;
}

// Loaded on demand: `render` need not load the network stack, `echo` not the image builders,
// which keeps start-up short for scripts calling the CLI in a loop.
const COMMANDS: Readonly<Record<string, () => Promise<CommandModule>>> = {
  echo: async () => {
    const m = await import('./commands/echo.js');
    return { run: m.echoCommand, help: m.ECHO_HELP };
  },
  worklist: async () => {
    const m = await import('./commands/worklist.js');
    return { run: m.worklistCommand, help: m.WORKLIST_HELP };
  },
  store: async () => {
    const m = await import('./commands/store.js');
    return { run: m.storeCommand, help: m.STORE_HELP };
  },
  query: async () => {
    const m = await import('./commands/query.js');
    return { run: m.queryCommand, help: m.QUERY_HELP };
  },
  retrieve: async () => {
    const m = await import('./commands/retrieve.js');
    return { run: m.retrieveCommand, help: m.RETRIEVE_HELP };
  },
  commit: async () => {
    const m = await import('./commands/commit.js');
    return { run: m.commitCommand, help: m.COMMIT_HELP };
  },
  mpps: async () => {
    const m = await import('./commands/mpps.js');
    return { run: m.mppsCommand, help: m.MPPS_HELP };
  },
  print: async () => {
    const m = await import('./commands/print.js');
    return { run: m.printCommand, help: m.PRINT_HELP };
  },
  queue: async () => {
    const m = await import('./commands/queue.js');
    return { run: m.queueCommand, help: m.QUEUE_HELP };
  },
  render: async () => {
    const m = await import('./commands/render.js');
    return { run: m.renderCommand, help: m.RENDER_HELP };
  },
  simulate: async () => {
    const m = await import('./commands/simulate.js');
    return { run: m.simulateCommand, help: m.SIMULATE_HELP };
  },
  doctor: async () => {
    const m = await import('./commands/doctor.js');
    return { run: m.doctorCommand, help: m.DOCTOR_HELP };
  },
  demo: async () => {
    const m = await import('./commands/demo.js');
    return { run: m.demoCommand, help: m.DEMO_HELP };
  },
};

export const COMMON_HELP = `Connection options (DCMTK spellings accepted):
  -c, --config FILE       DicomServiceOptions JSON file (see @hnvue/facade README)
  --aet, -aet AE          calling AE title (local.aeTitle; default HNVUE without --config)
  --aec, -aec AE          called AE title (default ANY-SCP for a host/port given here)
  host port               the peer, overriding the configured destination
  --timeout, -to S        connect timeout (seconds); --acse-timeout/-ta S; --dimse-timeout/-td S
  --max-pdu, -pdu N       largest PDU we receive
  --tls                   TLS (with the configured or given files); +tls KEY CERT; --tls-key, --tls-cert
  --tls-ca, +cf FILE      trusted CA (repeatable); --no-verify, -ic: skip server verification
  -d, --debug / -v, --verbose / --log-level L   JSON log lines on stderr (PHI-free)
  --json                  machine-readable output on stdout
Exit codes: 0 ok, 1 internal, 2 usage, 3 config, 4 network/TLS/timeout, 5 association rejected,
  6 DIMSE failure status, 7 partial failure, 8 input file`;

export function usage(): string {
  return `hnvue <command> [options]

Commands: ${Object.keys(COMMANDS).join(', ')}
\`hnvue help <command>\` for one command.

${COMMON_HELP}
`;
}

/** Runs one command; resolves with the process exit code. */
export async function main(argv: readonly string[], ctx?: CliContext): Promise<number> {
  const controller = new AbortController();
  const context = ctx ?? processContext(controller.signal);
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      const load = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
      context.out(load ? `${(await load()).help}\n\n${COMMON_HELP}\n` : usage());
      return EXIT_CODES.ok;
    }
    if (name === '--version') {
      context.out(`hnvue ${cliVersion()}\n`);
      return EXIT_CODES.ok;
    }
    const load = COMMANDS[name];
    if (load === undefined) throw new UsageError(`unknown command "${name}"`);
    const command = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      context.out(`${command.help}\n\n${COMMON_HELP}\n`);
      return EXIT_CODES.ok;
    }
    return await command.run(rest, context);
  } catch (err) {
    context.err(`${formatError(err)}\n`);
    return exitCodeFor(err);
  }
}
