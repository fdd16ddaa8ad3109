/**
 * `npm run bench`: every benchmark, each reported as a ratio against a floor measured in the same
 * run. BENCH_RUNS changes the number of runs (default 30); BENCH_ONLY=helper,auth-files,migrate,explain
 * runs some of them.
 */
import { benchAuthFiles } from './auth-files.js';
import { benchHelper } from './helper.js';
import { benchExplain } from './explain.js';
import { benchMigrate } from './migrate.js';

const runs = Number(process.env.BENCH_RUNS) || 30;
const only = process.env.BENCH_ONLY?.split(',');
const wanted = (name: string): boolean => !only || only.includes(name);
if (wanted('helper')) await benchHelper(runs);
if (wanted('auth-files')) await benchAuthFiles(runs);
if (wanted('migrate')) await benchMigrate(Math.max(3, Math.round(runs / 3)));
if (wanted('explain')) await benchExplain(runs);
