/**
 * Where `convert`/`merge --materialize` get their helper resolver: a `get` through the real
 * `docker-credential-<name>` program, with credkit's helper timeout and the helper's stderr passed
 * to the terminal (as docker does).
 */
import type { CredentialResolver } from '../auth-file/materialize.js';
import type { Io } from '../io.js';
import { loadConfig } from '../config.js';
import { TOKEN_USERNAME } from '../stores/store.js';

/** The resolver for this run. */
export async function loadResolver(io: Io): Promise<CredentialResolver> {
  const [{ callHelper }, config] = await Promise.all([import('../helper/client.js'), loadConfig(io)]);
  return async (helper, serverURL) => {
    const found = await callHelper(helper, 'get', serverURL, {
      env: io.env,
      timeoutMs: config.helperTimeoutMs,
      stderr: io.stderr,
      platform: io.platform,
    });
    if (!found) return undefined;
    // The materialise core speaks the helper's own convention for identity tokens.
    return found.identityToken !== undefined ? { username: TOKEN_USERNAME, secret: found.identityToken } : { username: found.username, secret: found.password };
  };
}
