// Builds dist/boot.cjs (src/boot.ts), which both bins use to load their bundles through V8's code
// cache, with the content hashes of the bundles built before it: the hashes name the caches, so a
// rebuilt bundle never runs bytecode cached for another. Runs after bundle-helper and bundle-cli.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

// The loader's name before it served both bins.
await rm('dist/helper-boot.cjs', { force: true });
const hashes = {};
for (const file of (await readdir('dist')).filter((f) => f.endsWith('.cjs') && f !== 'boot.cjs').sort()) {
  hashes[file] = createHash('sha256').update(await readFile(`dist/${file}`)).digest('hex').slice(0, 32);
}
if (!hashes['cli.cjs'] || !hashes['helper.cjs']) throw new Error('bundle-boot: run bundle-helper and bundle-cli first');
await build({
  entryPoints: ['dist/src/boot.js'],
  outfile: 'dist/boot.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  define: { CREDKIT_BUNDLE_HASHES: JSON.stringify(hashes) },
  logLevel: 'warning',
});
