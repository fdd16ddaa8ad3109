// Bundles the helper's code path into CommonJS files: one file to read and no ES module graph to
// link keeps `docker-credential-credkit` start-up close to `node -e 0` (see bench/).
//
// dist/helper.cjs holds the protocol, the configuration and the light backends (file, env). The
// backends that pull in much more code (keychain and keyutils with the D-Bus client, pass, helper:
// with the helper client) are bundles of their own, dist/helper-<name>.cjs, read only when chosen.
// Errors are recognised across these copies by a brand, not by `instanceof` (src/errors.ts).
import { readFile, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const SEPARATE = ['keychain', 'keyutils', 'pass', 'helper'];
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  external: ['@napi-rs/keyring', 'ini'],
  logLevel: 'warning',
};

/** In the main bundle, `import('./keychain.js')` from the store registry loads dist/helper-keychain.cjs. */
const splitBackends = {
  name: 'split-backends',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^\\./(${SEPARATE.join('|')})\\.js$`) }, (args) =>
      args.importer.endsWith('/stores/registry.js') ? { path: `./helper-${args.path.slice(2, -3)}.cjs`, external: true } : undefined,
    );
  },
};

await build({ ...common, entryPoints: ['dist/src/helper/main.js'], outfile: 'dist/helper.cjs', plugins: [splitBackends] });
// esbuild keeps `import()` of an external file, and Node then starts its ES module loader to read a
// CommonJS file, which cost a keychain `get` about a third of its time (see bench/): require it.
const main = await readFile('dist/helper.cjs', 'utf8');
let required = 0;
const patched = main.replace(/\bimport\("(\.\/helper-[a-z]+\.cjs)"\)/g, (_, path) => {
  required++;
  return `Promise.resolve().then(()=>require(${JSON.stringify(path)}))`;
});
if (required !== SEPARATE.length) throw new Error(`expected ${SEPARATE.length} backend imports in dist/helper.cjs, found ${required}`);
await writeFile('dist/helper.cjs', patched);
await Promise.all(
  SEPARATE.map((name) => build({ ...common, entryPoints: [`dist/src/stores/${name}.js`], outfile: `dist/helper-${name}.cjs` })),
);
