/**
 * Convert and merge of big auth files (10k and 100k entries) against the floor of a plain
 * `JSON.parse` + `JSON.stringify` of the same input text(s), measured in the same run: in-process
 * for the core (`convertAuth`, as the CLI calls it), and once end to end through the bin for 100k
 * (start-up, reading and the atomic write included). Per-entry times at both sizes show linearity.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertAuth } from '../src/auth-file/convert.js';
import type { ConvertInput, ConvertOptions } from '../src/auth-file/convert.js';
import { BIN, basePath } from '../test/support/sandbox.js';
import { leastSecret } from './least-secret.js';
import { measureCommands, printTable, timeFunctions } from './measure.js';

/** Target: the core within this factor of the JSON floor. */
const TARGET = 2;
const SIZES = [10_000, 100_000] as const;

/** A small deterministic PRNG (mulberry32), so every run converts the same files. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
function token(rand: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * The key for entry `i`, in docker's spelling (schemes, `https://index.docker.io/v1/`) or
 * podman's (bare hosts, `docker.io`): mostly registries, some namespace and repository scopes
 * (podman style), some Docker Hub aliases with a path.
 */
function keyFor(i: number, style: 'docker' | 'podman'): string {
  if (i === 0) return style === 'docker' ? 'https://index.docker.io/v1/' : 'docker.io';
  switch (i % 20) {
    case 3:
      return style === 'docker' ? `https://registry${i}.example.com` : `registry${i}.example.com`;
    case 7:
      return `quay.io/org${i}/app`;
    case 9:
      return `ghcr.io/team${i}`;
    case 11:
      return i % 40 === 11 ? `index.docker.io/team${i}` : `docker.io/org${i}/repo`;
    case 13:
      return `registry${i}.example.com:5000`;
    default:
      return `registry${i}.example.com`;
  }
}

/**
 * A docker config.json / podman auth.json with entries `from` .. `from + count - 1`. Entry `i`
 * has the same credential in every file unless `rotated` says it was changed (a conflict).
 */
export function authFile(from: number, count: number, style: 'docker' | 'podman', rotated: (i: number) => boolean): string {
  const auths: Record<string, unknown> = {};
  for (let i = from; i < from + count; i++) {
    const rand = prng(i * 7919 + (rotated(i) ? 1 : 0));
    const user = `user${i}`;
    const password = token(rand, 24 + Math.floor(rand() * 24));
    if (i % 20 === 5) {
      // `docker login` with an identity token: username only in `auth`, the token beside it.
      auths[keyFor(i, style)] = { auth: b64(`${user}:`), identitytoken: `eyJ${token(rand, 120)}` };
    } else if (i % 50 === 17) {
      auths[keyFor(i, style)] = { auth: b64(`${user}:${password}`), email: `${user}@example.com` };
    } else {
      auths[keyFor(i, style)] = { auth: b64(`${user}:${password}`) };
    }
    // A few same-scope spellings with the same credential (duplicates, not losses).
    if (i % 1000 === 23) auths[`https://${keyFor(i, 'podman')}/v1/`] = { auth: b64(`${user}:${password}`) };
  }
  const doc: Record<string, unknown> = { auths };
  if (style === 'docker') {
    doc.psFormat = 'table {{.ID}}\\t{{.Names}}';
    doc.HttpHeaders = { 'User-Agent': 'Docker-Client/24.0.7 (linux)' };
  }
  return style === 'docker' ? JSON.stringify(doc, null, '\t') : JSON.stringify(doc, null, '  ');
}

function floorOf(texts: readonly string[]): () => void {
  return () => {
    for (const t of texts) JSON.stringify(JSON.parse(t));
  };
}

function coreOf(inputs: readonly ConvertInput[], options: ConvertOptions): () => Promise<void> {
  return async () => {
    const r = await convertAuth(inputs, options);
    if (r.text.length === 0 || r.losses.length > 0 && options.to === 'podman') throw new Error('bench: unexpected conversion result');
  };
}

interface Row {
  name: string;
  entries: number;
  floorMs: number;
  coreMs: number;
  /** Secrets only: the floor plus base64 of the stringified payload. */
  secretFloorMs?: number;
  /** Secrets only: the least Secret writer of bench/least-secret.ts. */
  leastMs?: number;
}

/** The floor plus base64 of its output: a Secret holds its payload base64-encoded. */
function secretFloorOf(text: string): () => void {
  return () => {
    Buffer.from(JSON.stringify(JSON.parse(text)), 'utf8').toString('base64');
  };
}

/**
 * How each size is timed: rounds (a share of BENCH_RUNS) of `block` calls of each function in a
 * row (see timeFunctions), after `warmup` rounds.
 */
function plan(n: number, runs: number): { rounds: number; block: number; warmup: number } {
  return n >= 100_000 ? { rounds: Math.max(3, Math.round(runs / 6)), block: 3, warmup: 1 } : { rounds: Math.max(3, Math.round(runs / 2)), block: 10, warmup: 2 };
}

