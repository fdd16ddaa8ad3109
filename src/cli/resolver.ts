/**
 * Where `convert`/`merge --materialize` get their helper resolver. The external helper client
 * (src/helper/client.ts, built separately) plugs in here; until it does, there is no resolver and
 * the core reports that materialising is not available rather than writing `{}` stubs.
 */
import type { CredentialResolver } from '../auth-file/materialize.js';
import type { Io } from '../io.js';

/** The resolver for this run, or undefined when none is wired in yet. */
export async function loadResolver(_io: Io): Promise<CredentialResolver | undefined> {
  return undefined;
}
