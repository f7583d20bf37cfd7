/**
 * A Query/Retrieve SCP (PS3.4 Annex C; FR-DICOM-06) over the objects the simulated PACS has
 * stored: Study Root and Patient Root C-FIND (hierarchical; single value, wildcard, UID list,
 * date range and sequence matching through the worklist matcher), C-MOVE to known AE titles
 * (a new association per move, sub-operations carrying the Move Originator, PS3.7 9.3.1.1) and
 * C-GET (C-STOREs on the requestor's association, where the SCP role was granted, PS3.4 C.5.3).
 * Pending responses carry the sub-operation counts; C-CANCEL stops at the next boundary (FE00).
 * Notifications carry counts only, never patient data.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { guardLogger, type Logger, silentLogger } from '@hnvue/core';
import {
  decodeDataset,
  decodeDatasetStream,
  encodeDataset,
  type NaturalDataset,
  parsePart10Header,
  TS,
} from '@hnvue/dicom';
import {
  Association,
  type DimseReply,
  type IncomingRequest,
  type InformationModel,
  isLevelOf,
  QR_SOP_CLASS,
  type QueryLevel,
  type RequestHandler,
  STATUS,
  storeInstance,
  UNIQUE_KEY,
} from '@hnvue/net';
import { matchesIdentifier, projectItem } from './worklist-scp.js';

/** One stored object: where it is, and its attributes (without pixel data) for matching. */
export interface IndexedInstance {
  readonly path: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntax: string;
  readonly attributes: NaturalDataset;
}

/** Where a C-MOVE destination AE title listens. */
export interface QrDestination {
  readonly host: string;
  readonly port: number;
}

export interface QrScpOptions {
  /** The stored objects, read at each request. */
  readonly instances: () => Iterable<IndexedInstance>;
  /** Known move destinations; undefined → A801 (PS3.4 C.4.2.1.4.1). */
  readonly destination: (aeTitle: string) => QrDestination | undefined;
  /** Our AE title, the calling AE of move sub-associations. */
  readonly aeTitle: string;
  readonly onRetrieve?: (operation: 'C-MOVE' | 'C-GET', completed: number, failed: number) => void;
  readonly onQuery?: (matches: number) => void;
  readonly logger?: Logger;
}

const BULK = new Set(['PixelData', 'FloatPixelData', 'DoubleFloatPixelData']);

/** Reads a stored file into an index entry (its pixel data left out). */
export async function indexFile(path: string): Promise<IndexedInstance> {
  const bytes = new Uint8Array(await readFile(path));
  const header = parsePart10Header(bytes);
  const { dataset } = decodeDataset(bytes.subarray(header.datasetOffset), {
    transferSyntax: header.meta.transferSyntaxUid,
    charsetErrors: 'flag',
  });
  const attributes: NaturalDataset = {};
  for (const [k, v] of Object.entries(dataset)) if (!BULK.has(k)) attributes[k] = v;
  return {
    path,
    sopClassUid: header.meta.mediaStorageSopClassUid,
    sopInstanceUid: header.meta.mediaStorageSopInstanceUid,
    transferSyntax: header.meta.transferSyntaxUid,
    attributes,
  };
}

/** Indexes every `.dcm` file of a folder (unreadable ones are skipped). */
export async function indexFolder(dir: string): Promise<IndexedInstance[]> {
  const out: IndexedInstance[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (!name.endsWith('.dcm')) continue;
    try {
      out.push(await indexFile(join(dir, name)));
    } catch {
      // Not a Part 10 file, or one being written: not part of the archive.
    }
  }
  return out;
}

function modelOf(sopClass: string): InformationModel {
  return Object.values(QR_SOP_CLASS.patient).includes(sopClass) ? 'patient' : 'study';
}

const COMPUTED = new Set([
  'NumberOfPatientRelatedStudies',
  'NumberOfPatientRelatedSeries',
  'NumberOfPatientRelatedInstances',
  'NumberOfStudyRelatedSeries',
  'NumberOfStudyRelatedInstances',
  'NumberOfSeriesRelatedInstances',
  'ModalitiesInStudy',
]);

function values(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x ?? '')).filter((x) => x !== '');
}

/**
 * The instances an identifier selects (PS3.4 C.2.2.2): list-of-UID keys and ModalitiesInStudy
 * here, every other key by the worklist matcher.
 */
