/**
 * What the services share and how they are wired: the context every part of the facade reads
 * (configuration, logger, UIDs, the queue whose records hold the facade's state), the queue folder, the default
 * equipment, the StorageClient destination and the listener for storage commitment reports.
 */
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Logger } from '@hnvue/core';
import { TS } from '@hnvue/dicom';
import type { EquipmentInput } from '@hnvue/iod';
import {
  createServer,
  type DicomServer,
  STORAGE_COMMITMENT_LISTENER_CONTEXT,
  StorageClient,
  type StorageCommitmentScu,
  VERIFICATION_SOP_CLASS,
} from '@hnvue/net';
import { type QueueOptions, TransmissionQueue } from '@hnvue/queue';
import type { UidGenerator } from '@hnvue/uid';
import { credentialsFor } from './certificates.js';
import type { DestinationOptions, DicomServiceConfig, DicomServiceOptions } from './config/index.js';
import { associationOptionsFor } from './destinations.js';
import type { FacadeEmitter } from './events.js';
import { commitmentFor, PACS, storageDestinationNames } from './routing.js';

export interface CreateDicomServicesOptions {
  /**
   * The configuration as written (validated here; a JSON file's content is checked the same way,
   * at run time) or the output of loadConfig / parseConfig.
   */
  readonly config: DicomServiceConfig | DicomServiceOptions;
  /** pino-compatible; wrapped with guardLogger (NFR-SEC-01). */
  readonly logger?: Logger;
  /** Equipment written into every image and dose report. */
  readonly equipment?: EquipmentInput;
  /** Overrides the queue folder derived from `queue.path`. */
  readonly queueDir?: string;
}

/** What the procedures, commitments and senders share with the public object. */
export interface FacadeContext {
  readonly config: DicomServiceOptions;
  readonly log: Logger;
  readonly uids: UidGenerator;
  readonly queueDir: string;
  readonly equipment: EquipmentInput;
  readonly events: FacadeEmitter;
  /** The queue once started (throws HNV_ERR_NOT_RUNNING otherwise). */
  requireQueue(): TransmissionQueue;
  /** The queue (its records hold the facade's state, state.ts), running or not. */
  queue(): TransmissionQueue | undefined;
}

/** The queue folder for `queue.path`: `hnvue-queue.sqlite` → `hnvue-queue/` beside it. */
export function queueDirFor(path: string): string {
  const absolute = resolve(path);
  return join(dirname(absolute), basename(absolute, extname(absolute)));
}

export function defaultEquipment(config: DicomServiceOptions): EquipmentInput {
  return {
    manufacturer: 'HnVue',
    manufacturerModelName: 'HnVue DR',
    deviceSerialNumber: config.uid.deviceSerial,
    softwareVersions: config.implementation.versionName,
    stationName: config.local.aeTitle,
  };
}

export function storageDestination(
  config: DicomServiceOptions,
  pacs: DestinationOptions,
  logger: Logger,
): ConstructorParameters<typeof StorageClient>[0] {
  const a = associationOptionsFor(config, pacs, logger);
  return {
    host: a.host,
    port: a.port,
    calledAeTitle: a.calledAeTitle,
    callingAeTitle: a.callingAeTitle,
    transferSyntaxes: pacs.transferSyntaxes,
    allowLossy: pacs.allowLossy,
    proposeImplicit: !pacs.dropImplicitFallback,
    ...(a.connector ? { connector: a.connector } : {}),
    ...(a.timeouts ? { timeouts: a.timeouts } : {}),
    ...(a.maxPduLength ? { maxPduLength: a.maxPduLength } : {}),
    ...(a.asyncOpsWindow ? { asyncOpsWindow: a.asyncOpsWindow } : {}),
    ...(a.framing ? { framing: a.framing } : {}),
  };
}

