/** The `issues` of the ConfigError (HNV_ERR_CONFIG) thrown by `fn`; fails the test when nothing is thrown. */
import { ConfigError, isHnvError } from '@hnvue/core';
import { expect } from 'vitest';

export function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect(isHnvError(err, 'HNV_ERR_CONFIG')).toBe(true);
    return (err as ConfigError).issues;
  }
  expect.fail('expected a ConfigError');
}
