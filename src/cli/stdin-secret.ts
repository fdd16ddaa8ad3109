/**
 * Reading a secret from standard input the way `docker login --password-stdin` or
 * `podman login --password-stdin` does.
 */
import type { Io } from '../io.js';
import { UsageError } from '../errors.js';

/**
 * How a login reads `--password-stdin`: `docker` drops exactly one trailing CRLF, LF or CR (docker/cli
 * `readSecretFromStdin`); `podman` reads line by line and joins the lines with nothing between
 * them, dropping a CR before each line break and at the end (containers/common `auth.Login`, as
 * podman, skopeo and buildah do), so every line break is gone.
 */
export type StdinSecretRule = 'docker' | 'podman';

/** The secret in `text` (all of stdin) under `rule`. */
export function secretFromStdinText(text: string, rule: StdinSecretRule): string {
  if (rule === 'docker') return text.replace(/(\r\n|\n|\r)$/, '');
  // Go's bufio.ScanLines: a final empty line is no line, and each line loses one trailing CR.
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).join('');
}

/** All of stdin as the secret under `rule` (default docker's); empty is an error. */
export async function readSecretFromStdin(io: Io, rule: StdinSecretRule = 'docker'): Promise<string> {
  const text = secretFromStdinText(await io.readStdin(), rule);
  if (text === '') throw new UsageError('standard input is empty: pipe the secret in, e.g. `printf %s "$TOKEN" | credkit …`');
  return text;
}
