import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  APPLICATION_CONTEXT_NAME,
  isStorageSopClass,
  SOP_CLASS,
  SOP_CLASSES,
  SOP_INSTANCE,
  STORAGE_SOP_CLASSES,
  sopClass,
  sopClassName,
} from '../../src/uids/index.js';

const require = createRequire(import.meta.url);

describe('SOP class registry', () => {
  it('looks up by UID with name, key, kind, retired', () => {
    expect(sopClass(SOP_CLASS.digitalXRayImageStorageForPresentation)).toEqual({
      key: 'digitalXRayImageStorageForPresentation',
      uid: '1.2.840.10008.5.1.4.1.1.1.1',
      name: 'Digital X-Ray Image Storage - For Presentation',
      kind: 'storage',
      retired: false,
    });
    expect(sopClass('1.2.840.10008.5.1.4.31\0')?.kind).toBe('worklist');
    expect(sopClass('1.2.3')).toBeUndefined();
    expect(sopClassName('1.2.3')).toBe('1.2.3');
    expect(sopClass('1.2.840.10008.1.20.2')?.retired).toBe(true);
  });

  it('holds the well-known UIDs the services use', () => {
    expect(SOP_CLASS.verification).toBe('1.2.840.10008.1.1');
    expect(SOP_CLASS.storageCommitmentPushModel).toBe('1.2.840.10008.1.20.1');
    expect(SOP_INSTANCE.storageCommitmentPushModel).toBe('1.2.840.10008.1.20.1.1');
    expect(SOP_CLASS.modalityWorklistFind).toBe('1.2.840.10008.5.1.4.31');
    expect(SOP_CLASS.modalityPerformedProcedureStep).toBe('1.2.840.10008.3.1.2.3.3');
    expect(SOP_CLASS.studyRootQueryRetrieveMove).toBe('1.2.840.10008.5.1.4.1.2.2.2');
    expect(SOP_CLASS.patientRootQueryRetrieveGet).toBe('1.2.840.10008.5.1.4.1.2.1.3');
    expect(SOP_CLASS.basicGrayscalePrintManagementMeta).toBe('1.2.840.10008.5.1.1.9');
    expect(SOP_INSTANCE.printer).toBe('1.2.840.10008.5.1.1.17');
    expect(SOP_CLASS.presentationLut).toBe('1.2.840.10008.5.1.1.23');
    expect(APPLICATION_CONTEXT_NAME).toBe('1.2.840.10008.3.1.1.1');
    expect(sopClass(SOP_CLASS.basicGrayscalePrintManagementMeta)?.kind).toBe('print-meta');
  });

  it('has unique keys and UIDs, valid UID syntax', () => {
    expect(new Set(SOP_CLASSES.map((c) => c.key)).size).toBe(SOP_CLASSES.length);
    for (const c of SOP_CLASSES) expect(c.uid).toMatch(/^1\.2\.840\.10008(\.(0|[1-9][0-9]*))+$/);
    expect(STORAGE_SOP_CLASSES.length).toBeGreaterThan(60);
    expect(isStorageSopClass(SOP_CLASS.xRayRadiationDoseSrStorage)).toBe(true);
    expect(isStorageSopClass(SOP_CLASS.verification)).toBe(false);
  });

  it('agrees with dcmjs-dimse on every UID both list', () => {
    const { constants } = require('dcmjs-dimse') as {
      constants: {
        SopClass: Record<string, string>;
        StorageClass: Record<string, string>;
        Uid: Record<string, string>;
      };
    };
    const theirs = [...Object.values(constants.SopClass), ...Object.values(constants.StorageClass)];
    let common = 0;
    for (const uid of theirs) if (sopClass(uid) !== undefined) common++;
    // Theirs that we lack are modality classes outside an X-ray console's needs (ophthalmic,
    // microscopy video, IVOCT): named here so a typo in a shared one shows as a miss.
    const missing = theirs.filter((u) => sopClass(u) === undefined);
    for (const uid of missing) expect(uid).toMatch(/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(77|14)\./);
    expect(common).toBeGreaterThan(50);
    expect(constants.Uid.ApplicationContextName).toBe(APPLICATION_CONTEXT_NAME);
  });

  it('agrees with dcmjs on the storage classes it names', () => {
    const { DicomMetaDictionary } = require('dcmjs').data as {
      DicomMetaDictionary: { sopClassNamesByUID: Record<string, string> };
    };
    const missing = Object.keys(DicomMetaDictionary.sopClassNamesByUID).filter(
      (u) => sopClass(u) === undefined,
    );
    for (const uid of missing) expect(uid).toMatch(/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(77|66\.[237]|67)/);
  });
});
