/**
 * A self-signed RSA certificate and its key from openssl, `<dir>/<name>.crt` and `.key`: valid for
 * `days` from now, or (days <= 0) valid only on 2020-01-01, already expired.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '@hnvue/testing/peers';
import { expect } from 'vitest';

export async function selfSignedCertificate(
  dir: string,
  name: string,
  days: number,
  commonName = name,
): Promise<{ readonly crt: string; readonly key: string }> {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  const subj = ['-subj', `/CN=${commonName}`];
  /** `openssl req` arguments for a new unencrypted RSA key written to `key`. */
  const newKey = ['-newkey', 'rsa:2048', '-nodes', '-keyout', key];
  const ok = async (args: string[]) => {
    const r = await run('openssl', args);
    expect(r.code, r.stderr).toBe(0);
  };
  if (days > 0) {
    await ok(['req', '-x509', ...newKey, '-out', crt, '-days', String(days), ...subj]);
    return { crt, key };
  }
  // OpenSSL 3.0's req takes no start date: `ca -selfsign` with both dates in the past.
  const ca = join(dir, `${name}-ca`);
  await mkdir(ca);
  await writeFile(join(ca, 'index.txt'), '');
  await writeFile(join(ca, 'serial'), '01\n');
  await writeFile(
    join(ca, 'ca.cnf'),
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${ca}/index.txt\nnew_certs_dir = ${ca}\nserial = ${ca}/serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n`,
  );
  await ok(['req', '-new', ...newKey, '-out', `${ca}/req.csr`, ...subj]);
  await ok([
    'ca',
    '-config',
    `${ca}/ca.cnf`,
    '-selfsign',
    '-keyfile',
    key,
    '-in',
    `${ca}/req.csr`,
    '-out',
    crt,
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
    '-batch',
  ]);
  return { crt, key };
}
