import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/sandbox.js';
import { COMMANDS, selectedCommand } from '../../../src/cli/commands/index.js';
import type { CommandContext } from '../../../src/cli/context.js';

describe('cli command table', () => {
  const ctx = { io: {} as never, exitCode: 0, packageRoot: '' } as CommandContext;

  for (const entry of COMMANDS) {
    it(`${entry.name}: the table says what the module declares`, async () => {
      const module = (await entry.load())(ctx);
      expect(module.command).to.equal(entry.command);
      expect(module.describe).to.equal(entry.describe);
      expect(String(entry.command).split(' ')[0]).to.equal(entry.name);
    });
  }

  it('selects the first non-option word', () => {
    expect(selectedCommand(['--help'])).to.equal(undefined);
    expect(selectedCommand(['convert', 'x', '--to', 'podman'])).to.equal('convert');
    expect(selectedCommand(['-h', 'store', 'list'])).to.equal('store');
  });

  it("bin/credkit's list of commands (which name the code caches) is the table's", () => {
    const bin = readFileSync(join(ROOT, 'bin', 'credkit'), 'utf8');
    const listed = /const COMMANDS = \[([^\]]*)\]/.exec(bin)?.[1]?.match(/'([a-z]+)'/g)?.map((q) => q.slice(1, -1));
    expect(listed).to.deep.equal(COMMANDS.map((c) => c.name));
  });
});
