/**
 * `credkit migrate --dry-run` over 10,000 small auth files against the floor of merely reading
 * them: a node process that lists the same tree and `readFileSync`s every file. Target: within 3x.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureCommands, printTable } from './measure.js';
import { BIN, basePath } from '../test/support/sandbox.js';

/** Number of files; 100 directories of 100. */
const FILES = 10_000;
const PER_DIR = 100;

/** Reads every file under argv[1], recursively, synchronously: the floor. */
const READ_ALL = `
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
let bytes = 0;
for (const d of readdirSync(process.argv[1])) for (const f of readdirSync(join(process.argv[1], d))) bytes += readFileSync(join(process.argv[1], d, f), 'utf8').length;
if (bytes === 0) process.exit(1);
`;

/** Small config files as people write them by hand (two-space indent: every one would change). */
function authFile(i: number): string {
  const auth = (u: string, p: string) => Buffer.from(`${u}:${p}`).toString('base64');
  return `${JSON.stringify({ auths: { [`registry${i % 50}.example.com`]: { auth: auth(`user${i}`, `bench-secret-${i}`) }, 'https://index.docker.io/v1/': { auth: auth('hub', 'bench-hub') } }, psFormat: 'table' }, null, 2)}\n`;
}

/** Runs the migrate benchmark. */
export async function benchMigrate(runs: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'credkit-bench-migrate-'));
  try {
    const tree = join(dir, 'files');
    for (let d = 0; d < FILES / PER_DIR; d++) {
      const sub = join(tree, `team${d}`);
      await mkdir(sub, { recursive: true });
      await Promise.all(Array.from({ length: PER_DIR }, (_, j) => writeFile(join(sub, `config-${j}.json`), authFile(d * PER_DIR + j), { mode: 0o600 })));
    }
    const env = { PATH: basePath(), HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') };
    const results = measureCommands(
      [
        { name: `node: readFileSync ${FILES} files (floor)`, argv: [process.execPath, '-e', READ_ALL, tree], env },
        { name: `credkit migrate --dry-run --to podman (${FILES} files)`, argv: [process.execPath, BIN.credkit, 'migrate', join(tree, '**/*.json'), '--to', 'podman', '--dry-run'], env, target: 3 },
        { name: `credkit migrate --dry-run --to docker (${FILES} files)`, argv: [process.execPath, BIN.credkit, 'migrate', join(tree, '**/*.json'), '--to', 'docker', '--dry-run'], env, target: 3 },
      ],
      runs,
      1,
    );
    printTable(`migrate, ${FILES} small auth files (median of ${runs} interleaved runs; ratio to the read floor)`, results);
    for (const r of results.slice(1)) console.log(`  ${r.name}: ${Math.round(FILES / (r.medianMs / 1000))} files/s`);
    console.log(`  floor: ${Math.round(FILES / ((results[0]?.medianMs ?? 1) / 1000))} files/s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
