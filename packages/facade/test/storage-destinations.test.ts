/**
 * Issue 21: named storage destinations beside `pacs`: the configuration (compatibility, defaults,
 * errors), the routing of object kinds and the per-destination "delivered" rules. No peer here;
 * multi-destination.test.ts is the proof against storescp and Orthanc.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@hnvue/core';
import { SOP_CLASS } from '@hnvue/dicom';
import { describe, expect, it } from 'vitest';
import { partDone, studyDelivered, studyFinished, withPart, withReference } from '../src/delivery.js';
import { configJsonSchema, type DicomServiceOptions, loadConfig, parseConfig } from '../src/index.js';
import { commitmentQueueDestination, objectKindOf, storageTargets } from '../src/routing.js';
import { emptyStudy, type StudyState } from '../src/state.js';
import { listenerCallingAeTitles, needsListener } from '../src/wiring.js';

const minimal = { local: { aeTitle: 'HNVUE_DR1' }, uid: { deviceSerial: '1234' } };
const pacs = { aeTitle: 'PACS', host: 'pacs.hospital.example' };
const commitment = { aeTitle: 'COMMIT', host: 'pacs.hospital.example' };
const archive = { aeTitle: 'ARCHIVE2', host: 'archive.hospital.example', port: 11112 };
const registry = { aeTitle: 'DOSEREG', host: 'dose.hospital.example' };

function issuesOf(input: unknown): readonly string[] {
  try {
    parseConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  expect.fail('expected a ConfigError');
}

const DX = SOP_CLASS.digitalXRayImageStorageForPresentation;
const RDSR = SOP_CLASS.xRayRadiationDoseSrStorage;
const GSPS = SOP_CLASS.grayscaleSoftcopyPresentationStateStorage;

describe('storage destinations: configuration', () => {
  it('NFR-CFG-01: a configuration with only a pacs block has no storage or routing section; pacs gets everything', () => {
    const config = parseConfig({ ...minimal, pacs, commitment });
    expect('storage' in config).toBe(false);
    expect('routing' in config).toBe(false);
    for (const sopClass of [DX, RDSR, GSPS]) expect(storageTargets(config, sopClass)).toEqual(['pacs']);
    expect(listenerCallingAeTitles(config)).toEqual(['COMMIT', 'PACS']);
    expect(commitmentQueueDestination('pacs')).toBe('commitment');
  });

  it('NFR-CFG-01: a named destination gets the storage defaults, all object kinds, no commitment, required', () => {
    const config = parseConfig({ ...minimal, pacs, storage: { archive2: archive } });
    const a = config.storage?.archive2;
    expect(a?.receives).toEqual(['images', 'dose-reports', 'presentation-states']);
    expect(a?.requiredForDelivered).toBe(true);
    expect(a?.commitment).toBeUndefined();
    expect(a?.transferSyntaxes).toEqual(config.pacs?.transferSyntaxes);
    expect(a?.tls).toEqual(config.pacs?.tls);
    expect(a?.timeouts).toEqual(config.pacs?.timeouts);
    expect(
      parseConfig({ ...minimal, storage: { archive2: { ...archive, commitment: 'none' } } }).storage,
    ).toEqual({ archive2: a });
  });

  it('NFR-CFG-01: a destination commitment block gets the commitment defaults and is a listener peer', () => {
    const config = parseConfig({
      ...minimal,
      pacs,
      storage: {
        archive2: { ...archive, commitment: { aeTitle: 'ARCH_SC', host: 'archive.hospital.example' } },
      },
    });
    const c = config.storage?.archive2?.commitment;
    expect(c).toMatchObject({ aeTitle: 'ARCH_SC', port: 104, timeoutMs: 600_000, reportOn: 'either' });
    expect(c?.reRequest).toEqual({ maxRequests: 4, backoffMultiplier: 2, onRestart: true });
    expect(needsListener(config)).toBe(true);
    expect(listenerCallingAeTitles(config)).toEqual(['PACS', 'ARCH_SC', 'ARCHIVE2']);
    expect(commitmentQueueDestination('archive2')).toBe('archive2/commitment');
    expect(needsListener(parseConfig({ ...minimal, pacs, storage: { archive2: archive } }))).toBe(false);
  });

  it('NFR-CFG-01: destination names: usable, unique ignoring case, not a fixed destination', () => {
    expect(issuesOf({ ...minimal, storage: { pacs: archive } })).toEqual([
      'storage.pacs: expected a name other than the fixed destinations (ris, mpps, pacs, commitment, queryRetrieve, printer), got "pacs"',
    ]);
    expect(issuesOf({ ...minimal, storage: { Commitment: archive } })[0]).toMatch(
      /^storage\.Commitment: expected a name other/,
    );
    expect(issuesOf({ ...minimal, storage: { archive2: archive, ARCHIVE2: archive } })).toEqual([
      'storage.ARCHIVE2: expected a unique name (differs from "archive2" only in case), got "ARCHIVE2"',
    ]);
    expect(issuesOf({ ...minimal, storage: { 'a/b': archive } })[0]).toMatch(/expected destination name/);
    expect(issuesOf({ ...minimal, storage: { '2nd': archive } })[0]).toMatch(/expected destination name/);
  });

  it('NFR-CFG-01: routing rules name configured storage destinations; a destination must receive something', () => {
    expect(issuesOf({ ...minimal, pacs, routing: { 'dose-reports': ['doseRegistry'] } })).toEqual([
      'routing.dose-reports[0]: expected a storage destination configured under "storage" (none is), got "doseRegistry"',
    ]);
    expect(
      issuesOf({ ...minimal, storage: { archive2: archive }, routing: { images: ['archive2', 'pacs'] } }),
    ).toEqual([
      'routing.images[1]: expected a storage destination configured under "storage" (archive2), got "pacs"',
    ]);
    expect(issuesOf({ ...minimal, storage: { doseRegistry: { ...registry, receives: [] } } })[0]).toMatch(
      /^storage\.doseRegistry\.receives: expected at least one object kind/,
    );
    expect(
      issuesOf({ ...minimal, storage: { a: { ...archive, receives: ['images', 'images'] } } })[0],
    ).toMatch(/expected object kinds without duplicates/);
    expect(issuesOf({ ...minimal, storage: { a: { ...archive, receives: ['videos'] } } })[0]).toMatch(
      /^storage\.a\.receives\[0\]: expected one of "images", "dose-reports", "presentation-states"/,
    );
    expect(issuesOf({ ...minimal, routing: { waveforms: [] } })[0]).toMatch(/^routing/);
  });

  it('NFR-CFG-01: a storage destination is checked as pacs is (lossy syntaxes, commitment shape, TLS pair)', () => {
    const jpeg = '1.2.840.10008.1.2.4.50';
    expect(issuesOf({ ...minimal, storage: { a: { ...archive, transferSyntaxes: [jpeg] } } })[0]).toMatch(
      /^storage\.a\.transferSyntaxes\[0\]: expected a lossless transfer syntax/,
    );
    expect(issuesOf({ ...minimal, storage: { a: { ...archive, commitment: 'yes' } } })[0]).toMatch(
      /^storage\.a\.commitment: expected "none" or a commitment SCP block/,
    );
    expect(
      issuesOf({ ...minimal, storage: { a: { ...archive, tls: { enabled: true, certPath: '/c.pem' } } } }),
    ).toEqual(['storage.a.tls.keyPath: expected keyPath together with certPath, got nothing']);
  });

  it('NFR-CFG-01: relative TLS paths of a storage destination and its commitment block are resolved against the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hnvue-storage-'));
    try {
      const file = join(dir, 'dicom.json');
      const tls = { enabled: true, certPath: 'certs/c.pem', keyPath: 'certs/c.key' };
      writeFileSync(
        file,
        JSON.stringify({ ...minimal, storage: { a: { ...archive, tls, commitment: { ...archive, tls } } } }),
      );
      const config = loadConfig({ file, env: {} });
      expect(config.storage?.a?.tls.certPath).toBe(join(dir, 'certs/c.pem'));
      expect(config.storage?.a?.commitment?.tls.keyPath).toBe(join(dir, 'certs/c.key'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('NFR-CFG-01: the README example of several destinations loads as documented', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Several storage destinations'));
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]!) as unknown;
    const config = parseConfig(example);
    expect(Object.keys(config.storage ?? {})).toEqual(['archive2', 'doseRegistry']);
    expect(config.storage?.archive2?.commitment?.timeoutMs).toBe(300_000);
    expect(storageTargets(config, DX)).toEqual(['pacs', 'archive2']);
    expect(storageTargets(config, RDSR)).toEqual(['pacs', 'archive2', 'doseRegistry']);
  });

  it('NFR-CFG-01: HNVUE__STORAGE sets the whole storage block from the environment, as JSON', () => {
    const config = loadConfig({
      env: { HNVUE__STORAGE: JSON.stringify({ archive2: archive }) },
      overrides: minimal,
    });
    expect(config.storage?.archive2?.port).toBe(11112);
  });

  it('NFR-CFG-01: the JSON schema describes storage and routing', () => {
    const schema = configJsonSchema() as { properties: Record<string, { type?: string }> };
    expect(schema.properties.storage?.type).toBe('object');
    expect(schema.properties.routing?.type).toBe('object');
  });
});

describe('storage destinations: routing', () => {
  it('FR-DICOM-04/09: object kinds by SOP class: dose reports, presentation states, the rest images', () => {
    expect(objectKindOf(DX)).toBe('images');
    expect(objectKindOf(SOP_CLASS.computedRadiographyImageStorage)).toBe('images');
    expect(objectKindOf(RDSR)).toBe('dose-reports');
    expect(objectKindOf(GSPS)).toBe('presentation-states');
    expect(objectKindOf('1.2.3.4')).toBe('images');
  });

  it('FR-DICOM-04/09: receives and routing rules: the RDSR also to the dose registry, images not', () => {
    const config = parseConfig({
      ...minimal,
      pacs,
      storage: {
        archive2: { ...archive, receives: ['images'] },
        doseRegistry: { ...registry, receives: ['presentation-states'], requiredForDelivered: false },
      },
      routing: { 'dose-reports': ['doseRegistry', 'archive2'] },
    });
    expect(storageTargets(config, DX)).toEqual(['pacs', 'archive2']);
    expect(storageTargets(config, RDSR)).toEqual(['pacs', 'archive2', 'doseRegistry']);
    expect(storageTargets(config, GSPS)).toEqual(['pacs', 'doseRegistry']);
    const noPacs = parseConfig({
      ...minimal,
      storage: { doseRegistry: { ...registry, receives: ['dose-reports'] } },
    });
    expect(storageTargets(noPacs, DX)).toEqual([]);
    expect(storageTargets(noPacs, RDSR)).toEqual(['doseRegistry']);
  });
});

describe('storage destinations: delivered', () => {
  const image = { sopClassUid: DX, sopInstanceUid: '2.25.1' };
  const dose = { sopClassUid: RDSR, sopInstanceUid: '2.25.2' };
  const config: DicomServiceOptions = parseConfig({
    ...minimal,
    pacs,
    commitment,
    storage: {
      archive2: archive,
      doseRegistry: { ...registry, receives: ['dose-reports'], requiredForDelivered: false },
    },
  });

  function study(): StudyState {
    let s = emptyStudy();
    for (const d of ['pacs', 'archive2']) s = withReference(withReference(s, d, image), d, dose);
    s = withReference(s, 'doseRegistry', dose);
    return { ...s, closed: true };
  }
  const accepted = (s: StudyState, d: string, uids: string[]) =>
    withPart(s, d, { ...(d === 'pacs' ? s : s.others![d]!), delivered: uids });

  it('FR-DICOM-07: pacs (commitment) is done when committed; archive2 (none) when every C-STORE is accepted', () => {
    let s = study();
    expect(s.references.map((r) => r.sopInstanceUid)).toEqual(['2.25.1', '2.25.2']);
    expect(s.others?.doseRegistry?.references).toEqual([dose]);
    s = accepted(s, 'pacs', ['2.25.1', '2.25.2']);
    expect(partDone(config, s, 'pacs')).toBe(false);
    s = { ...s, committed: true };
    expect(partDone(config, s, 'pacs')).toBe(true);
    s = accepted(s, 'archive2', ['2.25.1']);
    expect(partDone(config, s, 'archive2')).toBe(false);
    expect(studyDelivered(config, s)).toBe(false);
    s = accepted(s, 'archive2', ['2.25.1', '2.25.2']);
    expect(partDone(config, s, 'archive2')).toBe(true);
    // The dose registry is not required: delivered without it, the record kept until it has it.
    expect(studyDelivered(config, s)).toBe(true);
    expect(studyFinished(config, s)).toBe(false);
    s = accepted(s, 'doseRegistry', ['2.25.2']);
    expect(studyFinished(config, s)).toBe(true);
  });

  it('FR-DICOM-07: an open study is never delivered; a destination removed from the configuration is not waited for', () => {
    let s = accepted(accepted(study(), 'pacs', ['2.25.1', '2.25.2']), 'archive2', ['2.25.1', '2.25.2']);
    s = { ...s, committed: true };
    expect(studyDelivered(config, { ...s, closed: false })).toBe(false);
    const withoutArchive = parseConfig({ ...minimal, pacs, commitment });
    const pacsOnly = { ...s, others: { archive2: { references: [image], delivered: [] } } };
    expect(studyDelivered(withoutArchive, pacsOnly)).toBe(true);
    expect(studyFinished(withoutArchive, pacsOnly)).toBe(true);
  });
});

describe('storage destinations: a destination removed from the configuration', () => {
  it('FR-DICOM-04, NFR-REL-01: its waiting items fail with HNV_ERR_NOT_CONFIGURED; one item per (object, destination)', async () => {
    const { createDicomServices } = await import('../src/index.js');
    const { SMALL_DX } = await import('./support.js');
    const dir = mkdtempSync(join(tmpdir(), 'hnvue-removed-'));
    // Nothing listens on port 9 of 127.0.0.1 (discard, closed): every attempt fails to connect.
    const nowhere = { host: '127.0.0.1', port: 9 };
    const base = {
      ...minimal,
      pacs: { aeTitle: 'PACS', ...nowhere },
      queue: { path: join(dir, 'queue.sqlite'), initialIntervalMs: 100, maxAttempts: 100 },
    };
    try {
      const first = createDicomServices({
        config: { ...base, storage: { archive2: { aeTitle: 'ARCHIVE2', ...nowhere } } },
      });
      await first.start();
      const procedure = await first.startProcedure({
        worklist: {
          item: {
            patientId: 'RM-1',
            otherPatientIds: [],
            requestedProcedureCodes: [],
            referencedStudies: [],
            scheduledProcedureSteps: [{ modality: 'DX', protocolCodes: [] }],
          },
        },
      });
      const image = await first.storeImage(procedure.id, SMALL_DX);
      const items = first.queueItems().filter((i) => i.sopInstanceUid === image.sopInstanceUid);
      expect(items.map((i) => [i.kind, i.destination]).sort()).toEqual([
        ['c-store', 'archive2'],
        ['c-store', 'pacs'],
      ]);
      await first.stop({ graceMs: 0 });

      const second = createDicomServices({ config: base });
      const failed = new Promise<{ destination: string; code: string }>((resolve) =>
        second.on('failed', (info, f) => resolve({ destination: info.destination, code: f.code })),
      );
      await second.start();
      expect(await failed).toEqual({ destination: 'archive2', code: 'HNV_ERR_NOT_CONFIGURED' });
      // The pacs item is not affected: still waiting for its PACS.
      const pacsItem = second.queueItems({ destination: 'pacs' })[0];
      expect(pacsItem?.state).not.toBe('FAILED');
      await second.stop({ graceMs: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
