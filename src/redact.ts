/**
 * How secrets appear in listings and reports: never as themselves unless the user asks.
 */

/** A stand-in for a secret that says whether there was one, without hinting at its content. */
export function redact(secret: string | undefined): string {
  return secret === undefined || secret === '' ? '' : '********';
}
