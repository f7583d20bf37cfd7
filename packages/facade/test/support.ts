/** Shared by the restart and crash-window tests of the facade. */

/** A tiny 12-bit DX frame with the acquisition values the builders need. */
export const SMALL_DX = {
  image: {
    rows: 16,
    columns: 16,
    bitsStored: 12,
    pixels: new Uint16Array(256),
    windowCenter: 2048,
    windowWidth: 4096,
  },
  anatomy: { imageLaterality: 'U' as const, bodyPart: 'CHEST' },
  acquisition: { kvp: 110, dapDgyCm2: 0.2, viewPosition: 'PA' as const },
  presentationIntent: 'FOR PRESENTATION' as const,
  detector: { type: 'SCINTILLATOR' as const, imagerPixelSpacingMm: [0.14, 0.14] as const },
};

/** Resolves with the first value `register` reports; rejects after 20 s naming `what`. */
export function waitFor<T>(register: (done: (value: T) => void) => void, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen within 20 s`)), 20_000);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
