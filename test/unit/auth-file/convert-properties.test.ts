/**
 * Generated inputs for the conversion core, with fixed seeds so a failure is repeatable: the
 * fixture round trips in convert.test.ts cover the cases someone thought of; these cover the
 * combinations nobody wrote down (key spellings × fields × formats), and odd bytes anywhere.
 */
import { expect } from 'chai';
import { convertAuthSync } from '../../../src/auth-file/convert.js';
import { checkAuthInput } from '../../../src/auth-file/check.js';
import { listEntries } from '../../../src/auth-file/list.js';
import type { AuthFormat } from '../../../src/auth-file/model.js';
import { parseAuthText } from '../../../src/auth-file/read.js';
import { isCredkitError } from '../../../src/errors.js';
import { parseRegistryKey } from '../../../src/registry.js';
import { fixture, summarize } from '../../support/auth-summary.js';

/** xorshift32: small, fast and the same on every machine. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

// Hosts in every spelling class the normaliser knows: ports, IPv4/IPv6, punycode, the Hub aliases.
const HOSTS = ['quay.io', 'ghcr.io', 'registry.example.com:5000', 'localhost:5000', '[::1]:5000', '10.0.0.1', 'docker.io', 'index.docker.io', 'registry-1.docker.io', 'xn--bcher-kva.example', 'reg.example:443'];
const USERS = ['alice', 'robot$ci', 'org+robot', 'ü-user', 'a b', 'name@example.com'];
// Colons, non-ASCII, JSON and HTML escapes, U+2028, padding, and one longer than any line buffer.
const PASSWORDS = ['fake-p', 'fake-pa:ss', 'fake-ü', `fake-${'x'.repeat(400)}`, 'fake-"\\<>&', 'fake-\u2028z', 'fake- sp ', 'fake-=='];

type Pick = <T>(items: readonly T[]) => T;

/** A random auth file of `kind`, with no two keys for one registry scope (they would be a merge). */
function generate(kind: 'docker' | 'podman' | 'dockercfg', rnd: () => number, pick: Pick): string {
  const entries: Record<string, Record<string, string>> = {};
  const scopes = new Set<string>();
  const count = 1 + Math.floor(rnd() * 5);
  for (let i = 0; i < count; i++) {
    let key = pick(HOSTS);
    if (kind === 'podman' && rnd() < 0.4) key += pick(['/org', '/org/repo', '/a/b/c']);
    if (kind !== 'podman' && rnd() < 0.3) key = `${kind === 'docker' ? pick(['https://', 'http://']) : 'https://'}${key}${pick(['', '/', '/v1/'])}`;
    const scope = parseRegistryKey(key).canonical;
    if (scopes.has(scope)) continue;
    scopes.add(scope);
    const user = pick(USERS);
    const password = pick(PASSWORDS);
    const shape = rnd();
    const entry: Record<string, string> = {};
    if (kind !== 'podman' && shape < 0.2) {
      entry.username = user;
      entry.password = password;
      if (rnd() < 0.5) entry.auth = b64(`${user}:${password}`);
    } else if (kind !== 'dockercfg' && shape < 0.3) {
      entry.auth = b64(`${user}:`);
      entry.identitytoken = `fake-token-${i}`;
    } else {
      entry.auth = b64(`${user}:${password}`);
    }
    if (kind !== 'podman' && rnd() < 0.2) entry.email = 'someone@example.com';
    entries[key] = entry;
  }
  if (kind === 'dockercfg') return JSON.stringify(entries);
  const doc: Record<string, unknown> = { auths: entries };
  if (rnd() < 0.3) doc.credHelpers = { [pick(HOSTS)]: 'gcloud' };
  if (kind === 'docker' && rnd() < 0.3) Object.assign(doc, { psFormat: 'table {{.ID}}', HttpHeaders: { 'X-Team': 'a' } });
  return JSON.stringify(doc, null, kind === 'docker' ? '\t' : '  ');
}

