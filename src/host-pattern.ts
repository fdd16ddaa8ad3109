/**
 * Host patterns as kubelet matches pull-secret keys (credentialprovider's `URLsMatch`): a
 * `host[:port]` whose DNS labels are each a Go `filepath.Match` glob (`*` stays within one label),
 * with the port compared exactly. Pure and small: credkit's helper loads it for `[routes]`.
 */

/**
 * kubelet's `SplitURL`: Go's `net.SplitHostPort`, and on its error (no port, or an IPv6 address
 * without brackets) the whole text as the host with no port. So `[::1]:5000` is host `::1`, port
 * 5000, while `[::1]` keeps its brackets (and, as a glob, never matches itself: `[::1]` is a
 * character class).
 */
export function splitHostPort(hostPort: string): { host: string; port: string } {
  const whole = { host: hostPort, port: '' };
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end < 0 || hostPort[end + 1] !== ':' || hostPort.includes('[', 1) || hostPort.includes(']', end + 1)) return whole;
    return { host: hostPort.slice(1, end), port: hostPort.slice(end + 2) };
  }
  const colon = hostPort.indexOf(':');
  if (colon < 0 || hostPort.indexOf(':', colon + 1) >= 0 || hostPort.includes('[') || hostPort.includes(']')) return whole;
  return { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

/** Go's `filepath.Match` for one host label (no separators); a malformed pattern never matches. */
export function globMatch(pattern: string, text: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\') {
      const next = pattern[++i];
      if (next === undefined) return false;
      re += next.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return false;
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      if (body === '') return false;
      re += `[${negate ? '^' : ''}${body.replace(/[\]\\^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`, 's').test(text);
  } catch {
    return false;
  }
}

/**
 * True when kubelet's `URLsMatch` takes a key's `host[:port]` for the image's: the same port (or
 * none), as many labels, and each label of the key glob-matching the image's (`*.example.com`).
 */
export function hostMatches(keyHostPort: string, targetHostPort: string): boolean {
  const kh = splitHostPort(keyHostPort);
  const th = splitHostPort(targetHostPort);
  if (kh.port !== th.port) return false;
  const kl = kh.host.split('.');
  const tl = th.host.split('.');
  return kl.length === tl.length && kl.every((label, i) => globMatch(label, tl[i] as string));
}
