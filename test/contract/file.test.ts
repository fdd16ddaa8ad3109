import { expect } from 'chai';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runStoreContract } from './store-contract.js';
import { makeSandbox, type Sandbox } from '../support/sandbox.js';

describe('store contract: file', () => {
  runStoreContract({ sandbox: () => makeSandbox({ CREDKIT_BACKEND: 'file' }) });

  describe('beyond the contract', () => {
    let sb: Sandbox | undefined;
    afterEach(async () => {
      await sb?.cleanup();
      sb = undefined;
    });

    it('the directories a usability check killed mid-way left are removed by the next check, or by the write that makes the directory', async () => {
      sb = await makeSandbox({ CREDKIT_BACKEND: 'file' });
      const parent = join(sb.home, 'state');
      sb.env.CREDKIT_FILE = join(parent, 'credkit', 'credentials.json');
      const leftovers = ['.credkit-check.mf3k2a1bq9x7c4d2.tmp', '.credkit-check.0a1b2c3d.tmp'];
      // Not a check's: another name, and one with content (a check's directory is always empty).
      const kept = ['.credkit-check.keep', '.credkit-check.zzzzzzzzzz.tmp', 'other'];
      const plant = async () => {
        for (const name of [...leftovers, ...kept]) await mkdir(join(parent, name), { recursive: true });
        await writeFile(join(parent, '.credkit-check.zzzzzzzzzz.tmp', 'note'), 'x');
      };
      await plant();
      const backends = JSON.parse((await sb.credkit(['store', 'backends', '--json'])).stdout) as { backends: { name: string; usable: boolean }[] };
      expect(backends.backends.find((b) => b.name === 'file')?.usable).to.equal(true);
      expect((await readdir(parent)).sort()).to.deep.equal([...kept].sort());

      await plant();
      const input = `${JSON.stringify({ ServerURL: 'quay.io', Username: 'u', Secret: 'fake-pw' })}\n`;
      expect((await sb.helper('store', input)).code).to.equal(0);
      expect((await readdir(parent)).sort()).to.deep.equal([...kept, 'credkit'].sort());
    });

    it('a file under /proc, where no directory can be made, is a one-line error for store and erase (Node\'s recursive mkdir spins there)', async function () {
      if (process.platform !== 'linux') this.skip();
      for (const path of ['/proc/self/credkit/credentials.json', '/proc/1/credkit/deeper/credentials.json']) {
        sb = await makeSandbox({ CREDKIT_BACKEND: 'file', CREDKIT_FILE: path });
        const input = `${JSON.stringify({ ServerURL: 'quay.io', Username: 'u', Secret: 'fake-pw' })}\n`;
        for (const [verb, stdin] of [['store', input], ['erase', 'quay.io']] as const) {
          const r = await sb.helper(verb, stdin);
          expect(r.signal, `${verb} must finish on its own`).to.equal(null);
          expect(r.code, r.stdout).to.equal(1);
          expect(r.stdout).to.match(new RegExp(`^${path.replace(/\//g, '\\/')}: cannot create directory /proc/\\S+ \\(ENOENT\\)\\n$`));
        }
        expect(await sb.helper('get', 'quay.io')).to.include({ code: 1, stdout: 'credentials not found in native keychain\n' });
        await sb.cleanup();
        sb = undefined;
      }
    });
  });
});
