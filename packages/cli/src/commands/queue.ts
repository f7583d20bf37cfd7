import { isHnvError } from '@hnvue/core';
import { loadConfig, queueDirFor } from '@hnvue/facade';
import {
  DeliveryError,
  type InspectedItem,
  inspectQueue,
  QUEUE_ERROR_CODES,
  QUEUE_STATES,
  QueueError,
  type QueueState,
  queueExists,
  sendQueueRequest,
  TransmissionQueue,
} from '@hnvue/queue';
import { logLevelOf, type Parsed, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';

const SNAPSHOT_LIMITS = '1000 oldest items not DONE and 100 newest DONE';

export const QUEUE_HELP: string = `hnvue queue <status|list|retry> [options]
  The transmission queue (NFR-REL-01) of the configuration's queue.path.
  status            counts per state and destination (read-only; works while the console runs)
  list              items (--state ${QUEUE_STATES.join('|')}, any case; --limit N) (read-only;
                    while the console runs: its ${SNAPSHOT_LIMITS})
  retry ID...       re-queue FAILED items (fresh attempt budget); "retry --all-failed" for every one;
                    while the console runs, the console itself applies it
                    (needs the queue: stop the console first)
  --create          create the queue if the folder holds none (otherwise that is a usage error)
  -c, --config FILE, --queue-dir DIR, --json`;

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
    create: { type: 'boolean' },
    json: { type: 'boolean' },
    debug: { type: 'boolean', short: 'd' },
    verbose: { type: 'boolean', short: 'v' },
    'log-level': { type: 'string' },
  });
  const state = stateOption(stringOption(parsed.values, 'state'));
  const limit = limitOption(stringOption(parsed.values, 'limit'));
  const dir = queueDir(parsed.values);
  if (!queueExists(dir)) {
    if (!parsed.values.create)
      throw new UsageError(`no queue in ${dir}; pass --create to create an empty one`);
    const created = await openWritable(dir, ctx, parsed.values);
    await created.close({ graceMs: 0 });
  }
  if (action === 'retry') return retry(dir, parsed, ctx);

  // Read-only: the running console's snapshot, or the database through a read-only connection.
  const view = inspectQueue(
    dir,
    action === 'status' ? { limit: 0 } : { ...(state ? { state } : {}), ...(limit ? { limit } : {}) },
  );
  if (action === 'status') {
    if (parsed.values.json) ctx.out(`${JSON.stringify({ source: view.source, ...view.counts })}\n`);
    else {
      ctx.out(`source: ${view.source === 'snapshot' ? `running queue (pid ${view.pid})` : 'database'}\n`);
      ctx.out(`total: ${fmt(view.counts.total)}\n`);
      for (const [d, c] of Object.entries(view.counts.byDestination)) ctx.out(`${d}: ${fmt(c)}\n`);
    }
  } else {
    if (parsed.values.json) ctx.out(`${JSON.stringify(view.items)}\n`);
    else for (const i of view.items) ctx.out(`${line(i)}\n`);
    if (view.truncated) {
      ctx.err(
        `hnvue: the running queue (pid ${view.pid}) shows at most its ${SNAPSHOT_LIMITS}; stop it to list every item\n`,
      );
    }
  }
  return EXIT_CODES.ok;
}

