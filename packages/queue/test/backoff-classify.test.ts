import { ERROR_CATALOGUE, HnvError, type HnvErrorCode } from '@hnvue/core';
import { describe, expect, it } from 'vitest';
import { classifyFailure, DeliveryError, isPermanentDimseStatus, nextRetryAt } from '../src/index.js';
import { codeError } from './helpers/setup.js';

describe('back-off', () => {
  it('NFR-REL-01: nextRetryAt = lastAttemptAt + initialInterval × multiplier ^ attemptCount', () => {
    const o = { initialIntervalMs: 5000, backoffMultiplier: 2 };
    expect([0, 1, 2, 3, 9].map((n) => nextRetryAt(1000, n, o) - 1000)).toEqual([
      5000, 10_000, 20_000, 40_000, 2_560_000,
    ]);
  });

  it('NFR-REL-01: maxIntervalMs caps one delay', () => {
    expect(nextRetryAt(0, 20, { initialIntervalMs: 5000, backoffMultiplier: 2, maxIntervalMs: 60_000 })).toBe(
      60_000,
    );
  });
});

describe('failure classification', () => {
  const cases: [string, unknown, boolean][] = [
    ['PoolExhausted', codeError('PoolExhausted'), true],
    ['pool exhausted', codeError('HNV_ERR_POOL_EXHAUSTED', { reason: 'PoolExhausted' }), true],
    ['connection refused', codeError('HNV_ERR_CONNECT'), true],
    ['ECONNREFUSED', codeError('ECONNREFUSED'), true],
    ['timeout', codeError('HNV_ERR_TIMEOUT'), true],
    ['abort', codeError('HNV_ERR_ASSOC_ABORTED'), true],
    ['reject transient (result 2)', codeError('HNV_ERR_ASSOC_REJECTED', { result: 2 }), true],
    ['reject permanent (result 1)', codeError('HNV_ERR_ASSOC_REJECTED', { result: 1 }), false],
    ['SOP class not accepted', codeError('HNV_ERR_NO_PRESENTATION_CONTEXT'), false],
    ['0xA700 out of resources', codeError('HNV_ERR_DIMSE_FAILURE', { status: 0xa700 }), true],
    ['0xA7FF out of resources', codeError('HNV_ERR_DIMSE_FAILURE', { status: 0xa7ff }), true],
    ['0xA900 data set does not match', codeError('HNV_ERR_DIMSE_FAILURE', { status: 0xa900 }), false],
    ['0xC000 cannot understand', codeError('HNV_ERR_DIMSE_FAILURE', { status: 0xc000 }), false],
    ['0xC123 cannot understand', codeError('HNV_ERR_DIMSE_FAILURE', { status: 0xc123 }), false],
    ['0x0122 SOP class not supported', codeError('HNV_ERR_DIMSE_FAILURE', { status: 0x0122 }), false],
    ['0x0110 processing failure', codeError('HNV_ERR_DIMSE_FAILURE', { status: 0x0110 }), true],
    ['unknown error', new Error('boom'), true],
    ['non-error value', 'boom', true],
    ['DeliveryError retryable', new DeliveryError('peer busy', { retryable: true }), true],
    ['DeliveryError permanent', new DeliveryError('bad file', { retryable: false, code: 'X_BAD' }), false],
    [
      'DeliveryError overrides a transient code',
      new DeliveryError('gave up', { retryable: false, code: 'HNV_ERR_CONNECT' }),
      false,
    ],
  ];

  for (const [name, err, retryable] of cases) {
    it(`NFR-REL-01: ${name} → ${retryable ? 'retry' : 'FAILED at once'}`, () => {
      expect(classifyFailure(err).retryable).toBe(retryable);
    });
  }

  it('NFR-REL-01: keeps the error code and names the DIMSE status in the reason', () => {
    const c = classifyFailure(codeError('HNV_ERR_DIMSE_FAILURE', { status: 0xa900 }));
    expect(c.code).toBe('HNV_ERR_DIMSE_FAILURE');
    expect(c.reason).toContain('0xA900');
    expect(classifyFailure(new DeliveryError('x', { retryable: false, code: 'X_BAD' })).code).toBe('X_BAD');
    expect(classifyFailure(new Error('plain')).code).toBe('HNV_ERR_DELIVERY');
  });

  it('NFR-REL-01: isPermanentDimseStatus separates A7xx from A9xx/Cxxx/0122', () => {
    expect([0xa700, 0xa701, 0xa900, 0xc000, 0xcfff, 0x0122, 0x0110].map(isPermanentDimseStatus)).toEqual([
      false,
      false,
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  describe('NFR-REL-01: the retry decision follows the error catalogue', () => {
    const codes = Object.keys(ERROR_CATALOGUE) as HnvErrorCode[];

    it.each(codes)(
      '%s: an HnvError and a plain error with that code are classified as catalogued',
      (code) => {
        const expected = ERROR_CATALOGUE[code].retryable;
        expect(classifyFailure(new HnvError(code, 'x'))).toMatchObject({ retryable: expected, code });
        expect(classifyFailure(codeError(code))).toMatchObject({ retryable: expected, code });
      },
    );

    it('a retryable set where the error was thrown wins over the catalogue', () => {
      expect(classifyFailure(new HnvError('HNV_ERR_CONNECT', 'x', { retryable: false })).retryable).toBe(
        false,
      );
      expect(classifyFailure(new HnvError('HNV_ERR_DATASET', 'x', { retryable: true })).retryable).toBe(true);
    });

    it('a DeliveryError with a catalogued code is that code; a site code is kept for the history', () => {
      const catalogued = new DeliveryError('x', { retryable: false, code: 'HNV_ERR_CONNECT' });
      expect([catalogued.code, catalogued.category]).toEqual(['HNV_ERR_CONNECT', 'network']);
      const site = new DeliveryError('x', { retryable: false, code: 'X_POLICY' });
      expect([site.code, site.senderCode, classifyFailure(site).code]).toEqual([
        'HNV_ERR_DELIVERY',
        'X_POLICY',
        'X_POLICY',
      ]);
    });
  });
});
