/**
 * `docker-credential-credkit get`/`list` against `node -e 0` (Node's own start-up floor) and,
 * where installed, against the reference helpers on the same kind of store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { measureCommands, printTable, type BenchCase } from './measure.js';
import { BIN } from '../test/support/sandbox.js';

/** Runs the helper benchmarks. */
export async function benchHelper(runs: number): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'credkit-bench-'));
  try {
    const env = { PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), CREDKIT_BACKEND: 'file' };
    // A realistic store: a few dozen entries, the queried one among them.
    for (let i = 0; i < 30; i++) {
      const input = `${JSON.stringify({ ServerURL: `registry${i}.example.com`, Username: `user${i}`, Secret: `bench-secret-${i}` })}\n`;
      spawnSync(process.execPath, [BIN.helper, 'store'], { input, env });
    }
    const node = process.execPath;
    const cases: BenchCase[] = [
      { name: 'node -e 0 (floor)', argv: [node, '-e', '0'], env },
      { name: 'credkit get (file)', argv: [node, BIN.helper, 'get'], input: 'registry7.example.com', env, target: 1.15 },
      { name: 'credkit list (file)', argv: [node, BIN.helper, 'list'], env },
    ];
    printTable(`helper start-up, median of ${runs} interleaved runs, ratio to node -e 0`, measureCommands(cases, runs));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