async function retry(dir: string, parsed: Parsed, ctx: CliContext): Promise<number> {
  const positional = parsed.positionals.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`queue retry: expected item ids, got "${p}"`);
    return n;
  });
  if (positional.length === 0 && !parsed.values['all-failed'])
    throw new UsageError('queue retry needs item ids or --all-failed');
  const allFailed = parsed.values['all-failed'] === true;
  const queue = await openWritable(dir, ctx, parsed.values).catch((err: unknown) => {
    if (isHnvError(err, QUEUE_ERROR_CODES.locked)) return undefined;
    throw err;
  });
  // The console runs and holds the queue: it applies the retry itself (requests.ts in @hnvue/queue).
  if (queue === undefined) return retryThroughHolder(dir, allFailed ? [] : positional, ctx, parsed.values);
  try {
    const ids = allFailed ? queue.list({ state: 'FAILED' }).map((i) => i.id) : positional;
    // Check every id before changing any, so a typo re-queues nothing.
    for (const id of ids) {
      const item = queue.get(id);
      if (item === undefined) throw new UsageError(`queue retry: no item ${id}`);
      if (item.state !== 'FAILED')
        throw new UsageError(`queue retry: item ${id} is ${item.state}, not FAILED`);
    }
    for (const id of ids) queue.requeue(id);
    if (parsed.values.json) ctx.out(`${JSON.stringify({ requeued: ids })}\n`);
    else ctx.out(`${ids.length} item${ids.length === 1 ? '' : 's'} re-queued\n`);
  } finally {
    await queue.close({ graceMs: 0 });
  }
  return EXIT_CODES.ok;
}

async function retryThroughHolder(
  dir: string,
  ids: number[],
  ctx: CliContext,
  values: Parsed['values'],
): Promise<number> {
  const answer = await sendQueueRequest(
    dir,
    ids.length === 0 ? { action: 'retry', allFailed: true } : { action: 'retry', ids },
  );
  if (!answer.ok) {
    if (answer.code === QUEUE_ERROR_CODES.invalidItem && answer.itemId !== undefined) {
      throw new UsageError(
        answer.state === null || answer.state === undefined
          ? `queue retry: no item ${answer.itemId}`
          : `queue retry: item ${answer.itemId} is ${answer.state}, not FAILED`,
      );
    }
    throw new QueueError(
      answer.code === QUEUE_ERROR_CODES.spoolMissing
        ? QUEUE_ERROR_CODES.spoolMissing
        : QUEUE_ERROR_CODES.invalidItem,
      `the running console (pid ${answer.pid}) refused the retry: ${answer.message}`,
    );
  }
  const n = answer.requeued.length;
  if (values.json) ctx.out(`${JSON.stringify({ requeued: answer.requeued, pid: answer.pid })}\n`);
  else ctx.out(`${n} item${n === 1 ? '' : 's'} re-queued by the running console (pid ${answer.pid})\n`);
  return EXIT_CODES.ok;
}

function queueDir(values: Parsed['values']): string {
  const dir = stringOption(values, 'queue-dir');
  if (dir !== undefined) return dir;
  const file = stringOption(values, 'config');
  const config = loadConfig({
    ...(file ? { file } : {}),
    ...(file ? {} : { overrides: { local: { aeTitle: 'HNVUE' }, uid: { deviceSerial: '1' } } }),
  });
  return queueDirFor(config.queue.path);
}

function openWritable(dir: string, ctx: CliContext, values: Parsed['values']) {
  return TransmissionQueue.open({
    dir,
    // Never started here: this process only creates or re-queues.
    sender: async () => {
      throw new DeliveryError('the CLI does not deliver', { retryable: true });
    },
    logger: ctx.logger(logLevelOf(values)),
  });
}

function stateOption(value: string | undefined): QueueState | undefined {
  if (value === undefined) return undefined;
  const s = value.toUpperCase();
  if (!(QUEUE_STATES as readonly string[]).includes(s))
    throw new UsageError(`queue list: unknown state "${value}" (one of ${QUEUE_STATES.join(', ')})`);
  return s as QueueState;
}

function limitOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`queue list: --limit needs a positive integer, got "${value}"`);
  return n;
}

function line(i: InspectedItem): string {
  return `${i.id}\t${i.state}\t${i.kind}\t${i.destination}\t${i.sopInstanceUid}\tattempts ${i.attemptCount}${i.lastErrorCode ? `\t${i.lastErrorCode}` : ''}`;
}

function fmt(c: Record<string, number>): string {
  return Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
