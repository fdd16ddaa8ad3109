/**
 * `credkit explain quay.io/org/app` (docker and podman lookups over a realistic config.json and
 * auth.json, no helper calls) against `node -e 0` in the same run. No target: the ratio shows what
 * start-up (yargs, the command table) and the lookup cost on top of Node itself.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureCommands, printTable } from './measure.js';
import { BIN, basePath } from '../test/support/sandbox.js';

const auth = (i: number) => ({ auth: Buffer.from(`user${i}:bench-secret-${i}`).toString('base64') });

/** Runs the explain benchmark. */
export async function benchExplain(runs: number): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'credkit-bench-explain-'));
  try {
    const env = { PATH: basePath(), HOME: home, XDG_RUNTIME_DIR: join(home, 'run'), XDG_CONFIG_HOME: join(home, 'config') };
    const auths: Record<string, unknown> = {};
    for (let i = 0; i < 30; i++) auths[`registry${i}.example.com`] = auth(i);
    auths['quay.io/org'] = auth(100);
    await mkdir(join(home, '.docker'), { recursive: true });
    await writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { ...auths, 'quay.io': auth(101) } }));
    await mkdir(join(home, 'config', 'containers'), { recursive: true });
    await writeFile(join(home, 'config', 'containers', 'auth.json'), JSON.stringify({ auths }));
    printTable(`explain (median of ${runs} interleaved runs; ratio to node -e 0)`, measureCommands([
      { name: 'node -e 0 (floor)', argv: [process.execPath, '-e', '0'], env },
      { name: 'credkit --version (CLI start-up)', argv: [process.execPath, BIN.credkit, '--version'], env },
      { name: 'credkit explain quay.io/org/app', argv: [process.execPath, BIN.credkit, 'explain', 'quay.io/org/app'], env },
      { name: 'credkit get quay.io/org/app', argv: [process.execPath, BIN.credkit, 'get', 'quay.io/org/app'], env },
    ], runs));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
