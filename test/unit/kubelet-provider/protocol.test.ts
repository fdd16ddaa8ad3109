import { expect } from 'chai';
import { UsageError } from '../../../src/errors.js';
import {
  PROVIDER_API_VERSIONS,
  ProviderRequestError,
  formatProviderResponse,
  parseGoDuration,
  parseProviderArgs,
  parseProviderRequest,
  providerStoreTimeoutMs,
} from '../../../src/kubelet-provider/protocol.js';

const V1 = 'credentialprovider.kubelet.k8s.io/v1';
const TOKEN = 'fake-sa-token-eyJhbGciOi';

/** A request as kubelet's JSON encoder writes it (TypeMeta first, then the fields, then a newline). */
const kubeletRequest = (apiVersion: string, image: string, extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify({ kind: 'CredentialProviderRequest', apiVersion, image, ...extra })}\n`;

function requestError(text: string): string {
  try {
    parseProviderRequest(text);
  } catch (err) {
    expect(err).to.be.instanceOf(ProviderRequestError);
    return (err as Error).message;
  }
  throw new Error('expected parseProviderRequest to throw');
}

describe('kubelet provider: reading the request', () => {
  for (const apiVersion of PROVIDER_API_VERSIONS) {
    it(`reads ${apiVersion} as kubelet encodes it`, () => {
      expect(parseProviderRequest(kubeletRequest(apiVersion, 'docker.io/library/nginx'))).to.deep.equal({ apiVersion, image: 'docker.io/library/nginx' });
    });
  }

  it("ignores the service-account fields of newer kubelets (KEP-4412), as kubelet's decoding ignores unknown fields", () => {
    const text = kubeletRequest(V1, 'quay.io/org/app', { serviceAccountToken: TOKEN, serviceAccountAnnotations: { 'example.com/role': 'puller' }, somethingLater: 1 });
    expect(parseProviderRequest(text)).to.deep.equal({ apiVersion: V1, image: 'quay.io/org/app' });
  });

  const bad: [string, string, RegExp][] = [
    ['empty input', '', /empty/],
    ['not JSON', `{"kind": "CredentialProviderRequest", "serviceAccountToken": "${TOKEN}"`, /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['another kind', JSON.stringify({ kind: 'ExecCredential', apiVersion: V1, image: 'quay.io/a', serviceAccountToken: TOKEN }), /expected kind "CredentialProviderRequest", got "ExecCredential"/],
    ['no kind', JSON.stringify({ apiVersion: V1, image: 'quay.io/a' }), /got none/],
    ['an unknown apiVersion', kubeletRequest('credentialprovider.kubelet.k8s.io/v2', 'quay.io/a', { serviceAccountToken: TOKEN }), /unsupported apiVersion "credentialprovider.kubelet.k8s.io\/v2"/],
    ["client-go's exec credential apiVersion", kubeletRequest('client.authentication.k8s.io/v1', 'quay.io/a'), /unsupported apiVersion/],
    ['no image', JSON.stringify({ kind: 'CredentialProviderRequest', apiVersion: V1, serviceAccountToken: TOKEN }), /names no image/],
    ['an empty image', kubeletRequest(V1, ' '), /names no image/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what} in one line that quotes no token`, () => {
      const m = requestError(text);
      expect(m).to.match(message);
      expect(m).not.to.match(/\n/);
      expect(m.includes(TOKEN)).to.equal(false);
    });
  }
});

/** kubelet's strict decoding of a response (serializer.EnableStrict): these fields only, each once. */
const RESPONSE_FIELDS = ['kind', 'apiVersion', 'cacheKeyType', 'cacheDuration', 'auth'];

describe('kubelet provider: writing the response', () => {
  it('writes only the fields of CredentialProviderResponse, in the type order, and a newline', () => {
    const text = formatProviderResponse({ apiVersion: V1, cacheKeyType: 'Registry', cacheDuration: '5m', auth: { 'quay.io': { username: 'robot', password: 'fake-pw' } } });
    expect(text).to.equal(
      '{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1","cacheKeyType":"Registry","cacheDuration":"5m","auth":{"quay.io":{"username":"robot","password":"fake-pw"}}}\n',
    );
    expect(Object.keys(JSON.parse(text))).to.deep.equal(RESPONSE_FIELDS);
  });

  it('leaves out cacheDuration (kubelet: defaultCacheDuration) and auth (kubelet: no credentials) when there are none', () => {
    expect(JSON.parse(formatProviderResponse({ apiVersion: V1, cacheKeyType: 'Image' }))).to.deep.equal({ kind: 'CredentialProviderResponse', apiVersion: V1, cacheKeyType: 'Image' });
  });

  it('keeps a match key named like an Object property', () => {
    const text = formatProviderResponse({ apiVersion: V1, cacheKeyType: 'Image', auth: JSON.parse('{"__proto__":{"username":"u","password":"fake-p"}}') as never });
    expect(text).to.include('"auth":{"__proto__":{"username":"u","password":"fake-p"}}');
  });
});

