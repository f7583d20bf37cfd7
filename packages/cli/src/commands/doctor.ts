import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHnvError } from '@hnvue/core';
import { registeredCodecs, transferSyntax } from '@hnvue/dicom';
import {
  associationOptionsFor,
  certificateReport,
  DESTINATION_NAMES,
  type DicomServiceOptions,
  loadConfig,
  queueDirFor,
} from '@hnvue/facade';
import { nativeStatus } from '@hnvue/native';
import { echo } from '@hnvue/net';
import { logLevelOf, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';

export const DOCTOR_HELP = `hnvue doctor [options]
  What this machine can do, the first thing to run on a console: Node.js, the native addon (loaded
  or why not), which codec backend serves each transfer syntax, a C-ECHO to every configured
  destination, per destination and for the listener the certificate source serving it and when its
  certificate expires (WARN under 30 days, FAIL when expired or the key cannot be loaded; a token
  key is loaded as start() would), the CA files' expiry, and the transmission queue's state.
  -c, --config FILE   the console's configuration (without it: only the local checks)
  --no-network        skip the C-ECHOs
  --json              the report as JSON
  Exit code 0 when every check passed, 7 when one failed (each failure is named).`;

/** `warn`: passed, but look at it soon (a certificate that expires within 30 days). */
type Check = { readonly name: string; readonly ok: boolean; readonly detail: string; readonly warn?: true };

const WARN_DAYS = 30;

interface CodecLine {
  readonly transferSyntax: string;
  readonly name: string;
  readonly decode: string;
  readonly encode: string;
}

/**
 * Per transfer syntax, the backend that serves decode and encode first (registry priority). Codecs
 * of different names at the same best priority serve different streams of one syntax (JPEG .51:
 * libjpeg-turbo for 8-bit, the 12-bit decoder for 12-bit; native/lib/register.ts), so each is named.
 */
function codecLines(): CodecLine[] {
  const byUid = new Map<string, ReturnType<typeof registeredCodecs>[number][]>();
  for (const c of registeredCodecs())
    byUid.set(c.transferSyntax, [...(byUid.get(c.transferSyntax) ?? []), c]);
  const first = (list: ReturnType<typeof registeredCodecs>, dir: 'decode' | 'encode') => {
    const sorted = [...list].filter((x) => x[dir]).sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
    const best = sorted[0]?.priority ?? 0;
    const names: string[] = [];
    for (const c of sorted) {
      if ((c.priority ?? 0) !== best) break;
      const name = `${c.name} (${c.backend})`;
      if (!names.some((n) => n.startsWith(`${c.name} (`))) names.push(name);
    }
    return names.length > 0 ? names.join(', ') : '—';
  };
  return [...byUid.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([uid, list]) => ({
      transferSyntax: uid,
      name: transferSyntax(uid)?.name ?? uid,
      decode: first(list, 'decode'),
      encode: first(list, 'encode'),
    }));
}

function addonCheck(): Check {
  const s = nativeStatus();
  if (s.kind === 'loaded') {
    const libs = [
      s.openJpeg ? `OpenJPEG ${s.openJpeg}` : undefined,
      s.charls ? `CharLS ${s.charls}` : undefined,
      s.openJph ? `OpenJPH ${s.openJph}` : undefined,
      s.libjpeg ? 'libjpeg-turbo' : undefined,
    ].filter(Boolean);
    return { name: 'native addon', ok: true, detail: `loaded (${libs.join(', ') || 'no optional library'})` };
  }
  if (s.kind === 'disabled') {
    return { name: 'native addon', ok: true, detail: 'disabled by HNVUE_NATIVE=0: the fallbacks serve' };
  }
  return { name: 'native addon', ok: false, detail: `not loaded: ${s.reason} (the fallbacks serve)` };
}

/**
 * One line per TLS use (each destination, `storage.*`, the listener): which certificate source
 * serves it, whose certificate, and when it expires — days left, a warning under 30 days, a
 * failure when expired or when the source cannot serve (token absent or locked, key not found).
 * The source is resolved as start() would (a token key is loaded); no PIN is ever shown.
 */
function sourceChecks(config: DicomServiceOptions, now = Date.now()): Check[] {
  return certificateReport(config).map((line): Check => {
    const name = `certificate ${line.use}`;
    if (!line.ok) {
      const e = line.error as Error & { reason?: string; details?: { notAfter?: string } };
      if (e.reason === 'own-certificate-expired' && e.details?.notAfter) {
        return { name, ok: false, detail: `${line.source}: expired on ${e.details.notAfter}` };
      }
      const code = isHnvError(line.error) ? `${line.error.code}${e.reason ? ` ${e.reason}` : ''}: ` : '';
      return { name, ok: false, detail: `${line.source}: ${code}${e.message}` };
    }
    const { info } = line;
    const where = [info.keyLocation, info.subject].filter(Boolean).join(', ');
    const head = `${info.source}${where ? ` (${where})` : ''}`;
    if (info.notAfter === undefined) return { name, ok: true, detail: `${head}: no certificate of our own` };
    const days = Math.floor((info.notAfter.getTime() - now) / 86_400_000);
    const until = `valid until ${info.notAfter.toISOString()} (${days} days)`;
    return days < WARN_DAYS
      ? { name, ok: true, warn: true, detail: `${head}: ${until}, renew within ${WARN_DAYS} days` }
      : { name, ok: true, detail: `${head}: ${until}` };
  });
}

/** Days until each configured CA file's notAfter. */
function certificateChecks(config: DicomServiceOptions): Check[] {
  const files = new Set<string>();
  const tls = config.tls as { caPaths?: readonly string[] } | undefined;
  for (const ca of tls?.caPaths ?? []) files.add(ca);
  const out: Check[] = [];
  for (const file of files) {
    try {
      const cert = new X509Certificate(readFileSync(file));
      const days = Math.floor((Date.parse(cert.validTo) - Date.now()) / 86_400_000);
      out.push({
        name: `certificate ${file}`,
        ok: days > 0,
        detail: days > 0 ? `valid until ${cert.validTo} (${days} days)` : `expired on ${cert.validTo}`,
      });
    } catch (err) {
      out.push({
        name: `certificate ${file}`,
        ok: false,
        detail: `cannot be read: ${(err as Error).message}`,
      });
    }
  }
  return out;
}

async function echoChecks(
  config: DicomServiceOptions,
  ctx: CliContext,
  logLevel: ReturnType<typeof logLevelOf>,
): Promise<Check[]> {
  const out: Check[] = [];
  for (const name of DESTINATION_NAMES) {
    const destination = config[name] as { aeTitle: string; host: string; port: number } | undefined;
    if (!destination) continue;
    const where = `${destination.aeTitle}@${destination.host}:${destination.port}`;
    const started = performance.now();
    try {
      const r = await echo({
        ...associationOptionsFor(config, destination as never, ctx.logger(logLevel)),
        signal: ctx.signal,
      });
      out.push({
        name: `C-ECHO ${name}`,
        ok: r.status === 0,
        detail: `${where}: status 0x${r.status.toString(16).padStart(4, '0')} in ${Math.round(performance.now() - started)} ms`,
      });
    } catch (err) {
      const code = isHnvError(err) ? err.code : 'error';
      out.push({ name: `C-ECHO ${name}`, ok: false, detail: `${where}: ${code}: ${(err as Error).message}` });
    }
  }
  return out;
}

async function queueCheck(config: DicomServiceOptions): Promise<Check> {
  const dir = queueDirFor(config.queue.path);
  if (!existsSync(join(dir, 'queue.sqlite')) && !existsSync(dir)) {
    return { name: 'queue', ok: true, detail: `${dir}: none yet (created when the console starts)` };
  }
  const { TransmissionQueue, DeliveryError } = await import('@hnvue/queue');
  try {
    const queue = await TransmissionQueue.open({
      dir,
      sender: async () => {
        throw new DeliveryError('doctor does not deliver', { retryable: true });
      },
    });
    try {
      const t = queue.counts().total;
      return {
        name: 'queue',
        ok: t.FAILED === 0,
        detail: `${dir}: ${t.PENDING} pending, ${t.RETRYING} retrying, ${t.IN_PROGRESS} in progress, ${t.DONE} done, ${t.FAILED} failed`,
      };
    } finally {
      await queue.close();
    }
  } catch (err) {
    if (isHnvError(err) && err.code === 'HNV_ERR_QUEUE_LOCKED') {
      return { name: 'queue', ok: true, detail: `${dir}: held by a running console` };
    }
    return { name: 'queue', ok: false, detail: `${dir}: ${(err as Error).message}` };
  }
}

export async function doctorCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parse(argv, {
    config: { type: 'string', short: 'c' },
    'no-network': { type: 'boolean' },
    json: { type: 'boolean' },
    debug: { type: 'boolean', short: 'd' },
    verbose: { type: 'boolean', short: 'v' },
    'log-level': { type: 'string' },
  });
  const checks: Check[] = [
    {
      name: 'node',
      ok: Number(process.versions.node.split('.')[0]) >= 20,
      detail: `${process.version} on ${process.platform}-${process.arch}`,
    },
    addonCheck(),
  ];
  const file = stringOption(parsed.values, 'config');
  if (file) {
    const config = loadConfig({ file });
    checks.push({
      name: 'configuration',
      ok: true,
      detail: `${file}: valid (local AE ${config.local.aeTitle})`,
    });
    checks.push(...sourceChecks(config), ...certificateChecks(config));
    if (!parsed.values['no-network'])
      checks.push(...(await echoChecks(config, ctx, logLevelOf(parsed.values))));
    checks.push(await queueCheck(config));
  }
  const codecs = codecLines();
  if (parsed.values.json) {
    ctx.out(`${JSON.stringify({ checks, codecs })}\n`);
  } else {
    for (const c of checks) ctx.out(`${c.ok ? (c.warn ? 'WARN' : 'ok  ') : 'FAIL'} ${c.name}: ${c.detail}\n`);
    ctx.out('\ntransfer syntax → decode / encode backend\n');
    for (const c of codecs) ctx.out(`  ${c.transferSyntax} ${c.name}: ${c.decode} / ${c.encode}\n`);
  }
  return checks.every((c) => c.ok) ? EXIT_CODES.ok : EXIT_CODES.partial;
}
