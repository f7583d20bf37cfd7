import { ERROR_CATALOGUE, type ErrorCategory, HnvError, type HnvErrorCode } from '@hnvue/core';
import {
  AssociationRejectedError,
  ConnectError,
  DimseFailureError,
  NetTimeoutError,
  NoPresentationContextError,
  PoolExhaustedError,
} from '@hnvue/net';
import { classifyFailure } from '@hnvue/queue';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodeFor } from '../src/exit-codes.js';

const CODES = Object.keys(ERROR_CATALOGUE) as HnvErrorCode[];

/** The README's exit code table, by the catalogue's categories. */
const DOCUMENTED: Readonly<Record<ErrorCategory, number>> = {
  usage: 2,
  config: 3,
  network: 4,
  association: 5,
  dimse: 6,
  partial: 7,
  input: 8,
  data: 8,
  codec: 1,
  queue: 1,
  state: 1,
  internal: 1,
};

describe('exit codes follow the error catalogue', () => {
  it.each(CODES)('%s exits with its category’s code', (code) => {
    expect(exitCodeFor(new HnvError(code, 'x'))).toBe(DOCUMENTED[ERROR_CATALOGUE[code].category]);
  });

  // The lists exit-codes.ts kept before it read categories: each code still exits as it did.
  const before: [number, readonly HnvErrorCode[]][] = [
    [EXIT_CODES.usage, ['HNV_ERR_USAGE']],
    [EXIT_CODES.config, ['HNV_ERR_CONFIG', 'HNV_ERR_NOT_CONFIGURED']],
    [
      EXIT_CODES.network,
      [
        'HNV_ERR_CONNECT',
        'HNV_ERR_TIMEOUT',
        'HNV_ERR_TLS',
        'HNV_ERR_ASSOC_ABORTED',
        'HNV_ERR_ASSOC_CLOSED',
        'HNV_ERR_PDU_DECODE',
        'HNV_ERR_PROTOCOL',
        'HNV_ERR_POOL_EXHAUSTED',
        'HNV_ERR_POOL_CLOSED',
      ],
    ],
    [EXIT_CODES.rejected, ['HNV_ERR_ASSOC_REJECTED', 'HNV_ERR_NO_PRESENTATION_CONTEXT']],
    [EXIT_CODES.dimseFailure, ['HNV_ERR_DIMSE_FAILURE']],
    [EXIT_CODES.partial, ['HNV_ERR_PARTIAL']],
    [
      EXIT_CODES.input,
      [
        'HNV_ERR_INPUT',
        'HNV_ERR_PART10',
        'HNV_ERR_PART10_TRUNCATED',
        'HNV_ERR_DATASET',
        'HNV_ERR_INVALID_ARGUMENT',
        'HNV_ERR_IOD_INPUT',
        'HNV_ERR_IOD_INVALID',
        'HNV_ERR_RENDER',
      ],
    ],
    [EXIT_CODES.internal, ['HNV_ERR_QUEUE_CORRUPT', 'HNV_ERR_CODEC_INTERNAL', 'HNV_ERR_NOT_RUNNING']],
  ];
  for (const [exit, codes] of before) {
    it(`exit ${exit} keeps its codes: ${codes.join(', ')}`, () => {
      expect(codes.map((code) => exitCodeFor(new HnvError(code, 'x')))).toEqual(codes.map(() => exit));
    });
  }

  it('a retryable override does not change the exit code: the category decides', () => {
    expect(exitCodeFor(new HnvError('HNV_ERR_DIMSE_FAILURE', 'x', { details: { status: 0xa900 } }))).toBe(
      EXIT_CODES.dimseFailure,
    );
    expect(exitCodeFor(new HnvError('HNV_ERR_ASSOC_REJECTED', 'x', { details: { result: 1 } }))).toBe(
      EXIT_CODES.rejected,
    );
  });

  it('errors without a catalogue code: errno of a missing file is input, anything else internal', () => {
    expect(exitCodeFor(Object.assign(new Error('nope'), { code: 'ENOENT' }))).toBe(EXIT_CODES.input);
    expect(exitCodeFor(new Error('boom'))).toBe(EXIT_CODES.internal);
    expect(exitCodeFor(new HnvError('HNV_ERR_MADE_UP' as HnvErrorCode, 'x'))).toBe(EXIT_CODES.internal);
  });

  it("net's errors as thrown: category, retryable and exit code, the same decision for the queue", () => {
    const cases: [Error & { category: string; retryable: boolean }, string, boolean, number][] = [
      [new ConnectError('refused'), 'network', true, EXIT_CODES.network],
      [new NetTimeoutError('acse', 1000), 'network', true, EXIT_CODES.network],
      [new PoolExhaustedError('PACS', 1000, 2), 'network', true, EXIT_CODES.network],
      // PS3.8 Table 9-21: result 1 rejected-permanent, 2 rejected-transient.
      [new AssociationRejectedError(1, 1, 7), 'association', false, EXIT_CODES.rejected],
      [new AssociationRejectedError(2, 3, 1), 'association', true, EXIT_CODES.rejected],
      [
        new NoPresentationContextError('1.2.840.10008.5.1.4.1.1.1'),
        'association',
        false,
        EXIT_CODES.rejected,
      ],
      [new DimseFailureError(0xa700, 'out of resources'), 'dimse', true, EXIT_CODES.dimseFailure],
      [new DimseFailureError(0xa900, 'data set does not match'), 'dimse', false, EXIT_CODES.dimseFailure],
    ];
    for (const [err, category, retryable, exit] of cases) {
      expect([err.category, err.retryable, exitCodeFor(err)], err.message).toEqual([
        category,
        retryable,
        exit,
      ]);
      expect(classifyFailure(err).retryable, err.message).toBe(retryable);
    }
    expect(new PoolExhaustedError('PACS', 1000, 2)).toMatchObject({
      code: 'HNV_ERR_POOL_EXHAUSTED',
      reason: 'PoolExhausted',
      details: { reason: 'PoolExhausted' },
    });
  });
});
