/**
 * Prior studies for the console (FR-DICOM-06): the patient's earlier studies from the configured
 * `queryRetrieve` destination (Study Root C-FIND), and one study fetched into a bounded local
 * cache by C-GET (on the association) or C-MOVE (to a storage SCP of ours started for it), with
 * progress from the pending responses. The cache keeps one folder per study, removes the oldest
 * studies beyond its byte budget (never one being written or kept), and removes a study when the
 * caller is done with it unless it was kept.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@hnvue/core';
import type { NaturalDataset } from '@hnvue/dicom';
import {
  createStorageScp,
  DEFAULT_STORE_SOP_CLASSES,
  getAssociationOptions,
  type QrMatch,
  qrContexts,
  qrFindAll,
  qrGet,
  qrMove,
  type RetrieveProgress,
  type RetrieveResult,
  retrieveAll,
  type StoredInstance,
  withAssociation,
} from '@hnvue/net';
import type { DicomServiceOptions } from './config/index.js';
import { associationOptionsFor, requireDestination } from './destinations.js';
import { FacadeError } from './errors.js';

/** One prior study as the archive describes it. */
export interface PriorStudy {
  readonly studyInstanceUid: string;
  /** YYYYMMDD, or '' when the archive gave none. */
  readonly studyDate: string;
  readonly studyDescription: string;
  readonly accessionNumber: string;
  readonly modalities: readonly string[];
  readonly numberOfInstances: number | undefined;
  /** The whole C-FIND answer, for keys not named above. */
  readonly dataset: NaturalDataset;
}

export interface FindPriorsOptions {
  /** Only studies with this modality (Modalities in Study). */
  readonly modality?: string;
  /** Only studies on or after this day. */
  readonly since?: Date | string;
  /** At most this many studies, newest first. */
  readonly limit?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

const text = (v: unknown): string =>
  v === undefined || v === null ? '' : String(Array.isArray(v) ? (v[0] ?? '') : v);
const list = (v: unknown): string[] =>
  v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v.map(String) : String(v).split('\\');

function toStudy(m: QrMatch): PriorStudy {
  const ds = m.dataset;
  const n = Number(text(ds.NumberOfStudyRelatedInstances));
  return {
    studyInstanceUid: m.studyInstanceUid ?? text(ds.StudyInstanceUID),
    studyDate: text(ds.StudyDate),
    studyDescription: text(ds.StudyDescription),
    accessionNumber: text(ds.AccessionNumber),
    modalities: list(ds.ModalitiesInStudy),
    numberOfInstances: Number.isFinite(n) && text(ds.NumberOfStudyRelatedInstances) !== '' ? n : undefined,
    dataset: ds,
  };
}

/** The patient's studies in the `queryRetrieve` destination, newest first. */
export async function findPriors(
  config: DicomServiceOptions,
  patientId: string,
  options: FindPriorsOptions = {},
): Promise<PriorStudy[]> {
  if (patientId.trim() === '') {
    throw new FacadeError(
      'HNV_ERR_INVALID_ARGUMENT',
      'findPriors needs a Patient ID (a universal match would return every patient)',
    );
  }
  const destination = requireDestination(config, 'queryRetrieve');
  const query = {
    level: 'STUDY',
    patientId,
    ...(options.since ? { studyDate: { from: options.since } } : {}),
    ...(options.modality ? { modalitiesInStudy: options.modality } : {}),
    returnKeys: ['StudyDescription', 'NumberOfStudyRelatedInstances', 'ModalitiesInStudy'],
  } as const;
  const matches = await withAssociation(
    {
      ...associationOptionsFor(config, destination, options.logger),
      presentationContexts: qrContexts(['study'], ['find']),
    },
    (association) => qrFindAll(association, query, options.signal ? { signal: options.signal } : {}),
  );
  const studies = matches.map(toStudy).sort((a, b) => b.studyDate.localeCompare(a.studyDate));
  return options.limit === undefined ? studies : studies.slice(0, Math.max(0, options.limit));
}

export interface PriorsCacheOptions {
  /** The cache folder (one sub-folder per study). */
  readonly directory: string;
  /** Total size the cache may hold; the oldest studies (not kept) go first. Default 2 GiB. */
  readonly maxBytes?: number;
}

export interface RetrievePriorsOptions {
  /** C-GET on the association (default), or C-MOVE to our own storage SCP. */
  readonly via?: 'get' | 'move';
  /** For `move`: the port our storage SCP listens on, as the archive knows our AE (local.aeTitle). */
  readonly movePort?: number;
  /** Storage SOP classes accepted (C-GET role selection); default the X-ray set. */
  readonly sopClasses?: readonly string[];
  readonly onProgress?: (progress: RetrieveProgress) => void;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

/** A study in the cache: its folder and files, and the archive's final counts. */
export interface RetrievedStudy {
  readonly studyInstanceUid: string;
  readonly directory: string;
  readonly files: readonly string[];
  readonly result: RetrieveResult;
}

const UID = /^[0-9]+(\.[0-9]+)*$/;

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir, { recursive: true })) {
    const s = await stat(join(dir, String(name))).catch(() => undefined);
    if (s?.isFile()) total += s.size;
  }
  return total;
}

