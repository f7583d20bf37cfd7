/**
 * Verification service (PS3.4 Annex A): C-ECHO as SCU and SCP (PS3.7 9.1.5, 9.3.5).
 */
import { TS } from '@hnvue/dicom';
import { VERIFICATION_SOP_CLASS } from '../acse/negotiate.js';
import {
  type AssociationOptions,
  type DimseResponse,
  type RequestHandler,
  withAssociation,
} from '../association.js';
import { STATUS } from '../dimse/index.js';

/** What `echo` proposes, and what our listeners accept for Verification (PS3.4 A). */
export const VERIFICATION_CONTEXT: {
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
} = {
  abstractSyntax: VERIFICATION_SOP_CLASS,
  transferSyntaxes: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
};

/** The default C-ECHO SCP: answers Success (PS3.4 A.4). */
export const echoHandler: RequestHandler = () => ({ status: STATUS.success });

/**
 * Opens an association proposing Verification only (unless `presentationContexts` is given),
 * sends one C-ECHO, releases, and returns the response. Throws the typed errors of
 * `Association.open` and DimseFailureError on a failure status. The association is aborted if
 * anything after opening fails, so no association is left behind.
 */
export async function echo(options: AssociationOptions): Promise<DimseResponse> {
  return await withAssociation(
    { ...options, presentationContexts: options.presentationContexts ?? [VERIFICATION_CONTEXT] },
    (association) => association.echo(options.signal ? { signal: options.signal } : {}),
  );
}
