/**
 * kubelet's lookup over pull secrets (formats.md §5.3–5.4, `BasicDockerKeyring`): every key is
 * read as a URL (`https://` added when missing, scheme dropped, a leading `/v1/` or `/v2/` cut),
 * keys are tried in reverse byte order (UTF-8, as Go sorts strings), and a key matches when its port is exactly the
 * image's, its host has as many labels and each label glob-matches, and its path is a plain string
 * prefix of the image's path (the key parsed once more: see matchForm). Every match is returned, in that order; the runtime tries them one
 * after another (keys of one secret filed under one keyring key in Go map order: see randomOrderOf). Only when nothing matched does a Docker Hub image fall back to `index.docker.io`.
 */
import { parseRegistryKey } from '../registry.js';
import { globMatch, hostMatches, splitHostPort } from '../host-pattern.js';
import type { AuthEntry, AuthFile } from './model.js';
import { isStub, shownKeyOf } from './model.js';
import type { ClientExplanation, FileStep, LookupInput, RandomOrder, ResolvedCredential, ShadowedEntry } from './lookup.js';
import { hasCredential, makeCredential, quoteKey } from './lookup.js';

export { globMatch, hostMatches };

const TITLE = 'kubelet (imagePullSecrets)';
const HUB_FALLBACK_KEY = 'index.docker.io';

