/**
 * Operating-system errors end as one line with the errno and a hint, and an exit code a script can
 * act on (issue 18 item 3): `simulate` on a port another process holds is EADDRINUSE, exit 3.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, formatError, main } from '../src/index.js';
import { context } from './helpers/context.js';

describe('OS errors on the command line', () => {
  it('NFR-CFG-01: simulate on a port another process holds says EADDRINUSE with a hint and exits 3', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const ctx = context();
      const code = await main(['simulate', '--pacs-port', String(port), '--ris-port', '0'], ctx);
      expect(code).toBe(EXIT_CODES.config);
      expect(ctx.stderr()).toMatch(/^hnvue: EADDRINUSE: .*\(hint: another process listens on that port/m);
    } finally {
      holder.close();
    }
  });

  it('NFR-CFG-01: a full disk and too many open files get hints too', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(formatError(enospc)).toBe(
      'hnvue: ENOSPC: no space left on device, write (hint: the disk is full: free space where the files are written)',
    );
    const emfile = Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    expect(formatError(emfile)).toContain('raise `ulimit -n`');
  });
});
