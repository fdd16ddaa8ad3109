import { expect } from 'chai';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ROOT } from '../support/sandbox.js';

/** Every `from '…'` and `import('…')` specifier of a TypeScript source. */
function specifiers(text: string): string[] {
  return [...text.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => (m[1] ?? m[2]) as string);
}

describe('layering', () => {
  it('the formats (src/auth-file, src/kube) import nothing from src/helper: what they share with the helper lives outside it', async () => {
    const offenders: string[] = [];
    for (const dir of ['auth-file', 'kube']) {
      for (const name of await readdir(join(ROOT, 'src', dir))) {
        if (!name.endsWith('.ts')) continue;
        const path = join(ROOT, 'src', dir, name);
        for (const spec of specifiers(await readFile(path, 'utf8'))) {
          if (/^\.\.?\//.test(spec) && join(dir, spec).split('/').includes('helper')) offenders.push(`${relative(ROOT, path)}: ${spec}`);
        }
      }
    }
    expect(offenders).to.deep.equal([]);
  });

  it('the helper and its backend bundles carry no terminal escaping (src/escape.ts): they print no line for people, and its Unicode classes cost every docker pull half a millisecond to compile', async () => {
    const bundles = (await readdir(join(ROOT, 'dist'))).filter((name) => /^helper(-[a-z]+)?\.cjs$/.test(name));
    expect(bundles).to.include('helper.cjs');
    const carrying: string[] = [];
    for (const name of bundles) if ((await readFile(join(ROOT, 'dist', name), 'utf8')).includes('Default_Ignorable_Code_Point')) carrying.push(name);
    expect(carrying).to.deep.equal([]);
  });
});
