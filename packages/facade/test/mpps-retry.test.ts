/**
 * A retried MPPS N-SET whose earlier attempt got through (the console was killed, or the
 * connection reset, before the N-SET-RSP was read): the SCP answers 0110 "Performed Procedure Step
 * Object may no longer be updated" (PS3.4 F.7.2.2.4), and the queue item is delivered, not retried
 * for ever (found by the fault soak, packages/facade/test/soak/).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@hnvue/core';
import { TS } from '@hnvue/dicom';
import { createMppsScp, createServer, DimseFailureError, MPPS_CONTEXT, MPPS_SOP_CLASS } from '@hnvue/net';
import type { QueueItem } from '@hnvue/queue';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/index.js';
import { sendMpps } from '../src/senders/mpps.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const quiet: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  fatal: () => {},
  child: () => quiet,
};

async function rig() {
  const dir = await makeTempDir('hnvue-mpps-retry-');
  cleanups.push(() => rmTempDir(dir));
  const scp = createMppsScp();
  const server = createServer({
    aeTitles: ['RIS'],
    contexts: [
      { abstractSyntax: MPPS_CONTEXT.abstractSyntax, transferSyntaxes: [TS.explicitVrLittleEndian] },
    ],
    handlers: { 'N-CREATE': scp.handlers['N-CREATE'], 'N-SET': scp.handlers['N-SET'] },
  });
  const port = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close());
  const config = parseConfig({
    local: { aeTitle: 'HNVUE_MR' },
    uid: { deviceSerial: '5' },
    mpps: { aeTitle: 'RIS', host: '127.0.0.1', port },
  });
  let id = 0;
  const item = async (kind: 'mpps-create' | 'mpps-set', status: string, attemptCount: number) => {
    const path = join(dir, `${++id}.json`);
    await writeFile(path, JSON.stringify({ PerformedProcedureStepStatus: status }));
    return {
      id,
      kind,
      destination: 'mpps',
      sopClassUid: MPPS_SOP_CLASS,
      sopInstanceUid: '2.25.4242',
      size: 0,
      priority: 0,
      state: 'IN_PROGRESS',
      attemptCount,
      createdAt: 0,
      lastAttemptAt: null,
      nextAttemptAt: 0,
      lastErrorCode: null,
      lastErrorReason: null,
      completedAt: null,
      path,
      orderKey: '2.25.4242',
    } as QueueItem;
  };
  return { scp, config, item };
}

describe('MPPS N-SET retry', () => {
  it('FR-DICOM-05: a retried N-SET answered 0110 "may no longer be updated" counts as delivered', async () => {
    const { scp, config, item } = await rig();
    await sendMpps(config, quiet, await item('mpps-create', 'IN PROGRESS', 1));
    // The first attempt got through; its N-SET-RSP was never read.
    await sendMpps(config, quiet, await item('mpps-set', 'COMPLETED', 1));
    expect(scp.records.get('2.25.4242')?.status).toBe('COMPLETED');
    await expect(sendMpps(config, quiet, await item('mpps-set', 'COMPLETED', 2))).resolves.toBeUndefined();
  });

  it('FR-DICOM-05: a first N-SET answered 0110 is still a failure', async () => {
    const { config, item } = await rig();
    await sendMpps(config, quiet, await item('mpps-create', 'IN PROGRESS', 1));
    await sendMpps(config, quiet, await item('mpps-set', 'DISCONTINUED', 1));
    const err = await sendMpps(config, quiet, await item('mpps-set', 'COMPLETED', 1)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DimseFailureError);
    expect((err as DimseFailureError).status).toBe(0x0110);
  });
});
