/**
 * searchPath: the one PATH walk behind running a helper, probing it and docker's default store,
 * with Go's exec.LookPath rules for each platform (Windows given as the platform, not run).
 */
import { expect } from 'chai';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { searchPath } from '../../src/path-search.js';
import { HelperCallError, helperCommand, resolveHelper } from '../../src/helper/client.js';
import { realDeps } from '../../src/credential-lookup.js';
import type { Host } from '../../src/io.js';

describe('searchPath (Go exec.LookPath rules)', () => {
  let root: string;
  const dir = (name: string) => join(root, name);
  async function put(path: string, mode = 0o755): Promise<string> {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '#!/bin/sh\n');
    await chmod(path, mode);
    return path;
  }
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'credkit-path-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  describe('POSIX', () => {
    it('takes the first executable file in an absolute entry; empty and relative entries are skipped', async () => {
      await put(join(dir('rel'), 'docker-credential-x'));
      const found = await put(join(dir('b'), 'docker-credential-x'));
      const rel = relative(process.cwd(), dir('rel'));
      expect(searchPath('docker-credential-x', { PATH: `:${rel}:${dir('a')}:${dir('b')}` }, 'linux')).to.deep.equal({ path: found });
      expect(searchPath('docker-credential-x', { PATH: `:${rel}` }, 'linux')).to.deep.equal({});
      expect(searchPath('docker-credential-x', {}, 'linux')).to.deep.equal({});
    });

    it('passes over a file without execute permission and a directory, and names the file when nothing else is found', async () => {
      const plain = await put(join(dir('a'), 'docker-credential-x'), 0o644);
      await mkdir(join(dir('b'), 'docker-credential-x'), { recursive: true });
      expect(searchPath('docker-credential-x', { PATH: `${dir('a')}:${dir('b')}` }, 'linux')).to.deep.equal({ notExecutable: plain });
      const found = await put(join(dir('c'), 'docker-credential-x'));
      expect(searchPath('docker-credential-x', { PATH: `${dir('a')}:${dir('b')}:${dir('c')}` }, 'linux')).to.deep.equal({ path: found });
    });

    it('does not add Windows extensions', async () => {
      await put(join(dir('a'), 'docker-credential-x.exe'));
      expect(searchPath('docker-credential-x', { PATH: dir('a') }, 'darwin')).to.deep.equal({});
    });
  });

  describe('Windows (as the platform)', () => {
    it('splits PATH on ";", reads Path whatever its case, and finds a name with a PATHEXT extension, not the bare name', async () => {
      await put(join(dir('a'), 'docker-credential-wincred')); // no extension: Go never runs it
      const exe = await put(join(dir('b'), 'docker-credential-wincred.exe'), 0o644); // no execute bit on Windows
      expect(searchPath('docker-credential-wincred', { Path: `${dir('a')};${dir('b')}` }, 'win32')).to.deep.equal({ path: exe });
      expect(searchPath('docker-credential-wincred', { PATH: `${dir('a')}:${dir('b')}` }, 'win32')).to.deep.equal({});
    });

    it('tries PATHEXT in order (lower-cased, dot added), .com;.exe;.bat;.cmd when unset; a name with an extension is tried as it is first', async () => {
      await put(join(dir('a'), 'docker-credential-x.exe'));
      const cmd = await put(join(dir('a'), 'docker-credential-x.cmd'));
      expect(searchPath('docker-credential-x', { PATH: dir('a') }, 'win32')).to.deep.equal({ path: join(dir('a'), 'docker-credential-x.exe') });
      expect(searchPath('docker-credential-x', { PATH: dir('a'), pathext: 'CMD;;.EXE' }, 'win32')).to.deep.equal({ path: cmd });
      const named = await put(join(dir('b'), 'docker-credential-desktop.exe'));
      expect(searchPath('docker-credential-desktop.exe', { PATH: dir('b') }, 'win32')).to.deep.equal({ path: named });
      const doubled = await put(join(dir('c'), 'docker-credential-odd.bat.exe'));
      expect(searchPath('docker-credential-odd.bat', { PATH: dir('c') }, 'win32')).to.deep.equal({ path: doubled });
    });

    it('runs a batch-file helper through cmd.exe (Node will not spawn one directly), quoting its path; any other program as it is', () => {
      const gcloud = 'C:\\Program Files (x86)\\Google\\Cloud SDK\\bin\\docker-credential-gcloud.cmd';
      expect(helperCommand(gcloud, 'get', { ComSpec: 'C:\\Windows\\system32\\cmd.exe' }, 'win32')).to.deep.equal({
        file: 'C:\\Windows\\system32\\cmd.exe',
        args: ['/d', '/s', '/c', `""${gcloud}" get"`],
        windowsVerbatimArguments: true,
      });
      expect(helperCommand('C:\\bin\\docker-credential-x.BAT', 'list', {}, 'win32').file).to.equal('cmd.exe');
      expect(helperCommand('C:\\bin\\docker-credential-wincred.exe', 'store', {}, 'win32')).to.deep.equal({ file: 'C:\\bin\\docker-credential-wincred.exe', args: ['store'] });
      expect(helperCommand('/usr/bin/docker-credential-x.cmd', 'erase', {}, 'linux')).to.deep.equal({ file: '/usr/bin/docker-credential-x.cmd', args: ['erase'] });
    });

    it('skips empty and relative entries, and reads a quoted entry as one (filepath.SplitList)', async () => {
      const quoted = await put(join(root, 'with;semi', 'docker-credential-x.exe'));
      await put(join(dir('rel'), 'docker-credential-x.exe'));
      const rel = relative(process.cwd(), dir('rel'));
      expect(searchPath('docker-credential-x', { PATH: `;${rel};"${join(root, 'with;semi')}"` }, 'win32')).to.deep.equal({ path: quoted });
    });
  });

  describe('every caller walks PATH the same way', () => {
    it('resolveHelper and the lookup\'s onPath (docker\'s default store) agree on Windows', async () => {
      await put(join(dir('a'), 'docker-credential-wincred'));
      const exe = await put(join(dir('b'), 'docker-credential-wincred.exe'));
      const env = { Path: `${dir('a')};${dir('b')}` };
      expect(resolveHelper('wincred', 'get', env, 'win32')).to.equal(exe);
      const host: Host = { env, home: root, platform: 'win32', cwd: root };
      expect(realDeps(host, 1000).onPath('docker-credential-wincred')).to.equal(true);
      const bare = { PATH: dir('a') };
      expect(() => resolveHelper('wincred', 'get', bare, 'win32')).to.throw(HelperCallError, /not on PATH/);
      expect(realDeps({ ...host, env: bare }, 1000).onPath('docker-credential-wincred')).to.equal(false);
    });

    it('and on POSIX: a helper without execute permission is not there for either', async () => {
      const plain = await put(join(dir('a'), 'docker-credential-x'), 0o644);
      const env = { PATH: dir('a') };
      expect(() => resolveHelper('x', 'get', env, 'linux')).to.throw(HelperCallError, `chmod +x ${plain}`);
      expect(realDeps({ env, home: root, platform: 'linux', cwd: root }, 1000).onPath('docker-credential-x')).to.equal(false);
    });
  });
});
