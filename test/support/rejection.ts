/**
 * How a test looks at a promise that should fail with a credkit error: the error itself, and
 * everything about it a user could be shown (for "names its fix" and "no secret" checks).
 */
import { expect } from 'chai';
import { CredkitError } from '../../src/errors.js';

/** Resolves to the error `promise` rejects with; fails the test if it resolves or the error is no CredkitError. */
export async function rejection(promise: Promise<unknown>): Promise<CredkitError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).to.be.instanceOf(CredkitError);
  return outcome.error as CredkitError;
}

/** Everything an error could show a user: message, stack, and its causes (five deep). */
export function errorText(err: unknown): string {
  let text = '';
  for (let e: unknown = err, i = 0; e !== undefined && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    text += e instanceof Error ? `${e.message}\n${e.stack ?? ''}\n` : `${String(e)}\n`;
  }
  return text;
}
