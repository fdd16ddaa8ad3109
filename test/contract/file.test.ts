import { expect } from 'chai';
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
