// Bundles `credkit` (dist/src/cli/main.js) into dist/cli/: yargs and its dependencies become one
// file instead of ~40 ES modules to resolve and link, and each command module stays a chunk of its
// own that is read only when that command runs (`splitting`). See bench/explain.ts.
//
// yargs finds its locale files (y18n) and the directory it searches for package.json from its own
// module's location; bundled, that location would be dist/cli/. The shim is rewritten to resolve
// the installed yargs package instead, so both stay what they are unbundled.
import { readFile, rm } from 'node:fs/promises';
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

/**
 * An ES module that imports node:fs gets an ES module facade of it, which reads every export once,
 * lazy ones included: fs.promises and the stream classes, which load node:stream and fs/promises
 * (about a tenth of `credkit --version`). Imports of fs become reads from `require('node:fs')`
 * instead (the banner's require); an import of one of the lazy exports fails the build.
 */
const fsFacade = {
  name: 'fs-without-facade',
  setup(b) {
    b.onResolve({ filter: /^(node:)?fs$/ }, (args) => (args.kind === 'import-statement' ? { path: 'fs', namespace: 'fs-without-facade' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'fs-without-facade' }, async () => {
      const fs = await import('node:fs');
      const eager = Object.keys(fs.default).filter((name) => !Object.getOwnPropertyDescriptor(fs.default, name)?.get);
      return { contents: `const fs = require('node:fs');\n${eager.map((name) => `export const ${name} = fs.${name};`).join('\n')}\nexport default fs;`, loader: 'js' };
    });
  },
};

await rm('dist/cli', { recursive: true, force: true });
await build({
  entryPoints: ['dist/src/cli/main.js'],
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: process.env.CREDKIT_NO_MINIFY !== "1",
  // ini as the helper bundles have it: loaded by Node, which gives `import('ini')` its named exports.
  external: ['@napi-rs/keyring', 'ini'],
  // CommonJS dependencies (fast-glob, yaml…) `require` Node's built-ins; ES modules have no `require`.
  banner: { js: "import{createRequire as __credkitCreateRequire}from'node:module';const require=__credkitCreateRequire(import.meta.url);" },
  plugins: [yargsShim, lazyLayout, fsFacade],
  logLevel: 'warning',
});
