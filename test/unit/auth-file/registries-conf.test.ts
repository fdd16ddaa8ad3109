import { expect } from 'chai';
import { parse } from 'smol-toml';
import { parseImageRef } from '../../../src/image-ref.js';
import { findRegistryTable, mergeRegistriesConf, pullSources, registriesConfPlaces, resolveShortName } from '../../../src/auth-file/registries-conf.js';
import type { RegistriesConfText } from '../../../src/auth-file/registries-conf.js';

const HOME = '/home/u';
const host = (env: Record<string, string> = {}) => ({ env, home: HOME, platform: 'linux' as const, cwd: HOME });
const conf = (path: string, text: string): RegistriesConfText => ({ path, text });
const resolved = (input: string, files: RegistriesConfText[], cache?: RegistriesConfText) => {
  const r = resolveShortName(parseImageRef(input), mergeRegistriesConf(files, cache, parse));
  return r.kind === 'alias' ? `alias ${r.ref.name}${r.ref.tag ? `:${r.ref.tag}` : ''}${r.ref.digest ? `@${r.ref.digest.slice(0, 10)}` : ''} (${r.file})` : r.kind === 'search' ? `search ${r.refs.map((x) => x.name).join(' ')}` : `fails: ${r.why}`;
};

describe('registries.conf: short names as podman and buildah resolve them', () => {
  it('reads the user file instead of the system file and its drop-ins; CONTAINERS_REGISTRIES_CONF replaces the main file only', () => {
    expect(registriesConfPlaces(host(), false, 1000)).to.deep.equal({
      main: '/etc/containers/registries.conf',
      dropInDirs: ['/etc/containers/registries.conf.d', `${HOME}/.config/containers/registries.conf.d`],
      aliasCache: `${HOME}/.cache/containers/short-name-aliases.conf`,
    });
    expect(registriesConfPlaces(host({ XDG_CONFIG_HOME: '/x' }), true, 1000)).to.deep.include({ main: `${HOME}/.config/containers/registries.conf`, dropInDirs: [`${HOME}/.config/containers/registries.conf.d`] });
    expect(registriesConfPlaces(host({ CONTAINERS_REGISTRIES_CONF: '/r.conf' }), true, 1000)).to.deep.include({ main: '/r.conf', dropInDirs: ['/etc/containers/registries.conf.d', `${HOME}/.config/containers/registries.conf.d`] });
    expect(registriesConfPlaces(host({ XDG_CACHE_HOME: '/c' }), false, 1000).aliasCache).to.equal('/c/containers/short-name-aliases.conf');
    expect(registriesConfPlaces(host({ XDG_CACHE_HOME: '/c' }), false, 0).aliasCache).to.equal('/var/cache/containers/short-name-aliases.conf');
  });

  it('an alias is looked up by the name without tag or digest, which the target keeps; library/x is a key of its own', () => {
    const files = [conf('/a.conf', '[aliases]\n"centos" = "quay.io/centos/centos"\n"hub" = "docker.io/hubimage"\n')];
    expect(resolved('centos', files)).to.equal('alias quay.io/centos/centos (/a.conf)');
    expect(resolved('centos:7', files)).to.equal('alias quay.io/centos/centos:7 (/a.conf)');
    expect(resolved(`centos@sha256:${'a'.repeat(64)}`, files)).to.equal('alias quay.io/centos/centos@sha256:aaa (/a.conf)');
    expect(resolved('hub', files)).to.equal('alias docker.io/library/hubimage (/a.conf)');
    expect(resolved('library/centos', files)).to.match(/^fails: short-name "library\/centos" did not resolve to an alias and no unqualified-search registries are defined/);
  });

  it('a later file replaces an alias ("" removes it), the search list and the mode whole; the alias cache wins over every file', () => {
    const files = [
      conf('/main.conf', 'unqualified-search-registries = ["a.example", "b.example"]\n[aliases]\n"one" = "a.example/one"\n"two" = "a.example/two"\n'),
      conf('/d/10.conf', 'unqualified-search-registries = ["c.example"]\n[aliases]\n"one" = "b.example/one"\n"two" = ""\n'),
    ];
    expect(resolved('one', files)).to.equal('alias b.example/one (/d/10.conf)');
    expect(resolved('two', files)).to.equal('search c.example/two');
    expect(resolved('one', files, conf('/cache.conf', '[aliases]\n"one" = "cache.example/one"\n'))).to.equal('alias cache.example/one (/cache.conf)');
  });

  it('without an alias: each search registry in turn, the only one even when enforcing; several when enforcing fail without a terminal; none fails', () => {
    const search = 'unqualified-search-registries = ["quay.io", "docker.io"]\n';
    expect(resolved('nginx:1', [conf('/s.conf', search)])).to.equal('search quay.io/nginx docker.io/library/nginx');
    expect(resolved('nginx', [conf('/s.conf', `${search}short-name-mode = "disabled"\n`)])).to.equal('search quay.io/nginx docker.io/library/nginx');
    expect(resolved('nginx', [conf('/s.conf', `${search}short-name-mode = "enforcing"\n`)])).to.match(/^fails: short-name resolution is enforced .* which of quay.io, docker.io/);
    expect(resolved('nginx', [conf('/s.conf', 'unqualified-search-registries = ["quay.io"]\nshort-name-mode = "enforcing"\n')])).to.equal('search quay.io/nginx');
    expect(resolved('nginx', [])).to.match(/^fails: short-name "nginx" did not resolve/);
  });

  it('a file podman cannot load fails every short name: bad TOML (by line, not quoted), an alias with a tag or a qualified key', () => {
    expect(resolved('x', [conf('/bad.conf', 'a = 1\n[aliases\n"secretish" = 1\n')])).to.match(/^fails: they cannot load \/bad.conf: invalid TOML at line 2$/);
    expect(resolved('x', [conf('/t.conf', '[aliases]\n"x" = "quay.io/x:1"\n')])).to.match(/^fails: they cannot load \/t.conf: the short-name alias "x" names "quay.io\/x:1", which is not a fully qualified name/);
    expect(resolved('x', [conf('/q.conf', '[aliases]\n"quay.io/x" = "quay.io/y"\n')])).to.match(/^fails: they cannot load \/q.conf: the short-name alias "quay.io\/x" is not a short name/);
    expect(resolved('x', [conf('/s.conf', '[aliases]\n"x" = "x"\n')])).to.match(/names "x", which is not a fully qualified name/);
  });
});

