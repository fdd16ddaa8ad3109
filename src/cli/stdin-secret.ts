/**
 * Reading a secret from standard input the way `docker login --password-stdin` does.
 */
import type { Io } from '../io.js';
import { UsageError } from '../errors.js';

/** All of stdin minus exactly one trailing CRLF, LF or CR (docker's rule); empty is an error. */
export async function readSecretFromStdin(io: Io): Promise<string> {
  const text = (await io.readStdin()).replace(/(\r\n|\n|\r)$/, '');
  if (text === '') throw new UsageError('standard input is empty: pipe the secret in, e.g. `printf %s "$TOKEN" | credkit …`');
  return text;
}
