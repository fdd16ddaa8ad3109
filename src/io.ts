/**
 * What the core needs from the outside world, passed in explicitly so that nothing below src/cli
 * or the bin entry points reads `process`.
 */

/** Environment variables as the core sees them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The machine facts the core needs: environment, home and platform. */
export interface Host {
  env: Env;
  /** The user's home directory. */
  home: string;
  platform: NodeJS.Platform;
  cwd: string;
  /** The numeric user id where the platform has one (a D-Bus client authenticates with it). */
  uid?: number;
  /** Where diagnostics the core passes through go (another helper's stderr); dropped when absent. */
  stderr?(text: string): void;
  /**
   * What a message tells the reader to raise when a helper is stopped for taking too long: the
   * library's caller sets `helperTimeoutMs`, which replaces credkit's own settings, so naming
   * those (the default, for the CLI) would send a script's author to a knob that changes nothing.
   */
  helperTimeoutSetting?: string;
}

/** Streams and host facts for a command run. */
export interface Io extends Host {
  /** Reads all of standard input. */
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout/stderr is a terminal (progress lines, colours). */
  isTTY: boolean;
}

/**
 * `env` without the variables credkit's env backend reads credentials from (`CREDKIT_AUTH_CONFIG`,
 * `CREDKIT_CRED_*`): what a program credkit starts gets, unless it is credkit's own helper (which
 * may be set to that backend). pass, gpg, git and other helpers have no use for those secrets.
 */
export function withoutCredentialVariables(env: Env): Env {
  let out: Record<string, string | undefined> | undefined;
  for (const name in env) {
    if (name !== 'CREDKIT_AUTH_CONFIG' && !name.startsWith('CREDKIT_CRED_')) continue;
    out ??= { ...env };
    delete out[name];
  }
  return out ?? env;
}
