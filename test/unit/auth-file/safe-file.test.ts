import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockTakerState, updateFile } from '../../../src/auth-file/safe-file.js';

describe('lock files: who holds them', () => {
  const self = '100 build-host pid:[4026531836]\n';
  const runs = (pid: number) => pid === 200;
  const table: [string, string, 'gone' | 'running' | 'unknown'][] = [
    ['a taker on this host and pid namespace that no longer runs', '300 build-host pid:[4026531836]\n', 'gone'],
    ['a taker that still runs', '200 build-host pid:[4026531836]\n', 'running'],
    ['this process itself (another lock call in it)', '100 build-host pid:[4026531836]\n', 'running'],
    ['another host (a shared home directory)', '300 other-host pid:[4026531836]\n', 'unknown'],
    ['another pid namespace (a container sharing the home)', '300 build-host pid:[4026532000]\n', 'unknown'],
    ['an empty file (taken, line not written yet; or an older credkit)', '', 'unknown'],
    ['a half-written line', '300 build-host', 'unknown'],
    ['pid 0', '0 build-host pid:[4026531836]\n', 'unknown'],
  ];
  for (const [what, text, state] of table) {
    it(`${what}: ${state}`, () => expect(lockTakerState(text, self, runs)).to.equal(state));
  }
});

describe('lock files: taking one, breaking an abandoned one', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credkit-lock-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  /** The line of a taker on this host and pid namespace that no longer runs. */
  function deadTaker(): string {
    let namespace = '-';
    try {
      namespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      // No /proc: credkit writes "-" too.
    }
    return `999999999 ${hostname() || '-'} ${namespace}\n`;
  }

  it('many writers that find the lock of a killed writer break it once: no update is lost', async () => {
    const file = join(dir, 'config.json');
    // The race between breakers is made certain by the next test; a few rounds here check that
    // a crowd of waiters gets through an abandoned lock with nothing lost and nothing left over.
    for (let round = 0; round < 4; round++) {
      await writeFile(file, '{}');
      await writeFile(`${file}.lock`, deadTaker());
      await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          updateFile(file, async (text) => {
            const doc = JSON.parse(text ?? '{}') as Record<string, number>;
            await new Promise((r) => setTimeout(r, 5));
            doc[`k${i}`] = i;
            return JSON.stringify(doc);
          }),
        ),
      );
      expect(Object.keys(JSON.parse(await readFile(file, 'utf8')) as object), `round ${round}`).to.have.length(16);
      expect((await readdir(dir)).sort()).to.deep.equal(['config.json']);
    }
  });

  // The first breaker waits at one step of breaking the abandoned lock while the others go on:
  // - after judging it: meanwhile another breaks it and takes the lock, which the first must then
  //   leave alone (it is no longer the lock judged);
  // - before removing it: were others let through meanwhile, one would break the lock, take it and
  //   be writing when the first removes it.
  for (const step of ['judged', 'removing'] as const) {
    it(`a waiter breaking an abandoned lock never removes the lock another took (the first breaker waits when ${step})`, async () => {
      const file = join(dir, 'config.json');
      await writeFile(file, '{}');
      await writeFile(`${file}.lock`, deadTaker());
      let waited = false;
      const beforeBreak = async (at: 'judged' | 'removing') => {
        if (waited || at !== step) return;
        waited = true;
        await new Promise((r) => setTimeout(r, 100));
      };
      await Promise.all(
        Array.from({ length: 3 }, (_, i) =>
          updateFile(
            file,
            async (text) => {
              const doc = JSON.parse(text ?? '{}') as Record<string, number>;
              await new Promise((r) => setTimeout(r, 200));
              doc[`k${i}`] = i;
              return JSON.stringify(doc);
            },
            { beforeBreak },
          ),
        ),
      );
      expect(waited, 'the lock was broken').to.equal(true);
      expect(Object.keys(JSON.parse(await readFile(file, 'utf8')) as object)).to.have.length(3);
      expect((await readdir(dir)).sort()).to.deep.equal(['config.json']);
    });
  }

  // A lock seen empty names no taker: had its writer been killed right then (between creating the
  // file and writing its line), the lock could only be broken by age, after waiters give up.
  it('a lock is never seen without its taker line', async () => {
    const file = join(dir, 'config.json');
    // Another process reads the lock as fast as it can while this one takes it again and again.
    const watcher = `const fs=require("node:fs");const end=Date.now()+Number(process.argv[2]);let seen=0,empty=0;
      while(Date.now()<end){try{const t=fs.readFileSync(process.argv[1],"utf8");seen++;if(t==="")empty++}catch{}}
      process.stdout.write(JSON.stringify({seen,empty}))`;
    const child = spawn(process.execPath, ['-e', watcher, `${file}.lock`, '1500'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise((resolve) => child.on('close', resolve));
    const start = Date.now();
    for (let i = 0; Date.now() - start < 1400; i++) await updateFile(file, async () => `{"n":${i}}`);
    await closed;
    const { seen, empty } = JSON.parse(out) as { seen: number; empty: number };
    expect(seen).to.be.greaterThan(0);
    expect(empty).to.equal(0);
  });

  it("a lock's own temp file left by a killed writer is removed once old, not while young", async () => {
    const file = join(dir, 'config.json');
    const old = join(dir, '.config.json.lock.abcdefgh1.tmp');
    const young = join(dir, '.config.json.lock.abcdefgh2.tmp');
    await writeFile(old, '1 host ns\n');
    await writeFile(young, '2 host ns\n');
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(old, minuteAgo, minuteAgo);
    await updateFile(file, async () => '{}');
    expect((await readdir(dir)).sort()).to.deep.equal(['.config.json.lock.abcdefgh2.tmp', 'config.json']);
  });
});

describe('new files (backups): never seen partly written', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credkit-new-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('a writer killed mid-write leaves no file under the name, only a temp file the next locked write of the file beside it removes', async () => {
    const module = new URL('../../../src/auth-file/safe-file.js', import.meta.url).href;
    const backup = join(dir, 'config.json.credkit-backup-1');
    const size = 96 * 1024 * 1024;
    // The child writes a large backup; it is killed as soon as anything of it is on disk.
    const script = `const { writeNewFile } = await import(${JSON.stringify(module)}); await writeNewFile(${JSON.stringify(backup)}, Buffer.alloc(${size}, 120), { mode: 0o600, tempBeside: ${JSON.stringify(join(dir, 'config.json'))} });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    let seen: string[] = [];
    while (seen.length === 0 && child.exitCode === null) {
      seen = (await readdir(dir)).filter((n) => n !== 'config.json');
      if (seen.length === 0) await new Promise((r) => setTimeout(r, 1));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const names = await readdir(dir);
    // Under its name only whole: a kill after the link leaves it complete.
    if (names.includes('config.json.credkit-backup-1')) expect((await readFile(backup)).length).to.equal(size);
    const temps = names.filter((n) => n.startsWith('.config.json.') && n.endsWith('.tmp'));
    expect(names.length === temps.length || names.includes('config.json.credkit-backup-1'), names.join(', ')).to.equal(true);
    await writeFile(join(dir, 'config.json'), '{}');
    await updateFile(join(dir, 'config.json'), () => '{"auths":{}}');
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).to.deep.equal([]);
  });
});
