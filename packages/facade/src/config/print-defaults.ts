/**
 * The `printer.defaults` section (FR-DICOM-11): the films `print()` makes when its options leave a
 * value out, checked for their VR only.
 */
import * as z from 'zod/mini';
import { flag, intIn, oneOf, type Schema } from './primitives.js';
import type { PrintDefaults } from './types.js';

// PS3.5 6.2 CS VR: upper-case letters, digits, space and underscore, at most 16 characters.
const CS_EXPECTED = 'expected code string: A-Z, 0-9, space or underscore, 1-16 characters';
const codeString = () =>
  z.string({ error: CS_EXPECTED }).check(z.regex(/^[A-Z0-9 _]{1,16}$/, { error: CS_EXPECTED }));
// PS3.4 H.4.2.2.1: a film box stores a US density (hundredths of OD).
const density = () => intIn(0, 65535, 'density in hundredths of OD, integer 0-65535');

// The films `print()` makes when its options leave a value out (FR-DICOM-11). Values are checked
// for their VR only: which film sizes, media or magnifications a printer takes is its own list
// (PS3.3 C.13.1, C.13.3 give Defined Terms, not Enumerated Values).
export const printDefaultsSchema: Schema<PrintDefaults> = z
  .strictObject({
    layout: z.optional(
      z
        .string({ error: 'expected STANDARD\\c,r (columns,rows 1-99)' })
        .check(
          z.regex(/^STANDARD\\[1-9]\d?,[1-9]\d?$/, { error: 'expected STANDARD\\c,r (columns,rows 1-99)' }),
        ),
    ),
    copies: z.optional(intIn(1, 99)),
    priority: z.optional(oneOf(['HIGH', 'MED', 'LOW'])),
    mediumType: z.optional(codeString()),
    filmDestination: z.optional(codeString()),
    // LO VR (PS3.5 6.2): 64 characters, no backslash.
    label: z.optional(
      z.string({ error: 'expected film session label: 1-64 characters, no backslash' }).check(
        z.regex(/^[^\\\x00-\x1f]{1,64}$/, {
          error: 'expected film session label: 1-64 characters, no backslash',
        }),
      ),
    ),
    filmSize: z.optional(codeString()),
    orientation: z.optional(oneOf(['PORTRAIT', 'LANDSCAPE'])),
    magnification: z.optional(codeString()),
    smoothing: z.optional(codeString()),
    border: z.optional(oneOf(['BLACK', 'WHITE'])),
    emptyImageDensity: z.optional(codeString()),
    minDensity: z.optional(density()),
    maxDensity: z.optional(density()),
    trim: z.optional(flag()),
    // ST VR (PS3.5 6.2): 1024 characters.
    configurationInformation: z.optional(
      z
        .string({ error: 'expected text of 1-1024 characters' })
        .check(z.minLength(1, { error: 'expected text of 1-1024 characters' }))
        .check(z.maxLength(1024, { error: 'expected text of 1-1024 characters' })),
    ),
    bitDepth: z.optional(z.union([z.literal(8), z.literal(12)], { error: 'expected 8 or 12' })),
    on12BitRefused: z.optional(oneOf(['error', 'convert'])),
    imageBox: z.optional(
      z.strictObject({
        rows: intIn(16, 8192, 'pixels, integer 16-8192'),
        columns: intIn(16, 8192, 'pixels, integer 16-8192'),
      }),
    ),
  })
  .check(
    z.superRefine((value, ctx) => {
      if (
        value.minDensity !== undefined &&
        value.maxDensity !== undefined &&
        value.minDensity > value.maxDensity
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['minDensity'],
          message: `expected minDensity not above maxDensity (${value.maxDensity})`,
          input: value.minDensity,
        });
      }
    }),
  );
