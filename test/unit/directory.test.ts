import { expect } from 'chai';
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirectory } from '../../src/directory.js';

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
  return undefined;
}

describe('makeDirectory', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'credkit-dir-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('makes missing parents with the mode, and accepts a directory that is there', async () => {
    makeDirectory(join(root, 'a', 'b', 'c'), 0o700);
    for (const d of ['a', 'a/b', 'a/b/c']) expect((await stat(join(root, d))).mode & 0o777).to.equal(0o700);
    makeDirectory(join(root, 'a', 'b'), 0o700);
    makeDirectory(root, 0o700);
  });

  it('throws the system error for a file in the way, a dangling link, and a place under /proc', async () => {
    await writeFile(join(root, 'file'), '');
    expect(codeOf(() => makeDirectory(join(root, 'file'), 0o700))).to.equal('EEXIST');
    expect(codeOf(() => makeDirectory(join(root, 'file', 'x'), 0o700))).to.equal('ENOTDIR');
    await symlink(join(root, 'nowhere'), join(root, 'dangling'));
    expect(codeOf(() => makeDirectory(join(root, 'dangling', 'x', 'y'), 0o700))).to.equal('ENOENT');
    // procfs answers ENOENT for a name it will never hold, below a directory that exists.
    if (process.platform === 'linux') expect(codeOf(() => makeDirectory('/proc/self/credkit/x', 0o700))).to.equal('ENOENT');
  });
});
