import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { TlsError } from '../errors.js';
import type { Pkcs11KeyOptions } from './pkcs11.js';

/**
 * The OS certificate stores (NFR-SEC-02).
 *
 * Trust (CAs that verify peers): the system bundle. Node 20 has no `tls.getCACertificates('system')`
 * (Node ≥ 22.15) and `--use-openssl-ca` is a process flag, so the bundle file is read:
 * `SSL_CERT_FILE`, else the distribution's path.
 *
 * Our key, "by name or thumbprint": on Linux the OS key store is p11-kit, whose proxy module
 * (`p11-kit-proxy.so`) serves every PKCS#11 module registered in /usr/share/p11-kit/modules
 * (SoftHSM2, OpenSC smart cards, TPM tokens). The certificate is looked up among the tokens'
 * certificate objects by label or thumbprint (SHA-1, as Windows shows it, or SHA-256) with OpenSC's
 * `pkcs11-tool`; the private key is the token object with the same CKA_ID, loaded through the
 * PKCS#11 engine like any token key. On Windows the store is CryptoAPI/CNG (`storeLocation` +
 * thumbprint): not implemented; asking for it anywhere is a typed `store-unavailable` error.
 */

/** System CA bundles, most common first (Debian/Ubuntu/Alpine, RHEL/Fedora, SUSE, macOS/BSD). */
const SYSTEM_CA_FILES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

/** The system trust store's CA bundle file, or undefined when the platform has none we know. */
export function systemCaFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.SSL_CERT_FILE;
  if (fromEnv !== undefined && fromEnv !== '' && existsSync(fromEnv)) return fromEnv;
  return SYSTEM_CA_FILES.find((f) => existsSync(f));
}

/** Windows store locations (CryptoAPI `CERT_SYSTEM_STORE_CURRENT_USER` / `_LOCAL_MACHINE`). */
export type WindowsStoreLocation = 'CurrentUser' | 'LocalMachine';

export interface StoreKeyOptions {
  /** Certificate label, or its SHA-1 / SHA-256 thumbprint (hex, colons and spaces ignored). */
  readonly storeId: string;
  /** Windows only: which CryptoAPI store. Given on another platform, a typed `store-unavailable` error. */
  readonly storeLocation?: WindowsStoreLocation;
  /** PIN of the token that holds the key (Linux), as for a PKCS#11 key. */
  readonly pin?: string;
  readonly pinFile?: string;
  /** The p11-kit proxy; default: the distribution's path. */
  readonly proxyModulePath?: string;
  readonly enginePath?: string;
}

/** What the store found: the certificate and where its key is. */
export interface StoreEntry {
  readonly certPem: string;
  readonly thumbprint: string;
  readonly key: Pkcs11KeyOptions;
}

const MULTIARCH: Partial<Record<string, string>> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

export function defaultP11KitProxyPath(): string {
  const arch = MULTIARCH[process.arch] ?? `${process.arch}-linux-gnu`;
  return `/usr/lib/${arch}/p11-kit-proxy.so`;
}

function unavailable(message: string, details: Record<string, unknown>, hint: string): TlsError {
  return new TlsError('store-unavailable', message, {
    details: { platform: process.platform, ...details },
    hint,
  });
}

function tool(args: string[]): Buffer {
  try {
    return execFileSync('pkcs11-tool', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') {
      throw unavailable('the OS key store needs pkcs11-tool to look certificates up', {}, 'install opensc');
    }
    throw new TlsError('key-not-found', 'the OS key store could not be read', {
      cause: err,
      details: { stderr: e.stderr?.toString().trim().slice(0, 300) },
      hint: 'check that the token is present (p11-kit list-modules)',
    });
  }
}

interface CertObject {
  readonly slot: string;
  readonly token: string;
  readonly label: string | undefined;
  readonly id: string;
}

/** Certificate objects of every token the proxy shows (no login: certificates are public objects). */
function listCertificates(module: string): CertObject[] {
  const slots = tool(['--module', module, '--list-token-slots']).toString();
  const out: CertObject[] = [];
  for (const block of slots.split(/^Slot /m).slice(1)) {
    const slot = /^\d+ \((0x[0-9a-f]+)\)/i.exec(block)?.[1];
    const token = /token label\s*:\s*(.*)$/m.exec(block)?.[1]?.trim();
    if (slot === undefined || token === undefined) continue;
    const listing = tool(['--module', module, '--slot', slot, '--list-objects', '--type', 'cert']).toString();
    for (const obj of listing.split(/^Certificate Object/m).slice(1)) {
      const id = /^\s*ID:\s*([0-9a-f]+)/im.exec(obj)?.[1];
      if (id === undefined) continue;
      out.push({ slot, token, label: /^\s*label:\s*(.*)$/m.exec(obj)?.[1]?.trim(), id: id.toLowerCase() });
    }
  }
  return out;
}

const hex = (id: string) => id.replace(/[\s:]/g, '').toLowerCase();
const pct = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);

/**
 * Finds our certificate and key in the OS store at start-up. Not there: TlsError('key-not-found');
 * no store on this platform: TlsError('store-unavailable').
 */
