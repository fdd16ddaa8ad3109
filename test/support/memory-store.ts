/**
 * An in-memory CredentialStore: a test double for the pure logic over a store (the helper
 * protocol, saved accounts) only; every real backend runs the shared contract against itself.
 */
import type { CredentialStore, StoredCredential } from '../../src/stores/store.js';

/** A store holding `items` (server URL, username, secret); `data` is its map, for assertions. */
export function memoryStore(...items: [string, string, string][]): CredentialStore & { data: Map<string, StoredCredential> } {
  const data = new Map<string, StoredCredential>(items.map(([serverURL, username, secret]) => [serverURL, { serverURL, username, secret }]));
  return {
    name: 'memory',
    data,
    add: async (c) => void data.set(c.serverURL, c),
    get: async (u) => data.get(u),
    delete: async (u) => data.delete(u),
    list: async () => new Map([...data].map(([k, v]) => [k, v.username])),
  };
}
