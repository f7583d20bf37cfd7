/**
 * Where a stored object goes (issue 21): `pacs` (when configured) gets every object, as before
 * named storage destinations existed; a named destination gets the kinds it `receives` and those
 * a `routing` rule sends it. One queue item per (object, destination), each with its own back-off,
 * status and circuit breaker in the queue (keyed by `item.destination`).
 */
import { sopClass } from '@hnvue/dicom';
import type { CommitmentDestinationOptions, DicomServiceOptions, ObjectKind } from './config/index.js';

/** The queue destination of the `pacs` block's items; named destinations use their own name. */
export const PACS = 'pacs';

/** The queue destination of a storage destination's commitment requests. */
export function commitmentQueueDestination(destination: string): string {
  // `commitment` for pacs, as before named destinations (items queued by earlier versions).
  return destination === PACS ? 'commitment' : `${destination}/commitment`;
}

/** The object kind of a SOP class: dose reports and presentation states by name, the rest images. */
export function objectKindOf(sopClassUid: string): ObjectKind {
  const name = sopClass(sopClassUid)?.name ?? '';
  if (/Radiation Dose SR Storage$/.test(name)) return 'dose-reports';
  if (/Presentation State Storage$/.test(name)) return 'presentation-states';
  return 'images';
}

/** The storage destinations an object of this SOP class goes to, `pacs` first; empty when none. */
export function storageTargets(config: DicomServiceOptions, sopClassUid: string): string[] {
  const kind = objectKindOf(sopClassUid);
  const routed = new Set(config.routing?.[kind] ?? []);
  const named = Object.entries(config.storage ?? {})
    .filter(([name, d]) => d.receives.includes(kind) || routed.has(name))
    .map(([name]) => name);
  return config.pacs ? [PACS, ...named] : named;
}

/** Every configured storage destination, `pacs` first. */
export function storageDestinationNames(config: DicomServiceOptions): string[] {
  return [...(config.pacs ? [PACS] : []), ...Object.keys(config.storage ?? {})];
}

/** The commitment SCP of a storage destination: the top-level `commitment` for pacs. */
export function commitmentFor(
  config: DicomServiceOptions,
  destination: string,
): CommitmentDestinationOptions | undefined {
  return destination === PACS ? config.commitment : config.storage?.[destination]?.commitment;
}

/** Whether "delivered" waits for this destination: pacs always; a removed destination never. */
export function requiredForDelivered(config: DicomServiceOptions, destination: string): boolean {
  if (destination === PACS) return config.pacs !== undefined;
  return config.storage?.[destination]?.requiredForDelivered ?? false;
}

/**
 * The other storage destination whose commitment SCP (or storage AE) `reportedBy` is, when it is
 * not also one of `destination`'s: a report for this destination's transaction from another
 * destination's SCP is not counted, so two destinations' commitments never mix. A calling AE title
 * no destination names (`acceptAnyCallingAeTitle`: a PACS reporting under several) still counts.
 */
export function reportFromOtherDestination(
  config: DicomServiceOptions,
  destination: string,
  reportedBy: string,
): string | undefined {
  const ae = reportedBy.trim();
  const titles = (d: string) => [commitmentFor(config, d)?.aeTitle, storageAeTitle(config, d)];
  if (titles(destination).includes(ae)) return undefined;
  return storageDestinationNames(config).find((d) => d !== destination && titles(d).includes(ae));
}

function storageAeTitle(config: DicomServiceOptions, destination: string): string | undefined {
  return destination === PACS ? config.pacs?.aeTitle : config.storage?.[destination]?.aeTitle;
}
