/**
 * Issue 17 item 1: drops are logged PHI-free and rate-limited, so a connection flood does not
 * become a logging flood, and the last drops of a burst are still reported.
 */
import { createJsonLogger } from '@hnvue/core';
import { describe, expect, it } from 'vitest';
import { DropLog } from '../../src/server/drop-log.js';

describe('FR-DICOM-02.limits: drop log', () => {
  it('FR-DICOM-02.limits: 500 drops in a burst are two log lines: the first at once, then the count', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createJsonLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) });
    const log = new DropLog(logger, 50);
    for (let i = 0; i < 500; i++)
      log.drop('maxPendingPerAddress', { peer: `127.0.0.1:${1000 + i}`, limit: 64 });
    log.drop('associationRequestTimeout', { peer: '127.0.0.1:9', limit: 5000 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      event: 'connection.dropped',
      reason: 'maxPendingPerAddress',
      dropped: 1,
      limit: 64,
    });
    await new Promise((r) => setTimeout(r, 120));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({
      event: 'connection.dropped',
      reason: 'maxPendingPerAddress',
      dropped: 499,
    });
    log.close();
    expect(lines).toHaveLength(3);
  });
});
