/**
 * From the validated configuration (NFR-CFG-01) to what @hnvue/net wants for one destination:
 * association options (timeouts, PDU length, framing, window, TLS connector) and a storage
 * destination. One place, so the CLI and the facade open associations the same way.
 */
import type { Logger } from '@hnvue/core';
import {
  type AssociationOptions,
  type Connector,
  type ResolvedCertificate,
  type TlsClientOptions,
  tlsConnector,
} from '@hnvue/net';
import { resolveCertificate } from './certificates.js';
import type {
  DestinationName,
  DestinationOptions,
  DestinationTlsOptions,
  DicomServiceOptions,
} from './config/index.js';
import { FacadeError } from './errors.js';

// One connector per resolved certificate and TLS settings: a token key is loaded once, not per
// association; start() resolves afresh, so a renewed certificate gets new connectors.
const connectors = new WeakMap<ResolvedCertificate, Map<string, Connector>>();

/**
 * The destination's TLS connector (NFR-SEC-02), or undefined for plain TCP. The certificate comes
 * from the configured source (certificates.ts), resolved once and shared.
 */
export function connectorFor(tls: DestinationTlsOptions): Connector | undefined {
  if (!tls.enabled) return undefined;
  const resolved = resolveCertificate(tls);
  let byOptions = connectors.get(resolved);
  if (byOptions === undefined) {
    byOptions = new Map();
    connectors.set(resolved, byOptions);
  }
  const key = JSON.stringify([tls.minVersion, tls.rejectUnauthorized, tls.servername]);
  const known = byOptions.get(key);
  if (known !== undefined) return known;
  const options: TlsClientOptions = {
    ...resolved.credentials,
    minVersion: tls.minVersion,
    verifyServer: tls.rejectUnauthorized,
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
  const connector = tlsConnector(options);
  byOptions.set(key, connector);
  return connector;
}

/** The configured destination, or a FacadeError naming the missing block. */
export function requireDestination<N extends DestinationName>(
  config: DicomServiceOptions,
  name: N,
): NonNullable<DicomServiceOptions[N]> {
  const destination = config[name] as DicomServiceOptions[N];
  if (destination === undefined) {
    throw new FacadeError('HNV_ERR_NOT_CONFIGURED', `no '${name}' destination is configured`, {
      hint: `add a "${name}": { "aeTitle", "host", "port" } block to the configuration`,
      details: { destination: name },
    });
  }
  return destination;
}

/**
 * Association options for a destination, without presentation contexts (each service proposes
 * its own). The connector is built once per call: TLS files are read here, so a missing file
 * fails at start-up rather than on the first association.
 */
export function associationOptionsFor(
  config: DicomServiceOptions,
  destination: DestinationOptions,
  logger?: Logger,
): AssociationOptions {
  const connector = connectorFor(destination.tls);
  return {
    host: destination.host,
    port: destination.port,
    callingAeTitle: config.local.aeTitle,
    calledAeTitle: destination.aeTitle,
    timeouts: { ...destination.timeouts },
    // 0 means unlimited in the configuration (PS3.8 D.1); net takes its own default then.
    ...(destination.maxPduLength > 0 ? { maxPduLength: destination.maxPduLength } : {}),
    implementationClassUid: config.implementation.classUid,
    implementationVersionName: config.implementation.versionName,
    ...(destination.asyncOpsWindow
      ? {
          asyncOpsWindow: {
            maxOperationsInvoked: destination.asyncOpsWindow.maxInvoked,
            maxOperationsPerformed: destination.asyncOpsWindow.maxPerformed,
          },
        }
      : {}),
    framing: {
      separateCommandAndData: destination.pdv.separateCommandAndDataPdus,
      ...(destination.pdv.maxPdvsPerPdu === undefined
        ? {}
        : { maxPdvsPerPdu: destination.pdv.maxPdvsPerPdu }),
    },
    ...(connector ? { connector } : {}),
    ...(logger ? { logger } : {}),
  };
}
