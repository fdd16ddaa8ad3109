/**
 * `npm run bench`: every benchmark, each reported as a ratio against a floor measured in the same
 * run. Set BENCH_RUNS to change the number of runs (default 30).
 */
import { benchHelper } from './helper.js';
import { benchExplain } from './explain.js';

const runs = Number(process.env.BENCH_RUNS) || 30;
await benchHelper(runs);
await benchExplain(runs);
