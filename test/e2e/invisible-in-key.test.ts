/**
 * Keys, usernames and helper names with characters a terminal does not show as themselves (a
 * right-to-left override, bidi isolates, zero-width spaces, a BOM, an escape sequence), through
 * the shipped credkit: every line for people shows them escaped (`\u202e`, `\x1b`), `--json` keeps
 * the key's value with those characters written as JSON escapes, and check flags such a key.
 */
import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSandboxPerTest } from '../support/sandbox.js';
import type { RunResult, Sandbox } from '../support/sandbox.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
// "quay.io" with a right-to-left override: a terminal shows `evil‮oi.yauq` as another name.
const RLO_KEY = 'evil\u202eoi.yauq';
const KEYS = [RLO_KEY, 'gh\u2066cr.io\u2069', 'zero\u200bwidth.io', '\ufeffbom.io', 'esc\x1b[2J.io', 'sep\u2028line.io', 'tag\u{e0041}.io'];
// What may never reach stdout or stderr raw: every character above but the C0 ones that
// JSON.stringify escapes itself, and the escape character.
const RAW = /[\x1b\u202e\u2066\u2069\u200b\ufeff\u2028]|\u{e0041}/u;

function raw(r: RunResult): boolean {
  return RAW.test(r.stdout) || RAW.test(r.stderr);
}

describe('e2e: invisible characters in keys', function () {
  let sb: Sandbox;
  let file: string;
  makeSandboxPerTest({ CREDKIT_BACKEND: 'file' }, (made) => (sb = made));
  beforeEach(async () => {
    await mkdir(join(sb.home, '.docker'), { recursive: true });
    file = join(sb.home, '.docker', 'config.json');
    const auths: Record<string, { auth: string }> = { 'quay.io': { auth: b64('user:fake-pw') } };
    for (const key of KEYS) auths[key] = { auth: b64('u\u202ezzz:fake-pw') };
    await writeFile(file, JSON.stringify({ auths, credHelpers: { 'gh\u2066cr.io': 'pa\u202ess' } }), { mode: 0o600 });
  });

  it('ls and check show them escaped, and check flags each key (invisible-in-key)', async () => {
    const ls = await sb.credkit(['ls', file]);
    expect(raw(ls)).to.equal(false);
    expect(ls.stdout).to.match(/^evil\\u202eoi\.yauq +registry +u\\u202ezzz +\*{8} /m);
    expect(ls.stdout).to.include('(esc\\x1b[2J.io)');
    expect(ls.stdout).to.include('(tag\\u{e0041}.io)');
    const check = await sb.credkit(['check', file]);
    expect(raw(check)).to.equal(false);
    expect(check.stdout).to.include(`warning: ${file}: key "evil\\u202eoi.yauq": the key holds invisible or control characters`);
    expect(check.stdout).to.include(`warning: ${file}: key "credHelpers[gh\\u2066cr.io]": the key holds invisible or control characters`);
    const j = await sb.credkit(['check', '--json', file]);
    expect(raw(j)).to.equal(false);
    const findings = (JSON.parse(j.stdout) as { findings: { code: string; key: string }[] }).findings.filter((f) => f.code === 'invisible-in-key');
    // --json keeps each key as written (it is data): the characters are escaped in the JSON text only.
    expect(findings.map((f) => f.key)).to.deep.equal([...KEYS, 'credHelpers[gh\u2066cr.io]']);
    const list = await sb.credkit(['ls', '--json', file]);
    expect(raw(list)).to.equal(false);
    expect(list.stdout).to.include('"key": "evil\\u202eoi.yauq"');
    const keys = (JSON.parse(list.stdout) as { entries: { key: string }[] }).entries.map((e) => e.key);
    expect(keys).to.include(RLO_KEY);
  });

  it('no command prints them raw', async function () {
    this.timeout(300000);
    const secret = join(sb.home, 'secret.json');
    const payload = JSON.stringify({ auths: { [RLO_KEY]: { auth: b64('u:fake-pw') }, 'quay.io': { auth: b64('u\u2066:fake-pw') } } });
    await writeFile(secret, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(payload) } }), { mode: 0o600 });
    const out = join(sb.home, 'out');
    const runs: string[][] = [['ls'], ['check'], ['doctor', '--no-call-helpers'], ['doctor', '--json', '--no-call-helpers']];
    for (const p of [file, secret]) {
      runs.push(['check', '--json', p], ['explain', 'quay.io/org/app', '--as', 'kubelet', '--secret', p], ['explain', 'quay.io/org/app', '--as', 'kubelet', '--secret', p, '--json']);
      for (const to of ['docker', 'podman', 'dockercfg', 'secret']) runs.push(['convert', p, '--to', to, '-o', `${out}.${to}`], ['convert', p, '--to', to, '-o', `${out}.${to}`, '--json', '--force']);
      runs.push(['merge', p, file, '--to', 'podman', '-o', `${out}.merged`], ['copy', '--from', `authfile:${p}`, '--to', 'file', '--dry-run'], ['copy', '--from', `authfile:${p}`, '--to', 'file', '--json']);
    }
    runs.push(['explain', 'quay.io', '--as', 'docker'], ['explain', 'ghcr.io', '--json'], ['explain', `${RLO_KEY}/app`], ['explain', 'ghcr.io/x\u202e']);
    runs.push(['migrate', file, '--into-store', 'file', '--dry-run'], ['migrate', file, '--to', 'podman', '--dry-run', '--json']);
    runs.push(['store', 'list'], ['store', 'list', '--json'], ['store', 'get', RLO_KEY], ['store', 'get', 'nothing\u202e.io'], ['store', 'erase', 'nothing\u200b.io']);
    runs.push(['logout', RLO_KEY, '--authfile', join(sb.home, 'logout.json')], ['login', 'quay.io\u202e', '-u', 'u', '--password-stdin']);
    const shown: string[] = [];
    for (const args of runs) {
      const r = await sb.credkit(args, 'fake-pw');
      if (raw(r)) shown.push(args.join(' ').replaceAll(sb.home, '~'));
    }
    expect(shown).to.deep.equal([]);
  });
});
