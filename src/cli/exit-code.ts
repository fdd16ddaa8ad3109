/**
 * The one place that turns an outcome into `credkit`'s exit code: 0 success, 1 failure, 2 usage.
 */
import { isCredkitError } from '../errors.js';

/** Exit code for a thrown value. */
export function exitCodeFor(err: unknown): number {
  if (isCredkitError(err)) return err.code === 'USAGE' ? 2 : 1;
  return 1;
}

/** True when the error is a credkit bug rather than a reported condition. */
export function isBug(err: unknown): boolean {
  return !isCredkitError(err);
}
