/**
 * `scripts/soak.sh [minutes] [seed]`: the fault soak (harness.ts) for the given time, then its
 * summary as a table. Exit code 1 when an image is missing, a commitment failed, expired or unresolved, an MPPS
 * N-SET came before its N-CREATE, a queue item FAILED or a queue database is not intact.
 */
import { runSoak, type SoakSummary } from './harness.js';

export function verdict(s: SoakSummary): string[] {
  const problems: string[] = [];
  for (const [dest, n] of Object.entries(s.missing))
    if (n > 0) problems.push(`${n} images missing at ${dest}`);
  if (s.commitments.failed > 0) problems.push(`${s.commitments.failed} commitments failed`);
  if (s.commitments.expired > 0) problems.push(`${s.commitments.expired} commitments expired`);
  if (s.commitments.unresolved > 0) problems.push(`${s.commitments.unresolved} commitments unresolved`);
  if (s.mpps.setBeforeCreate > 0) problems.push(`${s.mpps.setBeforeCreate} MPPS N-SET before N-CREATE`);
  if (s.queueFailed > 0) problems.push(`${s.queueFailed} queue items FAILED`);
  for (const [c, r] of Object.entries(s.integrity)) if (r !== 'ok') problems.push(`queue ${c}: ${r}`);
  for (const r of s.integrityAfterKills.notOk) problems.push(`queue ${r}`);
  if (!s.drained) problems.push('drain did not finish');
  return problems;
}

export function table(s: SoakSummary): string {
  const rows: [string, string][] = [
    ['duration (s), seed', `${s.seconds}, ${s.seed}`],
    ['procedures started', String(s.procedures)],
    ['objects queued (storescp / orthanc)', `${s.queued.storescp} / ${s.queued.orthanc}`],
    ['missing at peer', `${s.missing.storescp} / ${s.missing.orthanc}`],
    ['at peer, never reported queued', `${s.unreported.storescp} / ${s.unreported.orthanc}`],
    ['duplicates received', `${s.duplicates.storescp} / ${s.duplicates.orthanc}`],
    ['console kill -9', String(s.kills)],
    ['PACS restarts', `${s.pacsRestarts.storescp} / ${s.pacsRestarts.orthanc}`],
    ['proxy connections', String(s.faults.connections)],
    ['resets / stalls / truncations', `${s.faults.resets} / ${s.faults.stalls} / ${s.faults.truncations}`],
    [
      'commitments committed / failed / expired / unresolved',
      `${s.commitments.committed} / ${s.commitments.failed} / ${s.commitments.expired} / ${s.commitments.unresolved}`,
    ],
    [
      'commitment re-requests (after a timeout / at a restart)',
      `${s.commitments.reRequests.timeout} / ${s.commitments.reRequests.restart}`,
    ],
    ['MPPS N-CREATE / N-SET', `${s.mpps.creates} / ${s.mpps.sets}`],
    ['N-SET before N-CREATE, repeated N-CREATE', `${s.mpps.setBeforeCreate}, ${s.mpps.duplicateCreates}`],
    ['queue items FAILED', String(s.queueFailed)],
    ['integrity_check', Object.values(s.integrity).join(' / ')],
    [
      'integrity_check after kills (ok / checked)',
      `${s.integrityAfterKills.checks - s.integrityAfterKills.notOk.length} / ${s.integrityAfterKills.checks}`,
    ],
    ['console peak RSS (MB)', String(s.consolePeakRssMb)],
    ['max delivery latency (ms)', String(s.maxDeliveryLatencyMs)],
    ['drained', String(s.drained)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

if (process.argv[1]?.endsWith('run.ts')) {
  const minutes = Number(process.argv[2] ?? 60);
  const seed = Number(process.argv[3] ?? 1);
  const summary = await runSoak({
    seconds: Math.round(minutes * 60),
    seed,
    progress: process.env.HNVUE_SOAK_VERBOSE ? (l) => process.stderr.write(`${l}\n`) : undefined,
  });
  process.stdout.write(`${table(summary)}\n`);
  const problems = verdict(summary);
  for (const p of problems) process.stdout.write(`FAIL: ${p}\n`);
  process.exit(problems.length === 0 ? 0 : 1);
}
