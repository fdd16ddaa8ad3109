// What the bundling scripts share.
import { readFile, writeFile } from 'node:fs/promises';

/**
 * esbuild keeps `import()` of an external module (node: builtins, ini, @napi-rs/keyring, and the
 * helper's backend bundles). From CommonJS, Node answers it by starting its ES module loader, which
 * cost a keychain `get` about a third of its time (see bench/), and a bundle loaded through the code
 * cache (src/boot.ts) has no import() at all. Every one of these is CommonJS (or a builtin), so
 * `require` gives the same named exports. `expectBackends`: how many `./helper-NAME.cjs` imports
 * the file must have.
 */
export async function requireInsteadOfImport(file, expectBackends) {
  const text = await readFile(file, 'utf8');
  let backends = 0;
  const patched = text.replace(/\bimport\("([^"]+)"\)/g, (_, id) => {
    if (/^\.\/helper-[a-z]+\.cjs$/.test(id)) backends++;
    return `Promise.resolve().then(()=>require(${JSON.stringify(id)}))`;
  });
  if (expectBackends !== undefined && backends !== expectBackends) throw new Error(`expected ${expectBackends} backend imports in ${file}, found ${backends}`);
  if (/\bimport\(/.test(patched)) throw new Error(`${file}: an import() is left that is not a plain string; update scripts/bundle-common.mjs`);
  await writeFile(file, patched);
}
