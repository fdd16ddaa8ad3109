/**
 * Where `convert`/`merge --materialize` get their helper resolver: a `get` through the real
 * `docker-credential-<name>` program, with credkit's helper timeout and the helper's stderr passed
 * to the terminal (as docker does).
 */
import type { CredentialResolver, HelperProbe } from '../auth-file/materialize.js';
import type { Io } from '../io.js';
import { loadConfig } from '../config.js';
import { TOKEN_USERNAME } from '../stores/store.js';

/** The resolver for this run, and the probe that says which helpers cannot be run at all. */
export async function loadResolver(io: Io): Promise<{ resolve: CredentialResolver; probe: HelperProbe }> {
  const [{ callHelper, resolveHelper, HelperCallError }, config] = await Promise.all([import('../helper/client.js'), loadConfig(io)]);
  const probe: HelperProbe = (helper) => {
    try {
      resolveHelper(helper, 'get', io.env, io.platform);
      return undefined;
    } catch (err) {
      // What is wrong before the helper runs; a helper that runs and fails is the lookup's to say.
      if (err instanceof HelperCallError && (err.reason === 'not-on-path' || err.reason === 'not-executable' || err.reason === 'invalid-name')) return err.message;
      throw err;
    }
  };
  const resolve: CredentialResolver = async (helper, serverURL) => {
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
  return { resolve, probe };
}
