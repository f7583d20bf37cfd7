/** The interop test files under a package folder (relative to it): see test-kinds.mjs. */
export function interopTests(root: string): string[];
