// Bundles `credkit` (dist/src/cli/main.js) into one CommonJS file, dist/cli.cjs: yargs and its
// dependencies become one file instead of ~40 ES modules to resolve and link, and CommonJS can be
// loaded through V8's code cache (src/boot.ts), which ES modules cannot on Node 20. Each command
// module is initialised only when that command runs (esbuild's lazy wrappers for import()).
// See bench/explain.ts.
//
// yargs finds its locale files (y18n) and the directory it searches for package.json from its own
// module's location; bundled, that location would be dist/. The shim is rewritten to resolve
// the installed yargs package instead, so both stay what they are unbundled.
import { readFile, rm } from 'node:fs/promises';
import { requireInsteadOfImport } from './bundle-common.mjs';
import { build } from 'esbuild';

const yargsShim = {
  name: 'yargs-shim',
  setup(b) {
    b.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const from = 'const __dirname = fileURLToPath(import.meta.url);';
      if (!source.includes(from)) throw new Error(`${args.path}: expected "${from}"; update scripts/bundle-cli.mjs`);
      const to = "const __dirname = resolve(createRequire(import.meta.url).resolve('yargs/package.json'), '../lib/platform-shims/esm.mjs');";
      // yargs asserts two internal invariants with node:assert, whose loading (util colours,
      // AssertionError) was a tenth of `credkit --version`: two comparisons do the same job.
      const assertFrom = "import { notStrictEqual, strictEqual } from 'assert'";
      if (!source.includes(assertFrom)) throw new Error(`${args.path}: expected "${assertFrom}"; update scripts/bundle-cli.mjs`);
      const assertTo = [
        'const assertionFailed = (message) => { throw new Error(message ?? "yargs: internal assertion failed"); };',
        'const notStrictEqual = (actual, expected, message) => { if (actual === expected) assertionFailed(message); };',
        'const strictEqual = (actual, expected, message) => { if (actual !== expected) assertionFailed(message); };',
      ].join('\n');
      // The terminal width, read when the shim is evaluated, builds process.stdout: for a pipe a
      // net.Socket, which loads node:net and its streams on every run. credkit sets the width
      // (.wrap), so yargs asks only if that changes: read it then.
      const columnsFrom = "stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null";
      if (!source.includes(columnsFrom)) throw new Error(`${args.path}: expected "${columnsFrom}"; update scripts/bundle-cli.mjs`);
      const columnsTo = "get stdColumns() { return typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null }";
      return { contents: source.replace(from, to).replace(assertFrom, assertTo).replace(columnsFrom, columnsTo), loader: 'js' };
    });
  },
};

/**
 * cliui and string-width (with wrap-ansi, strip-ansi, emoji tables and three copies of string-width
 * below them) build Intl.Segmenter and large Unicode regexps when their modules are evaluated,
 * about a third of start-up, but yargs needs them only to lay out help and usage text. yargs' shim
 * gets wrappers that `require` them, which esbuild turns into a module initialised on first call.
 */
const LAZY = /^(cliui|string-width)$/;
const lazyLayout = {
  name: 'lazy-layout',
  setup(b) {
    b.onResolve({ filter: LAZY }, async (args) => {
      if (args.pluginData?.real || !/[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/.test(args.importer)) return undefined;
      const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-layout' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-layout' }, (args) => ({
      contents: `export default function lazy(...args) { return require(${JSON.stringify(args.path)}).default(...args); }`,
      resolveDir: '.',
      loader: 'js',
    }));
  },
};

// The ES module chunks that earlier builds wrote.
await rm('dist/cli', { recursive: true, force: true });
await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/cli.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: process.env.CREDKIT_NO_MINIFY !== '1',
  // ini as the helper bundles have it: loaded by Node from node_modules.
  external: ['@napi-rs/keyring', 'ini'],
  // The ES module sources (and yargs) ask import.meta.url for their own location.
  define: { 'import.meta.url': '__credkitModuleUrl' },
  banner: { js: "const __credkitModuleUrl=require('node:url').pathToFileURL(__filename).href;" },
  plugins: [yargsShim, lazyLayout],
  logLevel: 'warning',
});
await requireInsteadOfImport('dist/cli.cjs');
