/**
 * `WWW-Authenticate` parsing (RFC 9110 §11.6.1): one header value may hold several challenges, each a
 * scheme followed by either a token68 or comma-separated `name=value` parameters, where a value is
 * a token or a quoted string with backslash escapes. Registries are not always tidy, so the parser
 * is lenient: schemes and parameter names are compared case-insensitively (both are lowercased),
 * stray commas and spaces are skipped, and a malformed piece is dropped rather than failing the rest.
 */

/** One authentication challenge. */
export interface Challenge {
  /** The scheme, lowercased: `basic`, `bearer`, … */
  scheme: string;
  /** Parameters by lowercased name; values unquoted and unescaped. The first of a repeated name wins. */
  params: Readonly<Record<string, string>>;
  /** The token68 form (`Negotiate abc==`), when the challenge has one instead of parameters. */
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;
const isSpace = (c: string | undefined) => c === ' ' || c === '\t';

/** Parses one or more `WWW-Authenticate` header values into challenges, in order. */
export function parseChallenges(headers: string | readonly string[] | undefined): Challenge[] {
  if (headers === undefined) return [];
  const out: Challenge[] = [];
  for (const header of typeof headers === 'string' ? [headers] : headers) out.push(...parseHeader(header));
  return out;
}

/** The first challenge with the given scheme (case-insensitive), if any. */
export function findChallenge(challenges: readonly Challenge[], scheme: string): Challenge | undefined {
  const wanted = scheme.toLowerCase();
  return challenges.find((c) => c.scheme === wanted);
}

function parseHeader(s: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;

  const skipSpaces = () => {
    while (isSpace(s[i])) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && TCHAR.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const readQuoted = (): string => {
    // s[i] is the opening quote; a backslash escapes any one character (quoted-pair).
    let value = '';
    for (i++; i < s.length; i++) {
      const c = s[i]!;
      if (c === '"') {
        i++;
        return value;
      }
      if (c === '\\' && i + 1 < s.length) i++;
      value += s[i]!;
    }
    return value; // unterminated: keep what there is
  };
  const skipToComma = () => {
    while (i < s.length && s[i] !== ',') {
      if (s[i] === '"') readQuoted();
      else i++;
    }
  };
  /** True when a `name =` parameter (not a new scheme or a token68's padding) starts at `i`. */
  const paramAhead = (): boolean => {
    let j = i;
    while (j < s.length && TCHAR.test(s[j]!)) j++;
    if (j === i) return false;
    while (isSpace(s[j])) j++;
    return s[j] === '=' && s[j + 1] !== '=';
  };
  /** Reads `name = value` at `i` into params; the caller has checked {@link paramAhead}. */
  const readParam = (params: Record<string, string>): void => {
    const name = readToken().toLowerCase();
    skipSpaces();
    i++; // '='
    skipSpaces();
    const value = s[i] === '"' ? readQuoted() : readToken();
    if (!(name in params)) params[name] = value;
  };

  while (i < s.length) {
    while (i < s.length && (isSpace(s[i]) || s[i] === ',')) i++;
    if (i >= s.length) break;
    const scheme = readToken();
    if (scheme === '') {
      skipToComma(); // junk where a scheme should be
      continue;
    }
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params };
    out.push(challenge);
    skipSpaces();
    if (i >= s.length || s[i] === ',') {
      // A bare scheme; parameters may still follow after the comma (`Basic, realm="x"` is not
      // valid, but a following `name=value` can only belong to this challenge).
    } else if (paramAhead()) {
      readParam(params);
    } else {
      const start = i;
      while (i < s.length && TOKEN68_CHAR.test(s[i]!)) i++;
      while (s[i] === '=') i++;
      if (i > start) challenge.token68 = s.slice(start, i);
      skipToComma();
    }
    // Further parameters of this challenge, until something that is not `name=` starts a new one.
    for (;;) {
      skipSpaces();
      if (s[i] !== ',') {
        if (i >= s.length) break;
        skipToComma(); // junk after a value
        continue;
      }
      while (i < s.length && (isSpace(s[i]) || s[i] === ',')) i++;
      if (!paramAhead()) break;
      readParam(params);
    }
  }
  return out;
}
