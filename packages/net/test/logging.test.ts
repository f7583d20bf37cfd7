import { channel } from 'node:diagnostics_channel';
import { createJsonLogger } from '@hnvue/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association, createServer, DIAGNOSTICS_CHANNELS, type DicomServer } from '../src/index.js';

describe('logging and tracing (NFR-OBS-01, NFR-SEC-01)', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({ level: 'trace', write: (line) => lines.push(JSON.parse(line)) });
  let server: DicomServer;
  let port: number;

  beforeAll(async () => {
    server = createServer({ aeTitles: ['HNVUE'], logger });
    port = await server.listen(0);
  });

  afterAll(async () => {
    await server.close();
  });

  it('NFR-OBS-01: association open/close at info, DIMSE sent/received at debug with command, message ID, status, sizes', async () => {
    const traced: unknown[] = [];
    const onSent = (message: unknown) => traced.push(message);
    channel(DIAGNOSTICS_CHANNELS.dimseSent).subscribe(onSent);
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'SCU',
      calledAeTitle: 'HNVUE',
      logger,
      userIdentity: { type: 'usernameAndPasscode', username: 'tech', passcode: 'hunter2-secret' },
    });
    await association.echo();
    await association.release();
    await association.closed;
    channel(DIAGNOSTICS_CHANNELS.dimseSent).unsubscribe(onSent);
    const infos = lines.filter((l) => l.level === 'info').map((l) => l.msg);
    expect(infos).toContain('association established');
    expect(infos).toContain('association closed');
    const sent = lines.find((l) => l.msg === 'DIMSE sent' && l.command === 'C-ECHO-RQ');
    expect(sent).toMatchObject({ level: 'debug', messageId: 1, contextId: 1, datasetBytes: 0 });
    const received = lines.find((l) => l.msg === 'DIMSE received' && l.command === 'C-ECHO-RSP');
    expect(received).toMatchObject({ level: 'debug', status: 0, messageId: 1 });
    expect(traced.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(lines)).not.toContain('hunter2-secret');
  });
});
