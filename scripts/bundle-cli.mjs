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
  name: 'yargs-shim-location',
  setup(b) {
    b.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const from = 'const __dirname = fileURLToPath(import.meta.url);';
      if (!source.includes(from)) throw new Error(`${args.path}: expected "${from}"; update scripts/bundle-cli.mjs`);
      const to = "const __dirname = resolve(createRequire(import.meta.url).resolve('yargs/package.json'), '../lib/platform-shims/esm.mjs');";
      return { contents: source.replace(from, to), loader: 'js' };
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
  plugins: [yargsShim, lazyLayout],
  logLevel: 'warning',
});
