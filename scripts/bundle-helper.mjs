// Bundles the helper's code path into one CommonJS file (dist/helper.cjs): one file to read and no
// ES module graph to link keeps `docker-credential-credkit` start-up close to `node -e 0`.
// Native and rarely needed modules stay external and load only when a backend asks for them.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/helper/main.js'],
  outfile: 'dist/helper.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@napi-rs/keyring', 'ini'],
  logLevel: 'warning',
});
