import { expect } from 'chai';
import { findChallenge, parseChallenges, type Challenge } from '../../../src/registry-client/challenge.js';

/** Plain objects for deep comparison (params are null-prototype records). */
function plain(challenges: Challenge[]) {
  return challenges.map((c) => ({ ...c, params: { ...c.params } }));
}

describe('registry client: WWW-Authenticate challenges (pure)', () => {
  const cases: Array<[string, string | string[] | undefined, Array<{ scheme: string; params: Record<string, string>; token68?: string }>]> = [
    ['no header', undefined, []],
    ['an empty header', '', []],
    ['Distribution htpasswd', 'Basic realm="credkit-test"', [{ scheme: 'basic', params: { realm: 'credkit-test' } }]],
    [
      'Distribution token auth',
      'Bearer realm="https://auth.example.test/token",service="registry.example.test",scope="repository:team/app:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.example.test/token', service: 'registry.example.test', scope: 'repository:team/app:pull' } }],
    ],
    [
      'a scope with several actions and an error parameter',
      'Bearer realm="https://a.test/t",scope="repository:x/y:pull,push",error="insufficient_scope"',
      [{ scheme: 'bearer', params: { realm: 'https://a.test/t', scope: 'repository:x/y:pull,push', error: 'insufficient_scope' } }],
    ],
    ['odd casing of scheme and names, values kept', 'bEaReR REALM="https://A.test/T",Service=Reg', [{ scheme: 'bearer', params: { realm: 'https://A.test/T', service: 'Reg' } }]],
    ['unquoted token values', 'Basic realm=simple', [{ scheme: 'basic', params: { realm: 'simple' } }]],
    ['spaces around = and commas', 'Bearer realm = "r" ,  service= s ,scope ="p"', [{ scheme: 'bearer', params: { realm: 'r', service: 's', scope: 'p' } }]],
    ['escapes in quoted strings', 'Basic realm="say \\"hi\\", \\\\ back"', [{ scheme: 'basic', params: { realm: 'say "hi", \\ back' } }]],
    ['a comma and an = inside quotes', 'Bearer realm="https://a.test/t?x=1,y=2",service="s"', [{ scheme: 'bearer', params: { realm: 'https://a.test/t?x=1,y=2', service: 's' } }]],
    [
      'two challenges in one header',
      'Basic realm="b", Bearer realm="https://a.test/t",service="s"',
      [
        { scheme: 'basic', params: { realm: 'b' } },
        { scheme: 'bearer', params: { realm: 'https://a.test/t', service: 's' } },
      ],
    ],
    [
      'challenges in separate headers keep their order',
      ['Bearer realm="https://a.test/t"', 'Basic realm="b"'],
      [
        { scheme: 'bearer', params: { realm: 'https://a.test/t' } },
        { scheme: 'basic', params: { realm: 'b' } },
      ],
    ],
    [
      'a bare scheme between others',
      'Negotiate, Basic realm="b"',
      [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'b' } },
      ],
    ],
    [
      'a token68 challenge followed by another',
      'Negotiate YWJjZA==, Basic realm="b"',
      [
        { scheme: 'negotiate', params: {}, token68: 'YWJjZA==' },
        { scheme: 'basic', params: { realm: 'b' } },
      ],
    ],
    ['stray commas', ',, Basic ,realm="b",,', [{ scheme: 'basic', params: { realm: 'b' } }]],
    ['the first of a repeated parameter wins', 'Basic realm="one", realm="two"', [{ scheme: 'basic', params: { realm: 'one' } }]],
    ['an unterminated quoted string keeps its text', 'Basic realm="open', [{ scheme: 'basic', params: { realm: 'open' } }]],
    ['an empty quoted value', 'Basic realm=""', [{ scheme: 'basic', params: { realm: '' } }]],
    ['junk where a scheme should be is skipped', '"junk", Basic realm="b"', [{ scheme: 'basic', params: { realm: 'b' } }]],
  ];

  for (const [name, header, expected] of cases) {
    it(name, () => {
      expect(plain(parseChallenges(header))).to.deep.equal(expected);
    });
  }

  it('a __proto__ parameter does not touch the prototype', () => {
    const [c] = parseChallenges('Basic __proto__="x", realm="r"');
    expect(Object.getPrototypeOf(c!.params)).to.equal(null);
    expect(c!.params['__proto__']).to.equal('x');
    expect(c!.params['realm']).to.equal('r');
  });

  it('findChallenge matches the scheme case-insensitively and takes the first', () => {
    const challenges = parseChallenges(['Basic realm="a"', 'BASIC realm="b"', 'Bearer realm="c"']);
    expect(findChallenge(challenges, 'Basic')?.params['realm']).to.equal('a');
    expect(findChallenge(challenges, 'bearer')?.params['realm']).to.equal('c');
    expect(findChallenge(challenges, 'digest')).to.equal(undefined);
  });
});
