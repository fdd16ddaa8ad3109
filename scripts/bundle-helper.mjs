// Bundles the helper's code path into CommonJS files: one file to read and no ES module graph to
// link keeps `docker-credential-credkit` start-up close to `node -e 0` (see bench/).
//
// dist/helper.cjs holds the protocol, the configuration and the light backends (file, env). The
// backends that pull in much more code (keychain and keyutils with the D-Bus client, pass, helper:
// with the helper client) are bundles of their own, dist/helper-<name>.cjs, read only when chosen.
// Errors are recognised across these copies by a brand, not by `instanceof` (src/errors.ts).
import { createHash } from 'node:crypto';
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

/**
 * esbuild keeps `import()` of an external module (node: builtins, ini, @napi-rs/keyring, and the
 * backend bundles). From CommonJS, Node answers it by starting its ES module loader, which cost a
 * keychain `get` about a third of its time (see bench/), and a bundle loaded through the code cache
 * (src/helper/boot.ts) has no import() at all. Every one of these is CommonJS (or a builtin), so
 * `require` gives the same named exports.
 */
async function requireInsteadOfImport(file, expectBackends) {
  const text = await readFile(file, 'utf8');
  let backends = 0;
  const patched = text.replace(/\bimport\("([^"]+)"\)/g, (_, id) => {
    if (/^\.\/helper-[a-z]+\.cjs$/.test(id)) backends++;
    return `Promise.resolve().then(()=>require(${JSON.stringify(id)}))`;
  });
  if (expectBackends !== undefined && backends !== expectBackends) throw new Error(`expected ${expectBackends} backend imports in ${file}, found ${backends}`);
  if (/\bimport\(/.test(patched)) throw new Error(`${file}: an import() is left that is not a plain string; update scripts/bundle-helper.mjs`);
  await writeFile(file, patched);
}

await build({ ...common, entryPoints: ['dist/src/helper/main.js'], outfile: 'dist/helper.cjs', plugins: [splitBackends] });
await requireInsteadOfImport('dist/helper.cjs', SEPARATE.length);
await Promise.all(
  SEPARATE.map(async (name) => {
    await build({ ...common, entryPoints: [`dist/src/stores/${name}.js`], outfile: `dist/helper-${name}.cjs` });
    await requireInsteadOfImport(`dist/helper-${name}.cjs`);
  }),
);

// The start-up loader (src/helper/boot.ts) gets the bundles' content hashes, which name their
// code caches: a rebuilt bundle never runs bytecode cached for another.
const hashes = {};
for (const file of ['helper.cjs', ...SEPARATE.map((name) => `helper-${name}.cjs`)]) {
  hashes[file] = createHash('sha256').update(await readFile(`dist/${file}`)).digest('hex').slice(0, 32);
}
await build({ ...common, entryPoints: ['dist/src/helper/boot.js'], outfile: 'dist/helper-boot.cjs', define: { CREDKIT_BUNDLE_HASHES: JSON.stringify(hashes) } });
