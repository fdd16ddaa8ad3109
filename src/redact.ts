/**
 * How secrets appear in listings and reports: never as themselves unless the user asks.
 */

/** A stand-in for a secret that says whether there was one, without hinting at its content. */
export function redact(secret: string | undefined): string {
  return secret === undefined || secret === '' ? '' : '********';
}

/** How many characters of a secret, found together in a text, count as part of it. */
const PIECE = 8;

/** `text` with every one of `forms` (spellings of secrets) replaced by `********`, longest first. */
export function maskForms(text: string, forms: Iterable<string>): string {
  let out = text;
  // Longest first, so that a form that contains another is masked whole.
  for (const form of [...new Set(forms)].filter((f) => f !== '').sort((a, b) => b.length - a.length)) out = out.split(form).join('********');
  return out;
}

/**
 * True when `text` still holds a run of 8 characters of `secret` (all of it, when shorter): what
 * masking the known spellings missed, because another program decoded, re-encoded or cut it.
 */
export function holdsPieceOf(text: string, secret: string): boolean {
  if (secret === '') return false;
  const n = Math.min(PIECE, secret.length);
  for (let i = 0; i + n <= secret.length; i++) if (text.includes(secret.slice(i, i + n))) return true;
  return false;
}