describe('convert: generated inputs', () => {
  const chains: [start: 'docker' | 'podman' | 'dockercfg', steps: AuthFormat[]][] = [
    ['docker', ['podman', 'docker']],
    ['docker', ['secret', 'docker']],
    ['docker', ['dockercfg', 'docker']],
    ['docker', ['docker']],
    ['podman', ['docker', 'podman']],
    ['podman', ['secret', 'podman']],
    ['podman', ['podman']],
    ['dockercfg', ['docker', 'dockercfg']],
    ['dockercfg', ['secret', 'dockercfg']],
  ];

  for (const [start, steps] of chains) {
    const name = [start, ...steps].join(' → ');
    it(`${name}: 150 generated files keep every credential, scope and field, or report what they lose`, () => {
      const rnd = random(name.length * 7919 + steps.length);
      const pick: Pick = (items) => items[Math.floor(rnd() * items.length)] as (typeof items)[number];
      let compared = 0;
      for (let i = 0; i < 150; i++) {
        const input = generate(start, rnd, pick);
        let text = input;
        const kinds = new Set<string>();
        for (const [n, to] of steps.entries()) {
          const r = convertAuthSync([{ text, source: `step-${n}` }], { to, from: n === 0 ? start : undefined, policy: 'fail' });
          for (const loss of r.losses) kinds.add(loss.kind);
          text = r.text;
        }
        // A path docker ignores is still written as is; anything else reported as lost may differ.
        if ([...kinds].some((k) => k !== 'scope')) continue;
        compared++;
        // Boolean: a failing deep-equal would print the generated (fake) credentials.
        const same = JSON.stringify(summarize(text, 'after')) === JSON.stringify(summarize(input, 'before'));
        if (!same) expect.fail(`${name}: case ${i} changed what the file means (seeded; rerun this test to see it)`);
      }
      // The generator must keep producing cases that can be compared, or the test proves nothing.
      expect(compared).to.be.greaterThan(40);
    });
  }

  it('mutated fixtures and generated files: every refusal is a credkit error that quotes no secret, in parse, convert, check and ls', () => {
    const secret = 'fake-Zq9mark';
    const seeds = [
      fixture('docker-config/everything.json'),
      fixture('podman/scoped-keys.json'),
      fixture('dockercfg/line-form.dockercfg'),
      fixture('secrets/list-of-two.yaml'),
      JSON.stringify({ auths: { 'quay.io': { auth: b64(`u:${secret}`) }, 'ghcr.io/org/x': { username: 'u', password: secret }, 'r.example': { identitytoken: secret, auth: b64('u:') } }, credHelpers: { 'gcr.io': 'gcloud' } }, null, 2),
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${b64(JSON.stringify({ auths: { 'quay.io': { auth: b64(`u:${secret}`) } } }))}\n`,
      `auth = ${b64(`u:${secret}`)}\nemail = a@example.com\n`,
    ];
    const tokens = ['{', '}', '[', ']', ',', ':', '"', 'null', 'true', '0', '-1e999', '"\\ud800"', '"\\u0000"', '\n', '---\n', '&a ', '*a', '!!binary ', '? ', '- ', '"auths"', '"auth"', '"credHelpers"', '""', '%zz', '\t', '#', 'auth = ', '\u0000', '\uFFFF', '😀', 'kind: List\n'];
    const values: unknown[] = [null, true, 5, 1e308, '', '\u0000', [], {}, [1], { a: {} }, 'x:y', b64(':'), b64('u:'), '=====', 'a'.repeat(300)];
    const rnd = random(20261122);
    const pick: Pick = (items) => items[Math.floor(rnd() * items.length)] as (typeof items)[number];
    const mutateValue = (v: unknown, depth: number): unknown => {
      if (v !== null && typeof v === 'object' && depth < 6 && rnd() < 0.7) {
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o);
        const r = rnd();
        if (keys.length > 0 && r < 0.4) { const k = pick(keys); o[k] = mutateValue(o[k], depth + 1); }
        else if (keys.length > 0 && r < 0.7) o[pick(keys)] = structuredClone(pick(values));
        else if (keys.length > 0 && r < 0.8) delete o[pick(keys)];
        else if (!Array.isArray(o)) o[pick(['auths', 'credHelpers', 'credsStore', 'auth', 'username', 'identitytoken', 'quay.io', 'https://quay.io/v1/', '*.io', 'a/b', '', 'https://', '[::1]:5000', 'quay.io:99999'])] = structuredClone(pick(values));
        return o;
      }
      return rnd() < 0.5 ? structuredClone(pick(values)) : v;
    };
    const mutate = (text: string): string => {
      let t = text;
      for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
        const r = rnd();
        if (r < 0.45) {
          try {
            t = JSON.stringify(mutateValue(JSON.parse(t), 0), null, 2);
            continue;
          } catch {
            // not JSON: mutate the text instead
          }
        }
        const p = Math.floor(rnd() * (t.length + 1));
        t = r < 0.75 ? t.slice(0, p) + pick(tokens) + t.slice(p) : t.slice(0, p) + t.slice(p + 1 + Math.floor(rnd() * 5));
      }
      return t;
    };
    const problems: string[] = [];
    const attempt = (what: string, run: () => string[]): void => {
      try {
        for (const said of run()) if (said.includes(secret)) problems.push(`${what}: a report quotes the secret`);
      } catch (err) {
        if (!isCredkitError(err)) problems.push(`${what}: ${(err as Error)?.name} (not a credkit error)`);
        else if ((err as Error).message.includes(secret)) problems.push(`${what}: the error quotes the secret`);
      }
    };
    const formats: AuthFormat[] = ['docker', 'podman', 'dockercfg', 'secret'];
    for (let i = 0; i < 400; i++) {
      const text = mutate(pick(seeds));
      const from = rnd() < 0.3 ? pick(formats) : undefined;
      for (const to of formats) {
        attempt(`case ${i} convert to ${to}`, () => {
          const r = convertAuthSync([{ text, source: 'in.json' }], { to, from, policy: 'last' });
          return [...r.losses, ...r.notes].map((x) => `${x.key} ${x.message}`);
        });
      }
      attempt(`case ${i} check`, () => checkAuthInput({ text, source: 'in.json', from }).map((f) => `${f.key ?? ''} ${f.message} ${f.fix ?? ''}`));
      attempt(`case ${i} ls`, () => listEntries(parseAuthText(text, 'in.json', { from }).files).map((row) => JSON.stringify(row)));
    }
    // Only the case numbers and what went wrong: never the generated text.
    expect(problems.slice(0, 10)).to.deep.equal([]);
  });
});
