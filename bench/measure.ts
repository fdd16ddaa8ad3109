/**
 * Start-up benchmarks as ratios against a baseline measured in the same run: commands are run in
 * interleaved rounds (so machine load hits every case alike) and compared by median.
 */
import { spawnSync } from 'node:child_process';

/** One command to time: argv plus what to feed on stdin. */
export interface BenchCase {
  name: string;
  argv: readonly string[];
  input?: string;
  env?: Record<string, string | undefined>;
  /** A target ratio to print beside the result (informative, never asserted). */
  target?: number;
}

/** Median wall time per case, in milliseconds. */
export interface BenchResult {
  name: string;
  medianMs: number;
  ratio: number;
  /**
   * The middle half of the round-by-round ratios (each run against the baseline's run of the same
   * round): how far one run of the benchmark may land from another on this machine.
   */
  spread: [number, number];
  target: number | undefined;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The 25th and 75th percentiles (nearest rank). */
function quartiles(values: number[]): [number, number] {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  return [at(0.25), at(0.75)];
}

/** Runs every case `runs` times, interleaved, after `warmup` untimed rounds; the first case is the baseline. */
export function measureCommands(cases: readonly BenchCase[], runs: number, warmup = 3): BenchResult[] {
  const times = cases.map(() => [] as number[]);
  for (let round = -warmup; round < runs; round++) {
    cases.forEach((c, i) => {
      const start = process.hrtime.bigint();
      const r = spawnSync(c.argv[0] as string, c.argv.slice(1), { input: c.input ?? '', env: c.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.status !== 0) throw new Error(`bench case "${c.name}" failed (exit ${r.status}): ${r.stdout.toString().slice(0, 200)}`);
      if (round >= 0) times[i]?.push(ms);
    });
  }
  const baseTimes = times[0] as number[];
  const base = median(baseTimes);
  return cases.map((c, i) => {
    const m = median(times[i] as number[]);
    const rounds = (times[i] as number[]).map((t, round) => t / (baseTimes[round] as number));
    return { name: c.name, medianMs: m, ratio: m / base, spread: quartiles(rounds), target: c.target };
  });
}

/**
 * Times in-process functions (sync or async) in interleaved rounds, as {@link measureCommands}
 * does for commands, so that load and heap growth hit every case alike; median per function.
 * Each round calls a function `block` times in a row and counts the mean of those calls: the
 * garbage one function leaves is collected while the next one runs (the young generation's
 * scavenges, and the old generation's marking, which goes on in steps), so one call at a time
 * charged each function with part of the one before it. Measured at 10,000 entries: the same
 * conversion timed right after the JSON floor took 1.18 times as long as right after itself.
 */
export async function timeFunctions(fns: readonly (() => void | Promise<void>)[], runs: number, warmup = 2, block = 1): Promise<number[]> {
  const times = fns.map(() => [] as number[]);
  for (let round = -warmup; round < runs; round++) {
    for (const [i, fn] of fns.entries()) {
      const s = process.hrtime.bigint();
      for (let k = 0; k < block; k++) await fn();
      if (round >= 0) times[i]?.push(Number(process.hrtime.bigint() - s) / 1e6 / block);
    }
  }
  return times.map(median);
}

/** Prints results as an aligned table. */
export function printTable(title: string, results: readonly BenchResult[]): void {
  console.log(`\n${title}`);
  const w = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    // Beside a target, the spread of round-by-round ratios: a result this close to the target
    // may land on either side of it in another run.
    const spread = `round by round ${r.spread[0].toFixed(2)}-${r.spread[1].toFixed(2)}x`;
    const target = r.target === undefined ? '' : `  (target ≤ ${r.target.toFixed(2)}x${r.ratio <= r.target ? ', met' : ', NOT met'}; ${spread})`;
    console.log(`  ${r.name.padEnd(w)}  ${r.medianMs.toFixed(1).padStart(8)} ms  ${r.ratio.toFixed(2)}x${target}`);
  }
}
