import { loadConfig, queueDirFor } from '@hnvue/facade';
import { DeliveryError, TransmissionQueue } from '@hnvue/queue';
import { logLevelOf, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';

export const QUEUE_HELP = `hnvue queue <status|list|retry> [options]
  The transmission queue (NFR-REL-01) of the configuration's queue.path, while no console holds it.
  status            counts per state and destination
  list              items (--state S, --limit N)
  retry ID...       re-queue FAILED items (fresh attempt budget); "retry --all-failed" for every one
  -c, --config FILE, --queue-dir DIR`;

export async function queueCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'status' && action !== 'list' && action !== 'retry') {
    throw new UsageError('queue needs an action: status, list or retry');
  }
  const parsed = parse(rest, {
    config: { type: 'string', short: 'c' },
    'queue-dir': { type: 'string' },
    state: { type: 'string' },
    limit: { type: 'string' },
    'all-failed': { type: 'boolean' },
    json: { type: 'boolean' },
    debug: { type: 'boolean', short: 'd' },
    verbose: { type: 'boolean', short: 'v' },
    'log-level': { type: 'string' },
  });
  let dir = stringOption(parsed.values, 'queue-dir');
  if (dir === undefined) {
    const file = stringOption(parsed.values, 'config');
    const config = loadConfig({
      ...(file ? { file } : {}),
      ...(file ? {} : { overrides: { local: { aeTitle: 'HNVUE' }, uid: { deviceSerial: '1' } } }),
    });
    dir = queueDirFor(config.queue.path);
  }
  const queue = await TransmissionQueue.open({
    dir,
    // Never started here: this process only reads and re-queues.
    sender: async () => {
      throw new DeliveryError('the CLI does not deliver', { retryable: true });
    },
    logger: ctx.logger(logLevelOf(parsed.values)),
  });
  try {
    if (action === 'status') {
      const counts = queue.counts();
      if (parsed.values.json) ctx.out(`${JSON.stringify(counts)}\n`);
      else {
        ctx.out(`total: ${fmt(counts.total)}\n`);
        for (const [d, c] of Object.entries(counts.byDestination)) ctx.out(`${d}: ${fmt(c)}\n`);
      }
    } else if (action === 'list') {
      const state = stringOption(parsed.values, 'state');
      const limit = stringOption(parsed.values, 'limit');
      const items = queue.list({
        ...(state ? { state: state as never } : {}),
        ...(limit ? { limit: Number(limit) } : {}),
      });
      if (parsed.values.json) ctx.out(`${JSON.stringify(items)}\n`);
      else
        for (const i of items)
          ctx.out(
            `${i.id}\t${i.state}\t${i.kind}\t${i.destination}\t${i.sopInstanceUid}\tattempts ${i.attemptCount}${i.lastErrorCode ? `\t${i.lastErrorCode}` : ''}\n`,
          );
    } else {
      const ids = parsed.values['all-failed']
        ? queue.list({ state: 'FAILED' }).map((i) => i.id)
        : parsed.positionals.map((p) => {
            const n = Number(p);
            if (!Number.isInteger(n)) throw new UsageError(`queue retry: expected item ids, got "${p}"`);
            return n;
          });
      if (ids.length === 0 && !parsed.values['all-failed'])
        throw new UsageError('queue retry needs item ids or --all-failed');
      for (const id of ids) queue.requeue(id);
      if (parsed.values.json) ctx.out(`${JSON.stringify({ requeued: ids })}\n`);
      else ctx.out(`${ids.length} item${ids.length === 1 ? '' : 's'} re-queued\n`);
    }
  } finally {
    await queue.close({ graceMs: 0 });
  }
  return EXIT_CODES.ok;
}

function fmt(c: Record<string, number>): string {
  return Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
