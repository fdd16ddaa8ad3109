import { expect } from 'chai';
import { proxyFromEnv } from '../../../src/registry-client/proxy.js';
import { UsageError } from '../../../src/errors.js';

const P = 'http://proxy.corp:3128/';

describe('proxy settings from the environment (as podman reads them)', () => {
  const cases: [string, Record<string, string>, string, string | undefined][] = [
    // name, env, request URL, proxy used (href) or undefined for direct
    ['no settings: direct', {}, 'https://quay.io/v2/', undefined],
    ['HTTPS_PROXY for https', { HTTPS_PROXY: P }, 'https://quay.io/v2/', P],
    ['https_proxy (lower case) too', { https_proxy: P }, 'https://quay.io/v2/', P],
    ['upper case wins', { HTTPS_PROXY: P, https_proxy: 'http://other:1' }, 'https://quay.io/v2/', P],
    ['HTTP_PROXY is not used for https', { HTTP_PROXY: P }, 'https://quay.io/v2/', undefined],
    ['HTTP_PROXY for http', { HTTP_PROXY: P }, 'http://quay.io/v2/', P],
    ['no scheme means http://', { HTTPS_PROXY: 'proxy.corp:3128' }, 'https://quay.io/v2/', P],
    ['localhost is never proxied', { HTTPS_PROXY: P }, 'https://localhost:5000/v2/', undefined],
    ['nor a loopback address', { HTTPS_PROXY: P }, 'https://127.0.0.1:5000/v2/', undefined],
    ['nor ::1', { HTTPS_PROXY: P }, 'https://[::1]:5000/v2/', undefined],
    ['NO_PROXY: a domain and its subdomains', { HTTPS_PROXY: P, NO_PROXY: 'corp.example' }, 'https://registry.corp.example/v2/', undefined],
    ['NO_PROXY: the domain itself', { HTTPS_PROXY: P, NO_PROXY: 'corp.example' }, 'https://corp.example/v2/', undefined],
    ['NO_PROXY: not a longer name', { HTTPS_PROXY: P, NO_PROXY: 'corp.example' }, 'https://notcorp.example/v2/', P],
    ['NO_PROXY: a leading dot means subdomains only', { HTTPS_PROXY: P, NO_PROXY: '.corp.example' }, 'https://corp.example/v2/', P],
    ['NO_PROXY: *.domain', { HTTPS_PROXY: P, NO_PROXY: '*.corp.example' }, 'https://a.corp.example/v2/', undefined],
    ['NO_PROXY: host:port matches that port only', { HTTPS_PROXY: P, NO_PROXY: 'reg.example:5000' }, 'https://reg.example:5000/v2/', undefined],
    ['NO_PROXY: host:port, other port', { HTTPS_PROXY: P, NO_PROXY: 'reg.example:5000' }, 'https://reg.example/v2/', P],
    ['NO_PROXY: a CIDR', { HTTPS_PROXY: P, NO_PROXY: '10.0.0.0/8' }, 'https://10.1.2.3/v2/', undefined],
    ['NO_PROXY: outside the CIDR', { HTTPS_PROXY: P, NO_PROXY: '10.0.0.0/8' }, 'https://11.1.2.3/v2/', P],
    ['NO_PROXY: * turns proxying off', { HTTPS_PROXY: P, NO_PROXY: '*' }, 'https://quay.io/v2/', undefined],
    ['NO_PROXY: a list with spaces, case-insensitive', { HTTPS_PROXY: P, no_proxy: 'a.example, QUAY.IO' }, 'https://quay.io/v2/', undefined],
  ];
  for (const [name, env, url, want] of cases) {
    it(name, () => expect(proxyFromEnv(env)(new URL(url))?.href).to.equal(want));
  }

  it('refuses a SOCKS proxy with a clear error naming the variable', () => {
    expect(() => proxyFromEnv({ HTTPS_PROXY: 'socks5://127.0.0.1:1080' })).to.throw(UsageError, /HTTPS_PROXY: socks5 proxies are not supported/);
  });
});
