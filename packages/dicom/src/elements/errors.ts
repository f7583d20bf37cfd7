import { HnvError, type HnvErrorOptions } from '@hnvue/core';

export const DATASET_ERROR_CODE = 'HNV_ERR_DATASET' as const;

/** The bytes are not a well-formed data set, or a value cannot be written in its VR. */
export class DatasetError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(DATASET_ERROR_CODE, message, options);
  }
}

/**
 * A data set that ends inside an element, or whose declared lengths overrun the bytes that hold
 * it (PS3.5 7.1, 7.5). `offset` is the first byte of the element (or item) that does not fit;
 * `tag` names it (`(GGGG,EEEE)`) when its header was readable. No value is ever quoted (PHI).
 */
export class DatasetTruncatedError extends DatasetError {
  readonly offset: number;
  readonly tag: string | undefined;
  constructor(message: string, offset: number, tag?: number) {
    const name = tag === undefined ? undefined : tagString(tag);
    super(`${message}${name === undefined ? '' : ` in ${name}`} at byte ${offset}`, {
      details: { offset, ...(name === undefined ? {} : { tag: name }), truncated: true },
    });
    this.offset = offset;
    this.tag = name;
  }
}

/**
 * A Deflated Explicit VR LE data set (PS3.5 A.5) whose deflate stream ends before its final
 * block: the file was cut. `offset` is the number of compressed bytes there were (relative to
 * the first compressed byte), since no inflated offset can be named.
 */
export class DeflateTruncatedError extends DatasetTruncatedError {
  constructor(compressedLength: number) {
    super('deflate stream ends before its final block', compressedLength);
  }
}

export function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** `(GGGG,EEEE)` */
export function tagString(tag: number): string {
  return `(${hex4(tag >>> 16)},${hex4(tag & 0xffff)})`;
}
