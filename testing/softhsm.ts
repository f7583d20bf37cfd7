/**
 * A SoftHSM2 token with a console key generated inside it (CKA_SENSITIVE, never extractable), its
 * certificate signed by a test CA through OpenSSL's PKCS#11 engine and written beside the key
 * (for the OS-store lookup through p11-kit), plus an already expired certificate of the same key.
 * SoftHSM reads SOFTHSM2_CONF from the environment: this sets it for the calling process, whose
 * PKCS#11 engine (and p11-kit's proxy, which loads SoftHSM through its .module file) use it.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SOFTHSM_MODULE: string | undefined = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
].find(existsSync);

const ENGINE = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/engines-3/pkcs11.so`;

function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** softhsm2, opensc (pkcs11-tool) and libengine-pkcs11-openssl are installed. */
export function haveSoftHsm(): boolean {
  return (
    SOFTHSM_MODULE !== undefined && existsSync(ENGINE) && onPath('softhsm2-util') && onPath('pkcs11-tool')
  );
}

export interface TokenKey {
  readonly tokenLabel: string;
  /** RFC 7512 URI of the private key (no PIN). */
  readonly uri: string;
  readonly pin: string;
  /** A file holding the PIN. */
  readonly pinFile: string;
  /** PEM certificate of the token key (SAN localhost, 127.0.0.1; client and server auth; 2 days). */
  readonly certFile: string;
  /** The same key's certificate, valid 2020-01-01 to 2020-01-02. */
  readonly expiredCertFile: string;
  /** SHA-1 thumbprint of certFile, hex lower case. */
  readonly thumbprint: string;
}

/** Makes the token in `dir/tokens`; `caCert`/`caKey` sign the certificates. About 1 s. */
export function createTokenKey(options: {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly tokenLabel?: string;
  readonly pin?: string;
}): TokenKey {
  const { dir } = options;
  const tokenLabel = options.tokenLabel ?? 'hnvue-test';
  const pin = options.pin ?? '246810';
  const module = SOFTHSM_MODULE as string;
  mkdirSync(join(dir, 'tokens'), { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  const env = { ...process.env, PKCS11_MODULE_PATH: module };
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: dir, env, stdio: 'pipe' });
  const tool = (...args: string[]) =>
    run('pkcs11-tool', ['--module', module, '--token-label', tokenLabel, '--login', '--pin', pin, ...args]);
  run('softhsm2-util', ['--init-token', '--free', '--label', tokenLabel, '--so-pin', '13579', '--pin', pin]);
  tool('--keypairgen', '--key-type', 'EC:prime256v1', '--id', '01', '--label', 'console');
  const uri = `pkcs11:token=${tokenLabel};object=console;type=private`;
  run('openssl', [
    'req',
    '-new',
    '-engine',
    'pkcs11',
    '-keyform',
    'engine',
    '-key',
    `${uri};pin-value=${pin}`,
    '-subj',
    '/CN=hnvue-console',
    '-out',
    'token.csr',
  ]);
  const ext = 'extendedKeyUsage=clientAuth,serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n';
  writeFileSync(join(dir, 'token.ext'), ext);
  run('openssl', [
    'x509',
    '-req',
    '-in',
    'token.csr',
    '-CA',
    options.caCert,
    '-CAkey',
    options.caKey,
    '-CAcreateserial',
    '-days',
    '2',
    '-sha256',
    '-extfile',
    'token.ext',
    '-out',
    'token.crt',
  ]);
  // `openssl x509` cannot date a certificate in the past; `openssl ca` can.
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n',
  );
  run('openssl', [
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    options.caCert,
    '-keyfile',
    options.caKey,
    '-in',
    'token.csr',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
    '-notext',
    '-out',
    'token-expired.crt',
  ]);
  const certFile = join(dir, 'token.crt');
  tool('--write-object', certFile, '--type', 'cert', '--id', '01', '--label', 'console');
  const pinFile = join(dir, 'token.pin');
  writeFileSync(pinFile, pin, { mode: 0o600 });
  const thumbprint = new X509Certificate(readFileSync(certFile)).fingerprint.replace(/:/g, '').toLowerCase();
  return {
    tokenLabel,
    uri,
    pin,
    pinFile,
    certFile,
    expiredCertFile: join(dir, 'token-expired.crt'),
    thumbprint,
  };
}