export function findInStore(options: StoreKeyOptions): StoreEntry {
  if (options.storeLocation !== undefined || process.platform === 'win32') {
    throw unavailable(
      process.platform === 'win32'
        ? 'the Windows certificate store (CryptoAPI/CNG) is not implemented in this version'
        : 'the Windows certificate store is not available on this platform',
      { storeLocation: options.storeLocation ?? 'CurrentUser' },
      process.platform === 'win32'
        ? 'export the certificate and key to a PFX file, or use a PKCS#11 token'
        : 'leave storeLocation out to use the p11-kit store, or use certificateSource "pkcs11"',
    );
  }
  if (process.platform !== 'linux') {
    throw unavailable(
      'no OS key store is supported on this platform',
      {},
      'use a PKCS#11 token or PEM/PFX files',
    );
  }
  const module = options.proxyModulePath ?? defaultP11KitProxyPath();
  if (!existsSync(module)) {
    throw unavailable('the OS key store (p11-kit proxy) is not installed', { module }, 'install p11-kit');
  }
  const wanted = hex(options.storeId);
  const found = findCertificate(
    module,
    (object, sha1, sha256) => object.label === options.storeId || wanted === sha1 || wanted === sha256,
  );
  if (found !== undefined) {
    const id = found.object.id.replace(/(..)/g, '%$1');
    return {
      certPem: found.certPem,
      thumbprint: found.sha1,
      key: {
        uri: `pkcs11:token=${pct(found.object.token)};id=${id};type=private`,
        // libp11's default module is p11-kit's proxy: leave it unset so every token key shares it.
        ...(options.proxyModulePath !== undefined ? { modulePath: module } : {}),
        ...(options.pin !== undefined ? { pin: options.pin } : {}),
        ...(options.pinFile !== undefined ? { pinFile: options.pinFile } : {}),
        ...(options.enginePath !== undefined ? { enginePath: options.enginePath } : {}),
      },
    };
  }
  throw new TlsError('key-not-found', 'no certificate in the OS key store has this name or thumbprint', {
    details: { storeId: options.storeId, module },
    hint: 'list the store with `pkcs11-tool --module p11-kit-proxy.so --list-objects --type cert`',
  });
}

/** The first certificate object of `module`'s tokens that `match` accepts, read as DER. */
function findCertificate(
  module: string,
  match: (object: CertObject, sha1: string, sha256: string) => boolean,
): { object: CertObject; certPem: string; sha1: string } | undefined {
  for (const object of listCertificates(module)) {
    const der = tool([
      '--module',
      module,
      '--slot',
      object.slot,
      '--read-object',
      '--type',
      'cert',
      '--id',
      object.id,
    ]);
    const sha1 = createHash('sha1').update(der).digest('hex');
    const sha256 = createHash('sha256').update(der).digest('hex');
    if (match(object, sha1, sha256)) return { object, certPem: new X509Certificate(der).toString(), sha1 };
  }
  return undefined;
}

/** An RFC 7512 path attribute (`token`, `object`, `id`), still percent-encoded. */
function uriAttribute(uri: string, name: string): string | undefined {
  const path = uri.replace(/^pkcs11:/, '').split('?')[0] ?? '';
  for (const part of path.split(';')) {
    const [k, v] = part.split('=');
    if (k === name && v !== undefined) return v;
  }
  return undefined;
}

/** A percent-encoded RFC 7512 value as the hex of its bytes (`%01%a0` → `01a0`). */
function bytesHex(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '%' && /^[0-9a-f]{2}$/i.test(value.slice(i + 1, i + 3))) {
      out += value.slice(i + 1, i + 3).toLowerCase();
      i += 2;
    } else out += Buffer.from(value[i] as string, 'utf8').toString('hex');
  }
  return out;
}

const text = (value: string | undefined) =>
  value === undefined ? undefined : Buffer.from(bytesHex(value), 'hex').toString('utf8');

/**
 * The certificate beside a token key: the certificate object of the same token whose CKA_ID
 * (`id=`) or label (`object=`) the key's URI names. For a `pkcs11` source without a certificate
 * file. None: TlsError('key-not-found').
 */
export function findTokenCertificate(key: Pkcs11KeyOptions): { certPem: string; thumbprint: string } {
  const module = key.modulePath ?? process.env.PKCS11_MODULE_PATH ?? defaultP11KitProxyPath();
  const token = text(uriAttribute(key.uri, 'token'));
  const label = text(uriAttribute(key.uri, 'object'));
  const rawId = uriAttribute(key.uri, 'id');
  const id = rawId === undefined ? undefined : bytesHex(rawId);
  const found = existsSync(module)
    ? findCertificate(
        module,
        (object) =>
          (token === undefined || object.token === token) &&
          (id !== undefined ? object.id === id : label !== undefined && object.label === label),
      )
    : undefined;
  if (found === undefined) {
    throw new TlsError('key-not-found', 'no certificate beside the key in the PKCS#11 token', {
      details: {
        module,
        ...(token !== undefined ? { token } : {}),
        ...(label !== undefined ? { object: label } : {}),
      },
      hint: "write the certificate into the token with the key's id and label, or give certFile",
    });
  }
  return { certPem: found.certPem, thumbprint: found.sha1 };
}