function select(identifier: NaturalDataset, instances: Iterable<IndexedInstance>): IndexedInstance[] {
  const lists: [string, string[]][] = [];
  const rest: NaturalDataset = {};
  let modalities: string[] = [];
  for (const [key, value] of Object.entries(identifier)) {
    if (key === 'ModalitiesInStudy') modalities = values(value);
    else if (COMPUTED.has(key)) continue;
    else if (key.endsWith('UID') && Array.isArray(value) && value.length > 1)
      lists.push([key, values(value)]);
    else rest[key] = value;
  }
  const all = [...instances];
  let picked = all.filter(
    (i) =>
      lists.every(([k, want]) => want.includes(String(i.attributes[k] ?? ''))) &&
      matchesIdentifier(rest, i.attributes),
  );
  if (modalities.length > 0) {
    const studies = new Set(
      all
        .filter((i) => modalities.includes(String(i.attributes.Modality ?? '')))
        .map((i) => i.attributes.StudyInstanceUID),
    );
    picked = picked.filter((i) => studies.has(i.attributes.StudyInstanceUID));
  }
  return picked;
}

/** One representative per entity of `level`, with the computed attributes of PS3.4 C.3.4. */
function entities(
  level: QueryLevel,
  picked: readonly IndexedInstance[],
  all: readonly IndexedInstance[],
): NaturalDataset[] {
  const key = UNIQUE_KEY[level];
  const seen = new Map<string, NaturalDataset>();
  for (const i of picked) {
    const id = String(i.attributes[key] ?? '');
    if (seen.has(id)) continue;
    const under = all.filter((x) => String(x.attributes[key] ?? '') === id);
    const series = new Set(under.map((x) => x.attributes.SeriesInstanceUID));
    const studies = new Set(under.map((x) => x.attributes.StudyInstanceUID));
    seen.set(id, {
      ...i.attributes,
      SOPClassUID: i.sopClassUid,
      QueryRetrieveLevel: level,
      NumberOfPatientRelatedStudies: String(studies.size),
      NumberOfPatientRelatedSeries: String(series.size),
      NumberOfPatientRelatedInstances: String(under.length),
      NumberOfStudyRelatedSeries: String(series.size),
      NumberOfStudyRelatedInstances: String(under.length),
      NumberOfSeriesRelatedInstances: String(under.length),
      ModalitiesInStudy: [...new Set(under.map((x) => String(x.attributes.Modality ?? '')).filter(Boolean))],
    });
  }
  return [...seen.values()];
}

async function identifierOf(request: IncomingRequest): Promise<NaturalDataset | undefined> {
  if (request.dataset === undefined) return undefined;
  const { dataset } = await decodeDatasetStream(request.dataset, { transferSyntax: request.transferSyntax });
  return dataset;
}

function levelOf(identifier: NaturalDataset, model: InformationModel): QueryLevel | undefined {
  const level = String(identifier.QueryRetrieveLevel ?? '').trim();
  return isLevelOf(model, level) ? level : undefined;
}