describe('registries.conf: credential-helpers', () => {
  const helpersOf = (files: RegistriesConfText[]) => {
    const c = mergeRegistriesConf(files, undefined, parse);
    return c.broken !== undefined ? `broken: ${c.broken.file}: ${c.broken.why}` : c.credentialHelpers === undefined ? 'default' : `${c.credentialHelpers.helpers.join(' ')} (${c.credentialHelpers.file})`;
  };

  it('a later file replaces the list whole, an empty list sets the default back, and a file without one keeps it', () => {
    const main = conf('/main.conf', 'credential-helpers = ["credkit", "containers-auth.json"]\n');
    expect(helpersOf([])).to.equal('default');
    expect(helpersOf([main])).to.equal('credkit containers-auth.json (/main.conf)');
    expect(helpersOf([main, conf('/d/1.conf', 'unqualified-search-registries = ["quay.io"]\n')])).to.equal('credkit containers-auth.json (/main.conf)');
    expect(helpersOf([main, conf('/d/1.conf', 'credential-helpers = ["pass"]\n')])).to.equal('pass (/d/1.conf)');
    expect(helpersOf([main, conf('/d/1.conf', 'credential-helpers = []\n')])).to.equal('default');
  });

  it('a list of anything but names cannot be loaded, which fails every lookup', () => {
    expect(helpersOf([conf('/main.conf', 'credential-helpers = "credkit"\n')])).to.equal('broken: /main.conf: credential-helpers is not a list of names');
    expect(helpersOf([conf('/main.conf', 'credential-helpers = ["credkit", 1]\n')])).to.match(/^broken: /);
  });

  it('skopeo never reads CONTAINERS_REGISTRIES_CONF', () => {
    expect(registriesConfPlaces(host({ CONTAINERS_REGISTRIES_CONF: '/r.conf' }), true, 1000, false).main).to.equal(`${HOME}/.config/containers/registries.conf`);
    expect(registriesConfPlaces(host({ CONTAINERS_REGISTRIES_CONF: '/r.conf' }), false, 1000, false).main).to.equal('/etc/containers/registries.conf');
  });
});

