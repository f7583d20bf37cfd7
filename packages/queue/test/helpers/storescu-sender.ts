/**
 * A Sender backed by DCMTK's storescu, one process per item: the real C-STORE client the crash
 * and outage tests use until @hnvue/net's SCU is wired by the facade (the lead swaps this function).
 * storescu's exit code and log are mapped to the stable codes the queue classifies.
 */
import { spawn } from 'node:child_process';
import { DeliveryError, type Sender } from '../../src/index.js';

export interface StorescuTarget {
  readonly host: string;
  readonly port: number;
  readonly calledAe: string;
  readonly callingAe?: string;
}

/** Maps a failed storescu run to the code @hnvue/net would throw for the same cause. */
export function storescuFailure(exitCode: number | null, log: string): DeliveryError {
  const tail = log.slice(-400).replace(/\s+/g, ' ').trim();
  if (
    /Connection refused|Peer aborted|connection closed|Network|TCP Initialization Error|timeout/i.test(log)
  ) {
    const code = /refused|TCP Initialization/i.test(log) ? 'HNV_ERR_CONNECT' : 'HNV_ERR_ASSOC_ABORTED';
    return new DeliveryError(`storescu: ${tail}`, { retryable: true, code, details: { exitCode } });
  }
  if (/Association Rejected/i.test(log)) {
    const permanent = /Result: Rejected Permanent/i.test(log);
    return new DeliveryError(`storescu: ${tail}`, {
      retryable: !permanent,
      code: 'HNV_ERR_ASSOC_REJECTED',
      details: { exitCode },
    });
  }
  if (/Bad DICOM file|No presentation context|No acceptable presentation contexts/i.test(log)) {
    const code = /presentation context/i.test(log)
      ? 'HNV_ERR_NO_PRESENTATION_CONTEXT'
      : 'HNV_ERR_INVALID_ARGUMENT';
    return new DeliveryError(`storescu: ${tail}`, { retryable: false, code, details: { exitCode } });
  }
  const status = /Status[: ]+0x([0-9a-f]{4})|\(0x([0-9a-f]{4})\)/i.exec(log);
  if (status) {
    return new DeliveryError(`storescu: ${tail}`, {
      retryable: true,
      code: 'HNV_ERR_DIMSE_FAILURE',
      details: { exitCode, status: Number.parseInt(status[1] ?? status[2] ?? '0', 16) },
    });
  }
  // Killed or unknown: the network or the peer may recover.
  return new DeliveryError(`storescu exited ${exitCode}: ${tail}`, {
    retryable: true,
    details: { exitCode },
  });
}

export function storescuSender(target: StorescuTarget): Sender {
  return (item, { signal }) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(
        'storescu',
        [
          '-aet',
          target.callingAe ?? 'HNVUE',
          '-aec',
          target.calledAe,
          '-to',
          '10',
          '-ta',
          '10',
          '-td',
          '10',
          target.host,
          String(target.port),
          item.path,
        ],
        { env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let log = '';
      child.stdout?.on('data', (d: Buffer) => {
        log += d.toString();
      });
      child.stderr?.on('data', (d: Buffer) => {
        log += d.toString();
      });
      const onAbort = () => child.kill('SIGKILL');
      signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      });
      child.once('close', (code) => {
        signal.removeEventListener('abort', onAbort);
        // storescu exits 0 even when a C-STORE response carries a failure status; its log says so.
        if (code === 0 && !/Store SCU RSP.*(Failed|Error)|Status: (?!Success)/i.test(log)) resolve();
        else reject(storescuFailure(code, log));
      });
    });
}