describe("kubelet provider: Go's time.ParseDuration (cacheDuration)", () => {
  const NS = 1n;
  const S = 1_000_000_000n;
  const ok: [string, bigint][] = [
    ['0', 0n],
    ['-0', 0n],
    ['0s', 0n],
    ['300ms', 300_000_000n * NS],
    ['5m', 300n * S],
    ['1h30m', 5400n * S],
    ['1.5h', 5400n * S],
    ['.5s', S / 2n],
    ['1.s', S],
    ['+5s', 5n * S],
    ['-5s', -5n * S],
    ['1µs', 1000n],
    ['1μs', 1000n],
    ['1us2ns', 1002n],
    ['2562047h47m16.854775807s', (1n << 63n) - 1n],
    ['9223372036854775807ns', (1n << 63n) - 1n],
    ['-2562047h47m16.854775808s', -(1n << 63n)],
  ];
  for (const [text, ns] of ok) it(`"${text}" is ${ns} ns`, () => expect(parseGoDuration(text)).to.equal(ns));
  // Each an error in Go: no unit, unknown unit, a space, no digits, overflow.
  for (const text of ['', '5', '1d', '1h 30m', '1H', '.', 's', '-', '.s', '1..5s', '2562048h', '2562047h47m16.854775808s', '9223372036854775808ns', ' 5s']) {
    it(`"${text}" is not a duration`, () => expect(parseGoDuration(text)).to.equal(undefined));
  }
});

describe('kubelet provider: arguments (the provider args in CredentialProviderConfig)', () => {
  it('defaults to the configured backend, Registry, and no cacheDuration', () => {
    expect(parseProviderArgs([])).to.deep.equal({ from: undefined, cacheKeyType: 'Registry', cacheDuration: undefined, help: false, version: false });
  });

  it('takes --flag value and --flag=value, and a cache key type in any case', () => {
    expect(parseProviderArgs(['--from', 'helper:pass', '--cache-key-type=image', '--cache-duration=1h'])).to.include({ from: 'helper:pass', cacheKeyType: 'Image', cacheDuration: '1h' });
    expect(parseProviderArgs(['--from=authfile:/etc/credkit/config.json', '--cache-key-type', 'Global'])).to.include({ from: 'authfile:/etc/credkit/config.json', cacheKeyType: 'Global' });
    expect(parseProviderArgs(['--from', 'authfile:~/.docker/config.json'])).to.include({ from: 'authfile:~/.docker/config.json' });
  });

  const bad: [readonly string[], RegExp][] = [
    [['--cache-duration', '5'], /not a Go duration/],
    [['--cache-duration', '-1m'], /negative/],
    [['--cache-key-type', 'Repository'], /expected one of Image, Registry, Global/],
    [['--from'], /--from needs a value/],
    [['--from='], /--from needs a store/],
    [['get'], /unknown argument "get"/],
    [['--form', 'pass'], /unknown argument "--form"/],
    // kubelet runs the plugin in its own working directory: a relative path names another file there.
    [['--from', 'authfile:config.json'], /"authfile:config.json": give authfile: an absolute path/],
    [['--from=authfile:./etc/auth.json'], /absolute path/],
    [['--from', 'authfile:~user/auth.json'], /absolute path/],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${argv.join(' ')}`, () => {
      expect(() => parseProviderArgs(argv)).to.throw(UsageError, message);
    });
  }
});

describe('kubelet provider: how long a store may take', () => {
  it("keeps a shorter configured timeout and cuts a longer one to 45 s, before kubelet's one-minute kill", () => {
    expect(providerStoreTimeoutMs(30_000)).to.equal(30_000);
    expect(providerStoreTimeoutMs(500)).to.equal(500);
    expect(providerStoreTimeoutMs(120_000)).to.equal(45_000);
  });
});
