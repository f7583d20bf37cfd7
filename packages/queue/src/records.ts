/**
 * Records a queue user keeps in the queue's own database, so that what must survive a crash is
 * committed in the same SQLite transaction as the item that depends on it (NFR-REL-01): no second
 * store to reconcile at start-up. Values are JSON; keep patient data out of them unless the caller
 * owns its lifetime (NFR-SEC-01).
 */
import type { QueueStore } from './store.js';

/** Read and write access to records, inside one transaction (or one statement each). */
export interface Records {
  get<T = unknown>(namespace: string, key: string): T | undefined;
  put(namespace: string, key: string, value: unknown): void;
  /** True when a record was removed. */
  delete(namespace: string, key: string): boolean;
  /** Every record of a namespace, by key. */
  list<T = unknown>(namespace: string): { readonly key: string; readonly value: T }[];
}

export function recordsOf(store: QueueStore): Records {
  return {
    get: <T>(namespace: string, key: string) => {
      const text = store.getRecord(namespace, key);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    put: (namespace, key, value) => store.putRecord(namespace, key, JSON.stringify(value)),
    delete: (namespace, key) => store.deleteRecord(namespace, key),
    list: <T>(namespace: string) =>
      store.listRecords(namespace).map((r) => ({ key: r.key, value: JSON.parse(r.value) as T })),
  };
}