describe('registries.conf: [[registry]] tables, as sysregistriesv2 finds them and rewrites a pull', () => {
  const merged = (...texts: string[]) => mergeRegistriesConf(texts.map((t, i) => conf(`/${i}.conf`, t)), undefined, parse);
  const sources = (image: string, ...texts: string[]) => {
    const c = merged(...texts);
    const t = findRegistryTable(parseImageRef(image).name, c);
    if (t === undefined) return 'none';
    if (t.blocked) return `blocked (${t.file})`;
    return pullSources(parseImageRef(image), t).map((p) => `${p.ref.name}${p.ref.tag ? `:${p.ref.tag}` : ''}${p.ref.digest ? '@digest' : ''}${p.mirror !== undefined ? ' (mirror)' : ''}`).join(', ');
  };
  const mirrored = '[[registry]]\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "mirror.example.com/quay/"\n';
  const digest = `@sha256:${'a'.repeat(64)}`;

  it('the mirrors first, then the location, each with the name rewritten from the prefix and the tag or digest kept', () => {
    expect(sources('quay.io/org/app:1', mirrored)).to.equal('mirror.example.com/quay/org/app:1 (mirror), quay.io/org/app:1');
    expect(sources('quay.io/org/app', '[[registry]]\nprefix = "quay.io/org"\nlocation = "internal.example.com/quay-org"\n')).to.equal('internal.example.com/quay-org/app');
    expect(sources('a.example.com/x/y', '[[registry]]\nprefix = "*.example.com"\nlocation = "cache.internal"\n')).to.equal('cache.internal/x/y');
    expect(sources('a.example.com/x/y', '[[registry]]\nprefix = "*.example.com"\n')).to.equal('a.example.com/x/y');
    expect(sources('docker.io/library/nginx', '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "hub-cache.internal"\n')).to.equal('hub-cache.internal/library/nginx (mirror), docker.io/library/nginx');
  });

  it('mirrors for a pull by digest only, or as each pull-from-mirror says', () => {
    const byDigest = '[[registry]]\nlocation = "quay.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.example.com"\n';
    expect(sources('quay.io/org/app:1', byDigest)).to.equal('quay.io/org/app:1');
    expect(sources(`quay.io/org/app${digest}`, byDigest)).to.equal('m.example.com/org/app@digest (mirror), quay.io/org/app@digest');
    const each = '[[registry]]\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "d.example.com"\npull-from-mirror = "digest-only"\n[[registry.mirror]]\nlocation = "t.example.com"\npull-from-mirror = "tag-only"\n';
    expect(sources('quay.io/org/app:1', each)).to.equal('t.example.com/org/app:1 (mirror), quay.io/org/app:1');
    expect(sources(`quay.io/org/app${digest}`, each)).to.equal('d.example.com/org/app@digest (mirror), quay.io/org/app@digest');
  });

  it('the longest matching prefix decides, at a path boundary; a later file replaces a prefix\'s table; blocked is kept', () => {
    const two = `${mirrored}[[registry]]\nlocation = "quay.io/org"\n`;
    expect(sources('quay.io/org/app', two)).to.equal('quay.io/org/app');
    expect(sources('quay.io/orgx/app', two)).to.equal('mirror.example.com/quay/orgx/app (mirror), quay.io/orgx/app');
    expect(sources('quay.io.example.com/app', mirrored)).to.equal('none');
    expect(sources('quay.io/org/app', mirrored, '[[registry]]\nlocation = "quay.io"\nblocked = true\n')).to.equal('blocked (/1.conf)');
    expect(sources('ghcr.io/org/app', mirrored)).to.equal('none');
  });

  it('a table sysregistriesv2 refuses fails the file, and every pull', () => {
    const broken = (text: string) => merged(text).broken?.why ?? 'loaded';
    expect(broken('[[registry]]\nlocation = "https://quay.io"\n')).to.match(/URI scheme/);
    expect(broken('[[registry]]\nblocked = true\n')).to.match(/neither location nor prefix/);
    expect(broken('[[registry]]\nprefix = "quay.io/org"\n')).to.match(/no location/);
    expect(broken('[[registry]]\nprefix = "*.example.com:5000"\n')).to.match(/wildcard/);
    expect(broken('[[registry]]\nlocation = "quay.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m"\npull-from-mirror = "all"\n')).to.match(/mirror-by-digest-only/);
    expect(broken('[[registry]]\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "m"\npull-from-mirror = "sometimes"\n')).to.match(/pull-from-mirror "sometimes"/);
    expect(broken('[[registry]]\nlocation = "quay.io"\nblocked = true\n[[registry]]\nprefix = "quay.io/x"\nlocation = "quay.io"\n')).to.match(/conflicting/);
    expect(broken('[[registry]]\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "m"\n')).to.equal('loaded');
  });
});