/** Runs the auth-file benchmarks. */
export async function benchAuthFiles(runs: number): Promise<void> {
  const rows: Row[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'credkit-bench-auth-'));
  try {
    let big = '';
    for (const n of SIZES) {
      const { rounds, block, warmup } = plan(n, runs);
      const docker = authFile(0, n, 'docker', () => false);
      // The second file overlaps the first by half; every fourth shared entry has a new password.
      const podman = authFile(n / 2, n, 'podman', (i) => i % 4 === 0);
      if (n === 100_000) big = docker;
      const one = [{ text: docker, source: 'config.json' }];
      const two = [...one, { text: podman, source: 'auth.json' }];
      const cases = [
        { name: 'docker → podman', floor: floorOf([docker]), core: coreOf(one, { to: 'podman', policy: 'fail', materialize: false }) },
        { name: 'docker → secret', floor: floorOf([docker]), core: coreOf(one, { to: 'secret', policy: 'fail', materialize: true }), secretFloor: secretFloorOf(docker), least: () => void leastSecret(docker) },
        { name: 'merge docker + podman', floor: floorOf([docker, podman]), core: coreOf(two, { to: 'docker', policy: 'last', materialize: false }) },
      ];
      for (const c of cases) {
        const fns = c.secretFloor && c.least ? [c.floor, c.core, c.secretFloor, c.least] : [c.floor, c.core];
        const [floorMs, coreMs, secretFloorMs, leastMs] = await timeFunctions(fns, rounds, warmup, block);
        const row: Row = { name: c.name, entries: n, floorMs: floorMs as number, coreMs: coreMs as number };
        if (secretFloorMs !== undefined) row.secretFloorMs = secretFloorMs;
        if (leastMs !== undefined) row.leastMs = leastMs;
        rows.push(row);
      }
    }
    printRows(rows, runs);

    const input = join(dir, 'big.json');
    const output = join(dir, 'out.json');
    await writeFile(input, big);
    const env = { PATH: basePath(), HOME: dir };
    const node = process.execPath;
    const script = 'const fs=require("node:fs");fs.writeFileSync(process.argv[2],JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1],"utf8"))))';
    printTable(`credkit convert, end to end, ${SIZES[1].toLocaleString('en')} entries (median of ${Math.max(3, Math.round(runs / 10))}; ratio to node reading, parsing, stringifying and writing the same file)`, measureCommands([
      { name: 'node -e JSON.parse + JSON.stringify (floor)', argv: [node, '-e', script, input, join(dir, 'floor.json')], env },
      { name: 'credkit convert big.json --to podman -o out.json', argv: [node, BIN.credkit, 'convert', input, '--to', 'podman', '-o', output], env, target: TARGET },
    ], Math.max(3, Math.round(runs / 10)), 1));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function printRows(rows: readonly Row[], runs: number): void {
  const [small, large] = SIZES.map((n) => plan(n, runs)) as [ReturnType<typeof plan>, ReturnType<typeof plan>];
  console.log(`\nauth files, in process (median of ${small.rounds} interleaved rounds of ${small.block} calls each, 100k: ${large.rounds} of ${large.block}; floor = JSON.parse + JSON.stringify of the input text(s); target ≤ ${TARGET.toFixed(2)}x)`);
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`  ${'case'.padEnd(w)}  ${'entries'.padStart(7)}  ${'floor ms'.padStart(9)}  ${'credkit ms'.padStart(10)}  ${'ratio'.padStart(6)}  ${'µs/entry'.padStart(8)}`);
  for (const r of rows) {
    const ratio = r.coreMs / r.floorMs;
    const met = ratio <= TARGET ? 'met' : 'NOT met';
    console.log(`  ${r.name.padEnd(w)}  ${String(r.entries / 1000).padStart(6)}k  ${r.floorMs.toFixed(1).padStart(9)}  ${r.coreMs.toFixed(1).padStart(10)}  ${`${ratio.toFixed(2)}x`.padStart(6)}  ${((r.coreMs * 1000) / r.entries).toFixed(2).padStart(8)}  ${met}`);
  }
  console.log('  (Kubernetes refuses a Secret over 1 MiB of data, about 6,000 of these entries: the secret rows time files larger than any pull secret can be, and credkit reports them as such)');
  for (const r of rows.filter((x) => x.secretFloorMs !== undefined)) {
    console.log(`  ${r.name}, ${r.entries / 1000}k, against the floor plus base64 of its output (${(r.secretFloorMs as number).toFixed(1)} ms): ${(r.coreMs / (r.secretFloorMs as number)).toFixed(2)}x`);
  }
  for (const r of rows.filter((x) => x.leastMs !== undefined)) {
    const least = r.leastMs as number;
    console.log(`  ${r.name}, ${r.entries / 1000}k, the least Secret writer (bench/least-secret.ts: parse, decode, stringify, base64; no checks): ${least.toFixed(1)} ms, ${(least / r.floorMs).toFixed(2)}x the floor; credkit ${(r.coreMs / least).toFixed(2)}x of it`);
  }
  console.log('  linearity (µs/entry at 100k ÷ µs/entry at 10k; 1.00 is linear):');
  for (const small of rows.filter((r) => r.entries === SIZES[0])) {
    const large = rows.find((r) => r.name === small.name && r.entries === SIZES[1]);
    if (!large) continue;
    const perEntry = (r: Row): number => r.coreMs / r.entries;
    const floorPerEntry = (r: Row): number => r.floorMs / r.entries;
    console.log(`    ${small.name.padEnd(w)}  credkit ${(perEntry(large) / perEntry(small)).toFixed(2)}  (floor ${(floorPerEntry(large) / floorPerEntry(small)).toFixed(2)}; ratio of ratios ${(large.coreMs / large.floorMs / (small.coreMs / small.floorMs)).toFixed(2)})`);
  }
}