// Bytes Go's url.Parse accepts in a host as written (shouldEscape in encodeHost mode is false):
// unreserved characters and the sub-delimiters; anything else ASCII is "invalid character in host name".
const GO_HOST_BYTE = /^[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"\x80-\uffff]*$/;

/**
 * Go's percent-decoding (url.unescape): every `%` needs two hex digits; in a host only a byte
 * of 0x80 or more (or `%25`) may be escaped. Undefined where Go returns an error.
 */
function goUnescape(text: string, host: boolean): string | undefined {
  if (!text.includes('%')) return text;
  if (!/^(?:[^%]|%[0-9A-Fa-f]{2})*$/.test(text)) return undefined;
  if (host && /%(?!25)[0-7][0-9A-Fa-f]/.test(text)) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    // Not UTF-8 once decoded: Go keeps the bytes; such a key names no registry anyway.
    return Buffer.from(text.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
}

/**
 * The host with its port (decoded, as written otherwise: Go does not lower-case it) and path (decoded) of a URL
 * as Go's url.Parse gives them, or undefined where it returns an error.
 */
function goParseURL(url: string): { host: string; path: string } | undefined {
  // "net/url: invalid control character in URL".
  if (/[\x00-\x1f\x7f]/.test(url)) return undefined;
  const rest = (url.replace(/^https?:\/\//, '').split('#')[0] ?? '').split('?')[0] ?? '';
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const rawPath = slash < 0 ? '' : rest.slice(slash);
  // User information ends at the last "@" and is no part of the host.
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  let port: string;
  let host: string | undefined;
  if (hostPort.startsWith('[')) {
    const end = hostPort.lastIndexOf(']');
    if (end < 0) return undefined;
    port = hostPort.slice(end + 1);
    // An IPv6 zone (`%25eth0`) is the one escape Go takes below 0x80 there.
    host = goUnescape(hostPort, false);
  } else {
    const colon = hostPort.lastIndexOf(':');
    port = colon < 0 ? '' : hostPort.slice(colon);
    host = goUnescape(hostPort, true);
    // url.Host keeps the port: `host:port`.
  }
  // validOptionalPort: ":" and digits, of any value (Go does not check the range).
  if (port !== '' && !/^:[0-9]*$/.test(port)) return undefined;
  if (host === undefined || !GO_HOST_BYTE.test(hostPort.replace(/%[0-9A-Fa-f]{2}/g, ''))) return undefined;
  const path = goUnescape(rawPath, false);
  return path === undefined ? undefined : { host, path };
}

/**
 * A key as the keyring stores it: `host[:port][path]`, or undefined when kubelet would skip it.
 * kubelet parses it with Go's url.Parse (`https://` added when there is no scheme), not by WHATWG
 * rules: user information is dropped, a port is not range-checked, a backslash, a control
 * character or a bad `%` escape makes the key unparsable, and the path is percent-decoded.
 */
export function kubeletKey(raw: string): string | undefined {
  const withScheme = /^https?:\/\//.test(raw) ? raw : `https://${raw}`;
  const parsed = goParseURL(withScheme);
  if (parsed === undefined || parsed.host === '') return undefined;
  let path = parsed.path;
  if (path.startsWith('/v1/') || path.startsWith('/v2/')) path = path.slice(3);
  return path !== '' && path !== '/' ? `${parsed.host}${path}` : parsed.host;
}

/**
 * A keyring key (or the image) as `URLsMatchStr` sees it: kubelet parses it once more with
 * url.Parse("https://" + key), so a key whose decoded path holds `%` is decoded a second time
 * (`quay.io/a%2561` matches as path `/aa`), one holding `?` or `#` is cut there (`quay.io/a%3Fb`
 * matches as path `/a`), and one that no longer parses (`quay.io/a%25zz`) matches no image.
 */
function matchForm(key: string): { hostPort: string; path: string } | undefined {
  const parsed = goParseURL(`https://${key}`);
  return parsed === undefined ? undefined : { hostPort: parsed.host, path: parsed.path };
}

/**
 * Go's order of strings, as kubelet sorts its keyring keys: byte by byte in UTF-8, which is code
 * point order. JS compares UTF-16 code units instead, which puts U+E000–U+FFFF (`～`) after the
 * surrogates of U+10000 and up (`😀`), where Go puts them before.
 */
export function compareGoStrings(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(j) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  // One ran out: the shorter (a prefix of the other) comes first.
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}

/** Why a keyring key does not match the target, or undefined when it matches (`URLsMatch`). */
export function mismatch(key: string, target: string): string | undefined {
  const k = matchForm(key);
  const t = matchForm(target);
  // URLsMatchStr returns the parse error, which Lookup takes as no match.
  if (k === undefined) return 'it parses that once more as a URL to match it, cannot, and so matches no image with it';
  if (t === undefined) return 'kubelet cannot parse the image name as a URL';
  const kh = splitHostPort(k.hostPort);
  const th = splitHostPort(t.hostPort);
  if (kh.port !== th.port) return `the port differs (${kh.port || 'none'} vs ${th.port || 'none'}; kubelet compares ports exactly)`;
  const kl = kh.host.split('.');
  const tl = th.host.split('.');
  if (kl.length !== tl.length) return `the host has ${kl.length} labels, the image's ${tl.length}`;
  for (const [i, label] of kl.entries()) if (!globMatch(label, tl[i] as string)) return `host label "${label}" does not match "${tl[i]}"`;
  if (!t.path.startsWith(k.path)) return `the path "${k.path}" is not a prefix of "${t.path || '/'}"`;
  return undefined;
}

/** kubelet's `isDefaultRegistryMatch`: the image is on Docker Hub as far as the fallback is concerned. */
function isDefaultRegistryMatch(image: string): boolean {
  const slash = image.indexOf('/');
  const first = slash < 0 ? image : image.slice(0, slash);
  if (first === '') return false;
  if (slash < 0) return true;
  if (first === 'docker.io' || first === 'index.docker.io') return true;
  return !/[.:]/.test(first);
}

/** Why kubelet cannot parse this secret, if it cannot (a bad `auth` fails the whole secret). */
function secretError(file: AuthFile): string | undefined {
  for (const e of file.entries) {
    if (e.authProblem === 'invalid-base64') return `key ${quoteKey(e.key)}: "auth" is not valid base64`;
    if (e.authProblem === 'no-colon') return `key ${quoteKey(e.key)}: "auth" is not base64(username:password)`;
  }
  return undefined;
}

interface KeyringItem {
  keyringKey: string;
  entry: AuthEntry;
  file: AuthFile;
}

function credentialOf(item: KeyringItem): ResolvedCredential {
  // kubelet reads username/password/auth only: identity tokens are ignored.
  return makeCredential(item.entry.key, { username: item.entry.username, password: item.entry.password }, { file: item.file.source, key: item.entry.key });
}

/**
 * The keys of one secret that kubelet files under one keyring key with different credentials.
 * `BasicDockerKeyring.Add` ranges over the secret's map, so their order (unlike that of keyring
 * keys, which are sorted, or of secrets, which are added one after another) is Go's map order,
 * which changes from run to run. kubelet sends only username and password: tokens do not count.
 */
function randomOrderOf(matched: readonly KeyringItem[]): RandomOrder[] {
  const groups = new Map<AuthFile, Map<string, KeyringItem[]>>();
  for (const m of matched) {
    let byKey = groups.get(m.file);
    if (byKey === undefined) groups.set(m.file, (byKey = new Map()));
    const group = byKey.get(m.keyringKey);
    if (group === undefined) byKey.set(m.keyringKey, [m]);
    else group.push(m);
  }
  const out: RandomOrder[] = [];
  for (const byKey of groups.values()) {
    for (const [keyringKey, group] of byKey) {
      const first = group[0] as KeyringItem;
      const same = (i: KeyringItem) => (i.entry.username ?? '') === (first.entry.username ?? '') && (i.entry.password ?? '') === (first.entry.password ?? '');
      if (group.length > 1 && !group.every(same)) out.push({ file: first.file.source, keyringKey, keys: group.map((i) => i.entry.key) });
    }
  }
  return out;
}

/** `"a"`, `"a" and "b"`, `"a", "b" and "c"`. */
function quoteKeys(keys: readonly string[]): string {
  const quoted = keys.map(quoteKey);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

/** Explains which credentials kubelet tries for the image, given the pod's pull secrets. */
export function lookupKubelet(input: LookupInput): ClientExplanation {
  const { ref } = input;
  const target = ref.name;
  const out: ClientExplanation = { client: 'kubelet', title: TITLE, query: target, files: [], helperCalls: [], outcome: 'anonymous', reason: '', shadowed: [], notes: [] };
  const items: KeyringItem[] = [];
  let failed: string | undefined;
  for (const file of input.secrets ?? []) {
    const step: FileStep = { path: file.source, why: '--secret', exists: true, status: 'no-match', detail: '' };
    out.files.push(step);
    if (failed !== undefined) continue;
    const error = secretError(file);
    if (error) {
      // kubelet builds one keyring from all the pod's pull secrets and gives up at the first it
      // cannot decode: no secret is used, those after it are not even read.
      step.status = 'error';
      step.detail = error;
      out.outcome = 'error';
      out.reason = `the pull fails: ${file.source}: ${error}`;
      failed = file.source;
      continue;
    }
    for (const entry of file.entries) {
      const keyringKey = kubeletKey(entry.key);
      if (keyringKey === undefined) {
        out.shadowed.push({ file: file.source, key: shownKeyOf(entry), username: entry.username ?? '', reason: 'kubelet cannot parse this key as a URL and skips it' });
        continue;
      }
      items.push({ keyringKey, entry, file });
    }
  }
  for (const s of input.skippedSecrets ?? []) {
    out.notes.push(s.dataKeyMistake !== undefined ? `${s.label}: ${s.dataKeyMistake.message} (fix: ${s.dataKeyMistake.fix})` : `${s.label} is not a pull secret (type ${s.type}); kubelet ignores it`);
  }
  if (failed !== undefined) {
    for (const f of out.files) {
      if (f.status === 'error') continue;
      f.status = 'not-reached';
      f.detail = `not used: kubelet gives up on all the pull secrets at the error in ${failed}`;
    }
    return out;
  }
  // sort.Reverse(sort.StringSlice(index)): Go's byte order, longest first among keys one prefixes.
  const index = [...new Set(items.map((i) => i.keyringKey))].sort((a, b) => compareGoStrings(b, a));
  const matched: KeyringItem[] = [];
  for (const k of index) if (mismatch(k, target) === undefined) matched.push(...items.filter((i) => i.keyringKey === k));
  let viaFallback = false;
  const hubImage = isDefaultRegistryMatch(ref.kind === 'registry' ? `${ref.registry}/` : target);
  if (matched.length === 0 && hubImage) {
    matched.push(...items.filter((i) => i.keyringKey === HUB_FALLBACK_KEY));
    viaFallback = matched.length > 0;
  }
  const canonicalHost = parseRegistryKey(ref.registry).host;
  for (const item of items) {
    if (matched.includes(item)) continue;
    const why = mismatch(item.keyringKey, target);
    let reason: string | undefined;
    if (item.keyringKey === HUB_FALLBACK_KEY && hubImage) reason = `the Docker Hub fallback to ${quoteKey(HUB_FALLBACK_KEY)} applies only when no key matches`;
    else if (parseRegistryKey(item.entry.key).host === canonicalHost || why === undefined) {
      reason = `kubelet reads it as ${quoteKey(item.keyringKey)}: ${why ?? 'no match'}`;
      if (ref.hub && /^(https?:\/\/)?registry-1\.docker\.io/.test(item.entry.key)) reason = 'kubelet does not treat registry-1.docker.io as Docker Hub';
    }
    if (reason) out.shadowed.push({ file: item.file.source, key: shownKeyOf(item.entry), username: item.entry.username ?? '', reason });
  }
  for (const f of out.files) {
    const used = matched.filter((m) => m.file.source === f.path);
    if (used.length > 0) {
      f.status = 'matched';
      f.detail = `keys ${used.map((u) => `${quoteKey(u.entry.key)} (as ${quoteKey(u.keyringKey)})`).join(', ')}${viaFallback ? ' via the Docker Hub fallback' : ''}`;
    } else f.detail = 'no key matches';
  }
  const creds = matched.map(credentialOf);
  const [first, ...rest] = creds;
  if (!first) {
    out.reason = (input.secrets ?? []).length === 0 ? `no pull secrets given (${input.cliFlags ? '--secret' : 'secrets'}); the pull is anonymous` : 'no key matches the image; the pull is anonymous';
    return out;
  }
  out.credential = first;
  out.alternatives = rest;
  const random = randomOrderOf(matched);
  const firstRandom = random.find((r) => r.file === first.source.file && r.keys.includes(first.source.key));
  if (hasCredential(first)) out.outcome = 'credential';
  else {
    out.reason = `the first match ${quoteKey(first.source.key)} holds no credential${isStub(matched[0]!.entry) ? ' (a {} marker: kubelet runs no helpers)' : ''}; kubelet tries it as empty credentials`;
    if (firstRandom) out.reason += ` on the pulls where Go's map order puts it before ${quoteKeys(firstRandom.keys.filter((k) => k !== first.source.key))}`;
  }
  if (rest.length > 0) out.notes.push(`${rest.length} more matching credential(s) are tried in order if the registry refuses the first`);
  if (random.length > 0) {
    out.randomOrder = random;
    for (const r of random) {
      out.notes.push(`keys ${quoteKeys(r.keys)} of ${r.file} are all ${quoteKey(r.keyringKey)} to kubelet, which takes a secret's keys in Go map order: which of their different credentials it tries first changes from pull to pull (credkit lists them in file order)`);
    }
  }
  for (const k of new Set(matched.map((m) => m.keyringKey))) {
    const form = matchForm(k);
    if (form !== undefined && `${form.hostPort}${form.path}` !== k) {
      out.notes.push(`kubelet matches its key ${quoteKey(k)} by the path "${form.path || '/'}": it parses the key once more as a URL, which cuts it at "?" or "#" and decodes a "%" escape again`);
    }
  }
  if (matched.some((m) => m.entry.identityToken !== undefined)) out.notes.push('kubelet ignores identitytoken fields');
  return out;
}
