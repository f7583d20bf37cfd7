import { describe, expect, it } from 'vitest';
import type { NegotiatedContext } from '../../src/acse/negotiate.js';
import {
  DEFAULT_STORE_TRANSFER_SYNTAXES,
  planTransfer,
  proposedTransferSyntaxes,
  storageContexts,
} from '../../src/storage/negotiation.js';
import { SOP, TS } from './helpers.js';

const J2K_LOSSY = '1.2.840.10008.1.2.4.91';
const RLE = '1.2.840.10008.1.2.5';

function accepted(sopClass: string, syntaxes: readonly string[]): NegotiatedContext[] {
  return syntaxes.map((transferSyntax, i) => ({
    id: 2 * i + 1,
    abstractSyntax: sopClass,
    proposedTransferSyntaxes: [transferSyntax],
    result: 0,
    transferSyntax,
    requestorScu: true,
    requestorScp: false,
  }));
}

describe('C-STORE transfer syntax negotiation', () => {
  it('FR-DICOM-04.negotiation: proposes the image own syntax first, then J2K lossless, JPEG SV1, Explicit, Implicit last', () => {
    expect(DEFAULT_STORE_TRANSFER_SYNTAXES).toEqual([
      TS.jpeg2000Lossless,
      TS.jpegLosslessSv1,
      TS.explicit,
      TS.implicit,
    ]);
    expect(proposedTransferSyntaxes(RLE)).toEqual([
      RLE,
      TS.jpeg2000Lossless,
      TS.jpegLosslessSv1,
      TS.explicit,
      TS.implicit,
    ]);
    expect(proposedTransferSyntaxes(TS.explicit)).toEqual([
      TS.explicit,
      TS.jpeg2000Lossless,
      TS.jpegLosslessSv1,
      TS.implicit,
    ]);
    // A configured list without Implicit still ends with it, unless the destination drops it.
    expect(proposedTransferSyntaxes(undefined, { transferSyntaxes: [TS.implicit, TS.explicit] })).toEqual([
      TS.explicit,
      TS.implicit,
    ]);
    expect(
      proposedTransferSyntaxes(undefined, { transferSyntaxes: [TS.explicit], proposeImplicit: false }),
    ).toEqual([TS.explicit]);
  });

  it('FR-DICOM-04.negotiation: one presentation context per transfer syntax, so the acceptor answer shows each choice', () => {
    const contexts = storageContexts([
      { sopClassUid: SOP.dx, transferSyntax: RLE },
      { sopClassUid: SOP.dx, transferSyntax: TS.explicit },
      { sopClassUid: SOP.cr },
    ]);
    expect(contexts.every((c) => c.transferSyntaxes.length === 1)).toBe(true);
    expect(contexts.filter((c) => c.abstractSyntax === SOP.dx).map((c) => c.transferSyntaxes[0])).toEqual([
      RLE,
      TS.explicit,
      TS.jpeg2000Lossless,
      TS.jpegLosslessSv1,
      TS.implicit,
    ]);
    expect(contexts.filter((c) => c.abstractSyntax === SOP.cr)).toHaveLength(4);
    const many = Array.from({ length: 40 }, (_, i) => ({ sopClassUid: `1.2.3.${i}` }));
    expect(() => storageContexts(many)).toThrow(/128/);
  });

  it('FR-DICOM-04.transcode: sends as is when the own syntax is accepted, else the first accepted one it can transcode to', () => {
    expect(
      planTransfer(accepted(SOP.dx, [TS.implicit, TS.jpeg2000Lossless]), SOP.dx, TS.jpeg2000Lossless),
    ).toEqual({
      kind: 'asIs',
      transferSyntax: TS.jpeg2000Lossless,
    });
    expect(
      planTransfer(accepted(SOP.dx, [TS.implicit, TS.explicit, TS.jpegLosslessSv1]), SOP.dx, RLE),
    ).toMatchObject({
      kind: 'transcode',
      transferSyntax: TS.jpegLosslessSv1,
      candidates: [TS.jpegLosslessSv1, TS.explicit, TS.implicit],
    });
    // Implicit VR LE is the always-available fallback.
    expect(planTransfer(accepted(SOP.dx, [TS.implicit]), SOP.dx, TS.jpeg2000Lossless)).toMatchObject({
      transferSyntax: TS.implicit,
    });
    // Lossy only when the destination allows it.
    expect(planTransfer(accepted(SOP.dx, [J2K_LOSSY]), SOP.dx, TS.explicit)).toBeUndefined();
    expect(
      planTransfer(accepted(SOP.dx, [J2K_LOSSY]), SOP.dx, TS.explicit, { allowLossy: true }),
    ).toMatchObject({
      transferSyntax: J2K_LOSSY,
    });
    // Another SOP class's contexts do not count.
    expect(planTransfer(accepted(SOP.cr, [TS.explicit]), SOP.dx, TS.explicit)).toBeUndefined();
  });
});
