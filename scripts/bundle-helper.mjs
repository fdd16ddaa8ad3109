// Bundles the helper's code path (and the kubelet credential provider's) into CommonJS files: one file to read and no ES module graph to
// link keeps `docker-credential-credkit` start-up close to `node -e 0` (see bench/).
//
// dist/helper.cjs holds the protocol, the configuration and the light backends (file, env). The
// backends that pull in much more code (keychain and keyutils with the D-Bus client, pass, helper:
// with the helper client) are bundles of their own, dist/helper-<name>.cjs, read only when chosen.
// Errors are recognised across these copies by a brand, not by `instanceof` (src/errors.ts).
import { build } from 'esbuild';
import { requireInsteadOfImport } from './bundle-common.mjs';

// `accounts`: what a selected saved account (CREDKIT_ACCOUNT) needs; a call without one reads none of it.
const SEPARATE = ['keychain', 'keyutils', 'pass', 'helper', 'accounts'];
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  external: ['@napi-rs/keyring', 'ini'],
  logLevel: 'warning',
};

/**
 * In the main bundle, `import('./keychain.js')` from the store registry loads dist/helper-keychain.cjs.
 * The routing of `[routes]` (src/stores/routed.ts, a few KB) stays in dist/helper.cjs: a bundle of
 * its own carried a second copy of the store registry and the file and env backends (22 KB), read
 * and run on every routed call, while unused code in a code-cached bundle costs an unrouted call
 * nothing measurable (bench/helper.ts). For the kubelet provider, `import('./auth-file-store.js')`
 * from the store specs (--from authfile:) loads dist/helper-authfile.cjs; the static import there
 * is only a constant, and stays inline.
 */
const splitBackends = {
  name: 'split-backends',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^\\./(${SEPARATE.join('|')})\\.js$`) }, (args) =>
      args.importer.endsWith('/stores/registry.js') ? { path: `./helper-${args.path.slice(2, -3)}.cjs`, external: true } : undefined,
    );
    b.onResolve({ filter: /^\.\/auth-file-store\.js$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer.endsWith('/stores/store-spec.js') ? { path: './helper-authfile.cjs', external: true } : undefined,
    );
  },
};

// ini is bundled here, not required from node_modules: so it comes from the code cache like the rest,
// instead of being compiled from source on every call that has a config.ini (every routed call).
await build({ ...common, external: ['@napi-rs/keyring'], entryPoints: ['dist/src/helper/main.js'], outfile: 'dist/helper.cjs', plugins: [splitBackends] });
await requireInsteadOfImport('dist/helper.cjs', SEPARATE.length);
// credkit-kubelet-provider: the same store path (the same backend bundles, routing and ini inline),
// plus what it needs to read kubelet's request and --from's store specs; an auth file's store is a bundle of its own.
await build({ ...common, external: ['@napi-rs/keyring'], entryPoints: ['dist/src/kubelet-provider/main.js'], outfile: 'dist/kubelet-provider.cjs', plugins: [splitBackends] });
await requireInsteadOfImport('dist/kubelet-provider.cjs', SEPARATE.length + 1);
// --from authfile: only: the auth-file code is most of what the plugin would otherwise parse on every run.
await build({ ...common, entryPoints: ['dist/src/stores/auth-file-store.js'], outfile: 'dist/helper-authfile.cjs' });
await requireInsteadOfImport('dist/helper-authfile.cjs');
await Promise.all(
  SEPARATE.map(async (name) => {
    await build({ ...common, entryPoints: [`dist/src/stores/${name}.js`], outfile: `dist/helper-${name}.cjs` });
    await requireInsteadOfImport(`dist/helper-${name}.cjs`);
  }),
);