/** A bounded folder of prior studies. */
export class PriorsCache {
  readonly directory: string;
  readonly maxBytes: number;
  readonly #kept = new Set<string>();
  readonly #busy = new Set<string>();

  constructor(options: PriorsCacheOptions) {
    this.directory = options.directory;
    this.maxBytes = options.maxBytes ?? 2 * 1024 ** 3;
  }

  /** The folder of a study (its UID checked: a received UID never becomes an arbitrary path). */
  folderOf(studyInstanceUid: string): string {
    if (!UID.test(studyInstanceUid) || studyInstanceUid.length > 64) {
      throw new FacadeError(
        'HNV_ERR_INVALID_ARGUMENT',
        'a Study Instance UID must be a plain UID of at most 64 characters',
      );
    }
    return join(this.directory, studyInstanceUid);
  }

  /** Keep a study beyond `release` and eviction (e.g. the radiographer pinned it). */
  keep(studyInstanceUid: string): void {
    this.#kept.add(studyInstanceUid);
  }

  /** Done with a study: removed unless kept. */
  async release(studyInstanceUid: string): Promise<void> {
    if (this.#kept.has(studyInstanceUid)) return;
    await rm(this.folderOf(studyInstanceUid), { recursive: true, force: true });
  }

  /** Removes the oldest studies (not kept, not being written) until the cache fits its budget. */
  async evict(): Promise<string[]> {
    await mkdir(this.directory, { recursive: true });
    const studies: { uid: string; bytes: number; mtime: number }[] = [];
    for (const uid of await readdir(this.directory)) {
      const dir = join(this.directory, uid);
      const s = await stat(dir).catch(() => undefined);
      if (s?.isDirectory()) studies.push({ uid, bytes: await folderBytes(dir), mtime: s.mtimeMs });
    }
    let total = studies.reduce((t, s) => t + s.bytes, 0);
    const removed: string[] = [];
    for (const s of studies.sort((a, b) => a.mtime - b.mtime)) {
      if (total <= this.maxBytes) break;
      if (this.#kept.has(s.uid) || this.#busy.has(s.uid)) continue;
      await rm(join(this.directory, s.uid), { recursive: true, force: true });
      total -= s.bytes;
      removed.push(s.uid);
    }
    return removed;
  }

  /** Fetches one study from the `queryRetrieve` destination into its folder. */
  async retrieve(
    config: DicomServiceOptions,
    studyInstanceUid: string,
    options: RetrievePriorsOptions = {},
  ): Promise<RetrievedStudy> {
    const directory = this.folderOf(studyInstanceUid);
    const destination = requireDestination(config, 'queryRetrieve');
    await mkdir(directory, { recursive: true });
    this.#busy.add(studyInstanceUid);
    const files: string[] = [];
    const storage = {
      directory,
      fsync: false,
      onStored: (i: StoredInstance) => files.push(i.path),
      ...(options.logger ? { logger: options.logger } : {}),
    };
    const target = { level: 'STUDY' as const, studyInstanceUid };
    const events = { ...(options.signal ? { signal: options.signal } : {}) };
    try {
      let result: RetrieveResult;
      if ((options.via ?? 'get') === 'get') {
        const sopClasses = options.sopClasses ?? DEFAULT_STORE_SOP_CLASSES;
        result = await withAssociation(
          {
            ...associationOptionsFor(config, destination, options.logger),
            ...getAssociationOptions({ models: ['study'], operations: ['get'], sopClasses, storage }),
          },
          (association) => retrieveAll(qrGet(association, target, events), options.onProgress),
        );
      } else {
        if (options.movePort === undefined) {
          throw new FacadeError(
            'HNV_ERR_INVALID_ARGUMENT',
            "retrieve via 'move' needs movePort: the port the archive sends our AE's objects to",
          );
        }
        const scp = createStorageScp({ ...storage, server: { aeTitles: [config.local.aeTitle] } });
        await scp.listen(options.movePort);
        try {
          result = await withAssociation(
            {
              ...associationOptionsFor(config, destination, options.logger),
              presentationContexts: qrContexts(['study'], ['move']),
            },
            (association) =>
              retrieveAll(
                qrMove(association, target, { ...events, destination: config.local.aeTitle }),
                options.onProgress,
              ),
          );
        } finally {
          await scp.close();
        }
      }
      return { studyInstanceUid, directory, files, result };
    } finally {
      // Evict while this study is still marked busy: the one just written never goes first.
      await this.evict().finally(() => this.#busy.delete(studyInstanceUid));
    }
  }
}
