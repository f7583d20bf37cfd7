/**
 * Open, use, then release or abort (PS3.8 7.2 / 7.3): the one way a caller borrows an association
 * for a unit of work. A failure inside `fn` aborts (A-ABORT): after a timeout or a protocol error
 * a release would wait for an answer that may never come, and the caller is told of the failure
 * anyway. When `fn` succeeds, an association still usable is released (A-RELEASE-RQ/RP).
 */
import { Association } from './association.js';
import type { AssociationOptions } from './types.js';

export async function withAssociation<T>(
  options: AssociationOptions,
  fn: (association: Association) => Promise<T>,
): Promise<T> {
  const association = await Association.open(options);
  let result: T;
  try {
    result = await fn(association);
  } catch (err) {
    association.abort();
    throw err;
  }
  if (association.usable) await association.release();
  return result;
}