/** Our listener: C-ECHO and the storage commitment N-EVENT-REPORT on a new association (PS3.4 J.3.3). */
/**
 * Who may open an association to our listener: the configured list, or by default the peers that
 * report to us (each storage destination's commitment SCP and the destination itself, `pacs` and
 * the `storage` ones); undefined (any) with `acceptAnyCallingAeTitle`.
 */
export function listenerCallingAeTitles(config: DicomServiceOptions): string[] | undefined {
  const { local } = config;
  if (local.acceptAnyCallingAeTitle) return undefined;
  if (local.acceptCallingAeTitles) return [...local.acceptCallingAeTitles];
  const peers = [config.commitment?.aeTitle, config.pacs?.aeTitle];
  for (const d of Object.values(config.storage ?? {})) peers.push(d.commitment?.aeTitle, d.aeTitle);
  const known = peers.filter((ae) => ae !== undefined);
  return known.length > 0 ? [...new Set(known)] : undefined;
}

/** The listener is needed when some storage destination has a commitment SCP (reports come to it). */
export function needsListener(config: DicomServiceOptions): boolean {
  return (
    storageDestinationNames(config).some((d) => commitmentFor(config, d) !== undefined) ||
    config.commitment !== undefined
  );
}

export function createListener(
  config: DicomServiceOptions,
  reportHandler: StorageCommitmentScu['reportHandler'],
  logger: Logger,
): DicomServer {
  const { local, tls } = config;
  const callingAeTitles = listenerCallingAeTitles(config);
  return createServer({
    aeTitles: [local.aeTitle],
    ...(callingAeTitles ? { callingAeTitles } : {}),
    ...(local.allowedAddresses ? { allowedAddresses: [...local.allowedAddresses] } : {}),
    limits: { ...local.limits },
    contexts: [
      {
        abstractSyntax: VERIFICATION_SOP_CLASS,
        transferSyntaxes: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
      },
      STORAGE_COMMITMENT_LISTENER_CONTEXT,
    ],
    handlers: { 'N-EVENT-REPORT': reportHandler },
    maxAssociations: local.maxAssociations,
    maxPduLength: local.maxPduLength,
    implementationClassUid: config.implementation.classUid,
    implementationVersionName: config.implementation.versionName,
    timeouts: { ...local.timeouts },
    ...(local.tls.enabled
      ? {
          tls: {
            // The global certificate source, resolved once (certificates.ts): files or a token key.
            ...credentialsFor(tls),
            minVersion: tls.minVersion,
            requireClientCertificate: local.tls.requireClientCertificate,
          },
        }
      : {}),
    logger,
  });
}

/** The persistent queue (NFR-REL-01) with the configured back-off and per-destination concurrency. */
export async function openQueue(
  config: DicomServiceOptions,
  dir: string,
  sender: QueueOptions['sender'],
  onDelivered: QueueOptions['onDelivered'],
  logger: Logger,
): Promise<TransmissionQueue> {
  return await TransmissionQueue.open({
    dir,
    sender,
    ...(onDelivered ? { onDelivered } : {}),
    logger,
    initialIntervalMs: config.queue.initialIntervalMs,
    backoffMultiplier: config.queue.backoffMultiplier,
    maxAttempts: config.queue.maxAttempts,
    maxConcurrencyPerDestination: config.associationPool.maxSize,
  });
}

/**
 * One C-STORE client, with its own association pool, per configured storage destination: `pacs`
 * and each `storage.<name>` (FR-DICOM-02, -04); keyed by the queue destination of their items.
 */
export function createStorage(config: DicomServiceOptions, logger: Logger): Map<string, StorageClient> {
  const clients = new Map<string, StorageClient>();
  const add = (name: string, d: DestinationOptions) =>
    clients.set(
      name,
      new StorageClient(storageDestination(config, d, logger), {
        pool: { ...config.associationPool },
        logger,
      }),
    );
  if (config.pacs) add(PACS, config.pacs);
  for (const [name, d] of Object.entries(config.storage ?? {})) add(name, d);
  return clients;
}
