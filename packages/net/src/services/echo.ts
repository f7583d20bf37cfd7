/**
 * Verification service (PS3.4 Annex A): C-ECHO as SCU and SCP (PS3.7 9.1.5, 9.3.5).
 */
import { TS } from '@hnvue/dicom';
import { VERIFICATION_SOP_CLASS } from '../acse/negotiate.js';
import {
  Association,
  type AssociationOptions,
  type DimseResponse,
  type RequestHandler,
} from '../association.js';
import { STATUS } from '../dimse/index.js';

/** The default C-ECHO SCP: answers Success (PS3.4 A.4). */
export const echoHandler: RequestHandler = () => ({ status: STATUS.success });

/**
 * Opens an association proposing Verification only (unless `presentationContexts` is given),
 * sends one C-ECHO, releases, and returns the response. Throws the typed errors of
 * `Association.open` and DimseFailureError on a failure status. The association is aborted if
 * anything after opening fails, so no association is left behind.
 */
export async function echo(options: AssociationOptions): Promise<DimseResponse> {
  const association = await Association.open({
    ...options,
    presentationContexts: options.presentationContexts ?? [
      {
        abstractSyntax: VERIFICATION_SOP_CLASS,
        transferSyntaxes: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
      },
    ],
  });
  try {
    const response = await association.echo(options.signal ? { signal: options.signal } : {});
    await association.release();
    return response;
  } catch (err) {
    association.abort();
    throw err;
  }
}
