/** `keychain`: not implemented yet. */
import { StoreUnavailableError } from '../errors.js';
import type { CredentialStore } from './store.js';

/** One backend line for `credkit store backends`. */
export const description = 'keychain (not implemented yet)';

/** Opens the store. */
export async function openStore(): Promise<CredentialStore> {
  throw new StoreUnavailableError('the keychain backend is not implemented yet');
}

/** Why the store cannot be used. */
export async function checkAvailable(): Promise<string | undefined> {
  return 'not implemented yet';
}
