import { describe, expect, it } from 'vitest';
import { COMMAND_FIELD, encodeCommand, PRIORITY, type RequestCommand } from '../../src/dimse/index.js';
import { qrMove } from '../../src/qr/index.js';

describe('FR-DICOM-02.dimse: DIMSE requests typed per command (PS3.7 9.3, 10.3)', () => {
  it('FR-DICOM-02.dimse: a request missing a mandatory field does not compile; a complete one encodes', () => {
    const store: RequestCommand = {
      commandField: COMMAND_FIELD['C-STORE-RQ'],
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
      affectedSopInstanceUid: '2.25.7',
      priority: PRIORITY.medium,
    };
    expect(encodeCommand({ ...store, messageId: 1, hasDataset: true }).byteLength).toBeGreaterThan(0);
    const uid = '1.2';
    const F = COMMAND_FIELD;
    // @ts-expect-error C-STORE-RQ: Affected SOP Instance UID is mandatory (Table 9.3-1)
    const noInstance: RequestCommand = {
      commandField: F['C-STORE-RQ'],
      affectedSopClassUid: uid,
      priority: 0,
    };
    // @ts-expect-error C-MOVE-RQ: Move Destination is mandatory (Table 9.3-7)
    const noDestination: RequestCommand = {
      commandField: F['C-MOVE-RQ'],
      affectedSopClassUid: uid,
      priority: 0,
    };
    // @ts-expect-error N-ACTION-RQ: Action Type ID is mandatory (Table 10.3-7)
    const noAction: RequestCommand = {
      commandField: F['N-ACTION-RQ'],
      requestedSopClassUid: uid,
      requestedSopInstanceUid: uid,
    };
    const echo: RequestCommand = {
      commandField: F['C-ECHO-RQ'],
      affectedSopClassUid: uid,
      // @ts-expect-error C-ECHO-RQ carries no Move Destination
      moveDestination: 'X',
    };
    const incomplete = [noInstance, noDestination, noAction, echo];
    expect(incomplete).toHaveLength(4);
  });

  it('FR-DICOM-02.dimse: a C-MOVE without a destination is refused before anything is sent', async () => {
    // No association is needed: the check comes before the first use of it.
    const association = {
      contextFor: () => ({ transferSyntax: '1.2.840.10008.1.2.1' }),
      request: () => {
        throw new Error('sent');
      },
    } as unknown as Parameters<typeof qrMove>[0];
    const run = qrMove(association, { level: 'STUDY', studyInstanceUid: '2.25.1' }, { destination: ' ' });
    await expect(run.next()).rejects.toMatchObject({ code: 'HNV_ERR_INVALID_ARGUMENT' });
  });
});