/** The C-FIND, C-MOVE and C-GET handlers of the Q/R SCP. */
export function qrScpHandlers(options: QrScpOptions): {
  readonly 'C-FIND': RequestHandler;
  readonly 'C-MOVE': RequestHandler;
  readonly 'C-GET': RequestHandler;
} {
  const log = guardLogger(options.logger ?? silentLogger).child({ component: 'qr-scp' });

  const findHandler: RequestHandler = (request) =>
    (async function* (): AsyncGenerator<DimseReply> {
      const identifier = await identifierOf(request);
      const model = modelOf(request.abstractSyntax);
      const level = identifier && levelOf(identifier, model);
      if (identifier === undefined || level === undefined) {
        // PS3.4 C.4.1.1.4: A900 identifier does not match SOP class.
        yield {
          status: STATUS.dataSetDoesNotMatchSopClass,
          command: { errorComment: 'bad Query/Retrieve Level' },
        };
        return;
      }
      const all = [...options.instances()];
      const matches = entities(level, select(identifier, all), all);
      let sent = 0;
      for (const entity of matches) {
        if (request.signal.aborted) break;
        const projected = projectItem(identifier, entity);
        projected.QueryRetrieveLevel = level;
        yield {
          status: STATUS.pending,
          dataset: encodeDataset(projected, { transferSyntax: request.transferSyntax }),
        };
        sent++;
      }
      options.onQuery?.(sent);
      yield { status: request.signal.aborted ? STATUS.cancel : STATUS.success };
    })();

  const retrieve =
    (operation: 'C-MOVE' | 'C-GET'): RequestHandler =>
    (request) =>
      (async function* (): AsyncGenerator<DimseReply> {
        const identifier = await identifierOf(request);
        const model = modelOf(request.abstractSyntax);
        const level = identifier && levelOf(identifier, model);
        if (identifier === undefined || level === undefined) {
          yield {
            status: STATUS.dataSetDoesNotMatchSopClass,
            command: { errorComment: 'bad Query/Retrieve Level' },
          };
          return;
        }
        let target: Association = request.association;
        let opened: Association | undefined;
        const selected = select(identifier, options.instances());
        if (operation === 'C-MOVE') {
          const ae = request.command.moveDestination ?? '';
          const destination = options.destination(ae.trim());
          if (destination === undefined) {
            yield {
              status: STATUS.moveDestinationUnknown,
              command: { errorComment: 'move destination unknown' },
            };
            return;
          }
          const classes = [...new Set(selected.map((i) => i.sopClassUid))];
          try {
            opened = await Association.open({
              host: destination.host,
              port: destination.port,
              callingAeTitle: options.aeTitle,
              calledAeTitle: ae,
              presentationContexts: classes.map((abstractSyntax) => ({
                abstractSyntax,
                transferSyntaxes: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
              })),
              logger: log,
            });
          } catch (err) {
            log.warn({ err: (err as Error).message }, 'move destination not reachable');
            // PS3.4 C.4.2.1.4.1: A702 refused, unable to perform sub-operations.
            yield {
              status: STATUS.outOfResourcesSubOperations,
              command: { numberOfFailedSuboperations: selected.length },
            };
            return;
          }
          target = opened;
        }
        let completed = 0;
        let failed = 0;
        const failedUids: string[] = [];
        let remaining = selected.length;
        try {
          for (const instance of selected) {
            if (request.signal.aborted) break;
            const context = target.findContext(instance.sopClassUid);
            // C-GET: only where the requestor took the SCP role (PS3.7 D.3.3.4).
            const allowed = context !== undefined && (operation === 'C-MOVE' || context.requestorScp);
            let ok = false;
            if (allowed) {
              try {
                await storeInstance(target, instance.path, {
                  ...(operation === 'C-MOVE'
                    ? {
                        moveOriginator: {
                          aeTitle: request.association.callingAeTitle,
                          messageId: request.command.messageId ?? 0,
                        },
                      }
                    : {}),
                });
                ok = true;
              } catch (err) {
                log.warn({ err: (err as Error).message }, `${operation} sub-operation failed`);
              }
            }
            remaining--;
            if (ok) completed++;
            else {
              failed++;
              failedUids.push(instance.sopInstanceUid);
            }
            if (!target.usable) break;
            if (remaining > 0 && !request.signal.aborted) {
              yield {
                status: STATUS.pending,
                command: {
                  numberOfRemainingSuboperations: remaining,
                  numberOfCompletedSuboperations: completed,
                  numberOfFailedSuboperations: failed,
                  numberOfWarningSuboperations: 0,
                },
              };
            }
          }
        } finally {
          if (opened) await opened.release().catch(() => opened?.abort());
        }
        options.onRetrieve?.(operation, completed, failed);
        const counts = {
          numberOfCompletedSuboperations: completed,
          numberOfFailedSuboperations: failed,
          numberOfWarningSuboperations: 0,
        };
        if (request.signal.aborted) {
          yield { status: STATUS.cancel, command: { ...counts, numberOfRemainingSuboperations: remaining } };
          return;
        }
        // PS3.4 C.4.2.1.5: B000 when some sub-operations failed, with the Failed SOP Instance UID List.
        // A702 when none could be done; B000 (sub-operations complete, one or more failures) otherwise.
        const status =
          failed === 0 ? STATUS.success : completed === 0 ? STATUS.outOfResourcesSubOperations : 0xb000;
        yield {
          status,
          command: counts,
          ...(failed > 0
            ? {
                dataset: encodeDataset(
                  { FailedSOPInstanceUIDList: failedUids },
                  { transferSyntax: request.transferSyntax },
                ),
              }
            : {}),
        };
      })();

  return { 'C-FIND': findHandler, 'C-MOVE': retrieve('C-MOVE'), 'C-GET': retrieve('C-GET') };
}
