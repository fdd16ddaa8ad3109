/**
 * `--json` failures through the shipped bin: every command that takes --json prints exactly one
 * JSON document on stdout, also when it fails, and stderr and the exit code stay as without --json.
 */
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, makeSandboxPerTest } from '../support/sandbox.js';
import type { RunResult, Sandbox } from '../support/sandbox.js';

/** Stdout as one JSON document; a failure never prints stdout (a converted file holds secrets). */
function oneDocument(r: RunResult): unknown {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}, ${r.stdout.length} characters)`);
  }
}

describe('e2e: credkit --json failures', function () {
  let sb: Sandbox;
  makeSandboxPerTest({}, (made) => (sb = made));

  const fx = (p: string) => join(FIXTURES, p);

  // [what, args, stdin, exit code, error code]
  const failures: [string, string[], string, number, string][] = [
    ['convert: missing input', ['convert', 'missing.json', '--to', 'podman', '--json'], '', 1, 'IO'],
    ['convert -o: missing input', ['convert', 'missing.json', '--to', 'podman', '-o', 'never-written.json', '--json'], '', 1, 'IO'],
    ['convert: bad --name', ['convert', 'missing.json', '--to', 'secret', '--name', 'Reg_Cred', '--json'], '', 2, 'USAGE'],
    ['merge: unparseable input', ['merge', fx('docker-config/basic.json'), fx('docker-config/invalid-json.json'), '--to', 'docker', '--json'], '', 1, 'PARSE'],
    ['merge: --prefer with --fail-on-conflict', ['merge', 'a.json', 'b.json', '--to', 'docker', '--prefer', 'first', '--fail-on-conflict', '--json'], '', 2, 'USAGE'],
    ['login: --password-stdin without -u', ['login', 'registry.example.com', '--password-stdin', '--json'], 'fake-password', 2, 'USAGE'],
    ['logout: a registry and --all', ['logout', 'quay.io', '--all', '--json'], '', 2, 'USAGE'],
    ['explain: unparseable --secret', ['explain', 'quay.io/org/app', '--secret', fx('secrets/invalid-yaml.yaml'), '--json'], '', 1, 'PARSE'],
    ['explain: not an image', ['explain', '::bad', '--json'], '', 2, 'USAGE'],
    ['copy: one store twice', ['copy', '--from', 'file', '--to', 'file', '--json'], '', 2, 'USAGE'],
    ['migrate: neither --to nor --into-store', ['migrate', '*.json', '--json'], '', 2, 'USAGE'],
    ['store get: nothing stored', ['store', 'get', 'quay.io', '--backend', 'file', '--json'], '', 1, 'NOT_FOUND'],
    ['store list: unknown backend', ['store', 'list', '--backend', 'nope', '--json'], '', 2, 'USAGE'],
    ['store backends: an option yargs rejects', ['store', 'backends', '--json', '--bogus'], '', 2, 'USAGE'],
    ['ls: an option yargs rejects', ['ls', '--json', '--bogus'], '', 2, 'USAGE'],
    ['check: an option yargs rejects', ['check', '--json', '--bogus'], '', 2, 'USAGE'],
    ['doctor: an option yargs rejects', ['doctor', '--json', '--bogus'], '', 2, 'USAGE'],
    ['copy: a required option missing', ['copy', '--json'], '', 2, 'USAGE'],
    // A name no helper can have is a bad argument, as an unknown backend is.
    ['store list: a helper name with a slash', ['store', 'list', '--backend', 'helper:a/b', '--json'], '', 2, 'USAGE'],
    ['copy: a helper name with a slash', ['copy', '--from', 'helper:a/b', '--to', 'file', '--json'], '', 2, 'USAGE'],
    // yargs words this one on two lines; an error is one.
    ['convert: a value not among the choices', ['convert', 'missing.json', '--to', 'nope', '--json'], '', 2, 'USAGE'],
  ];
  for (const [what, args, input, exit, code] of failures) {
    it(`${what}: {"ok": false, "error": {"code": "${code}", message}} on stdout, exit ${exit}, stderr as without --json`, async () => {
      const r = await sb.credkit(args, input);
      expect(r.code, r.stderr).to.equal(exit);
      const doc = oneDocument(r) as { ok: unknown; error: { code: unknown; message: string } };
      expect(doc.ok).to.equal(false);
      expect(doc.error.code).to.equal(code);
      expect(Object.keys(doc)).to.deep.equal(['ok', 'error']);
      // The message is the stderr line, and stderr is what it is without --json.
      expect(r.stderr.trimEnd().split('\n').at(-1)).to.equal(`credkit: ${doc.error.message}`);
      if (r.stdout.includes('fake-')) throw new Error('a secret on stdout');
      const plain = await sb.credkit(args.filter((a) => a !== '--json'), input);
      expect([plain.code, plain.stdout, plain.stderr]).to.deep.equal([exit, '', r.stderr]);
    });
  }

  it('a command that printed its report and then exits 1 gets no second document (check with findings, lossy convert -o, copy and migrate that failed)', async () => {
    const check = await sb.credkit(['check', fx('docker-config/auth-invalid-base64.json'), '--json']);
    expect(check.code).to.equal(1);
    expect(oneDocument(check)).to.include.keys('checked', 'findings');

    const lossy = await sb.credkit(['convert', fx('podman/scoped-keys.json'), '--to', 'docker', '-o', join(sb.home, 'out.json'), '--json']);
    expect(lossy.code).to.equal(1);
    expect(oneDocument(lossy)).to.include({ lossy: true, allowLossy: false });

    const copy = await sb.credkit(['copy', '--from', `authfile:${fx('docker-config/basic.json')}`, '--to', 'file', 'no-such.example.com', '--dry-run', '--json']);
    expect(copy.code).to.equal(1);
    expect(oneDocument(copy)).to.include({ ok: false }).and.to.include.keys('entries', 'unmatched');

    const bad = join(sb.home, 'bad.json');
    await writeFile(bad, '{ not json');
    const migrate = await sb.credkit(['migrate', bad, '--to', 'podman', '--dry-run', '--json']);
    expect(migrate.code).to.equal(1);
    expect(oneDocument(migrate)).to.include({ ok: false }).and.to.include.keys('files', 'summary');
  });

  it('a lossy convert to stdout keeps stdout for the converted file (the report is on stderr), with no failure object after it', async () => {
    const r = await sb.credkit(['convert', fx('podman/scoped-keys.json'), '--to', 'docker', '--json']);
    expect(r.code).to.equal(1);
    expect(Object.keys(oneDocument(r) as object)).to.include('auths');
    expect(JSON.parse(r.stderr)).to.include({ lossy: true });
  });

  it('nothing on stdout when no command that takes --json was run (get has no --json; an unknown command; no command)', async () => {
    for (const args of [['get', 'quay.io', '--json'], ['frobnicate', '--json'], ['--json']]) {
      const r = await sb.credkit(args);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stdout, args.join(' ')).to.equal('');
      expect(r.stderr).to.match(/credkit: Unknown argument/);
    }
  });
});
