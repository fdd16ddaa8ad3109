/**
 * `npm run bench`: every benchmark, each reported as a ratio against a floor measured in the same
 * run. Set BENCH_RUNS to change the number of runs (default 30). BENCH_ONLY=helper|migrate runs one.
 */
import { benchHelper } from './helper.js';
import { benchMigrate } from './migrate.js';

const runs = Number(process.env.BENCH_RUNS) || 30;
const only = process.env.BENCH_ONLY;
if (!only || only === 'helper') await benchHelper(runs);
if (!only || only === 'migrate') await benchMigrate(Math.max(3, Math.round(runs / 3)));
