/**
 * Throwaway backends for the real Go helpers: a GnuPG home with a passphrase-less key plus an
 * initialised password store (for docker-credential-pass), and a private D-Bus session with an
 * unlocked gnome-keyring (for docker-credential-secretservice). Each returns the environment to
 * add and a `stop` that ends every process it started and removes its directories.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { startPrivateBus } from './os-keyring.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basePath, run, skipUnlessPrograms } from './sandbox.js';

/** Extra environment for a helper, and how to tear its backend down. */
export interface RealBackend {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A real pass store for the enclosing describe: started before its tests, which are skipped where
 * pass, gpg or a program of `more` is missing, and removed after them. `env` is the store's
 * environment (GNUPGHOME, PASSWORD_STORE_DIR), for the hooks and tests that run after the start.
 */
export function usePassStore(more: readonly string[] = []): { readonly env: Record<string, string> } {
  let backend: RealBackend | undefined;
  before(async function () {
    await skipUnlessPrograms(this, ['pass', 'gpg', ...more]);
    backend = await startPassStore();
  });
  after(async () => backend?.stop());
  return {
    get env() {
      if (backend === undefined) throw new Error('usePassStore: the pass store is not started yet; read env in a hook or test');
      return backend.env;
    },
  };
}

/** A pass store under a fresh GNUPGHOME and PASSWORD_STORE_DIR. */
export async function startPassStore(): Promise<RealBackend> {
  const dir = await mkdtemp(join(tmpdir(), 'credkit-pass-'));
  const env = { GNUPGHOME: join(dir, 'gnupg'), PASSWORD_STORE_DIR: join(dir, 'store') };
  await mkdir(env.GNUPGHOME, { mode: 0o700 });
  const withEnv = { PATH: basePath(), HOME: dir, ...env };
  const stop = async () => {
    await run('gpgconf', ['--kill', 'gpg-agent'], { env: withEnv }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const gen = await run(
      'gpg',
      ['--batch', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--quick-gen-key', 'credkit test <credkit-test@example.invalid>', 'future-default', 'default', 'never'],
      { env: withEnv, input: '\n' },
    );
    if (gen.code !== 0) throw new Error(`gpg key generation failed: ${gen.stderr}`);
    const keys = await run('gpg', ['--batch', '--list-keys', '--with-colons'], { env: withEnv });
    const fpr = /^fpr:+([0-9A-F]+):/m.exec(keys.stdout)?.[1];
    if (!fpr) throw new Error('no fingerprint for the generated test key');
    const init = await run('pass', ['init', fpr], { env: withEnv });
    if (init.code !== 0) throw new Error(`pass init failed: ${init.stderr}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, stop };
}

/** A private session bus with gnome-keyring's Secret Service, unlocked with a throwaway password. */
export async function startSecretService(): Promise<RealBackend> {
  const bus = await startPrivateBus({ secrets: true });
  return { env: { DBUS_SESSION_BUS_ADDRESS: bus.address }, stop: bus.stop };
}
