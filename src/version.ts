/**
 * The package version, read from package.json only when asked (not on the helper's hot path).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads `version` from the package.json in `packageRoot`. */
export function packageVersion(packageRoot: string): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
