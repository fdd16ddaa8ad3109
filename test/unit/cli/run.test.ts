import { expect } from 'chai';
import { main } from '../../../src/cli/run.js';
import type { Io } from '../../../src/io.js';
import { ROOT } from '../../support/sandbox.js';

describe('cli: an unexpected error (a bug)', () => {
  it('prints the class and stack frames and how to report it, never the message, which may quote input; exit 1', async () => {
    let out = '';
    let err = '';
    const io: Io = {
      env: {},
      home: '/nonexistent',
      platform: 'linux',
      cwd: '/',
      isTTY: false,
      // Node's JSON.parse quotes the text it failed on: here, a secret read from stdin.
      readStdin: async () => JSON.parse('fake-bug-secret') as string,
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
    };
    const code = await main(['convert', '-', '--to', 'docker'], io, ROOT);
    expect(code).to.equal(1);
    expect(out).to.equal('');
    expect(err).to.match(/^credkit [^:]+: unexpected error: SyntaxError \(its message is not shown: it may quote input, such as a secret\)\n\s+at /);
    expect(err).to.match(/\nThis is a bug in credkit; please report it with the command you ran \(not its input\) and the lines above, which hold no input\.\n$/);
    expect(err.includes('fake-bug-secret'), 'the secret was printed').to.equal(false);
  });
});
