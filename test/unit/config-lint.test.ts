import { expect } from 'chai';
import { lintConfigText } from '../../src/config-lint.js';

const lint = (text: string) => lintConfigText(text, 'config.ini').map((w) => `${w.problem} ${w.line} [${w.section}]${w.key !== undefined ? ` ${w.key}` : ''}`);

describe('config.ini lint', () => {
  it('reads keys as the ini parser does: quotes, inline comments, escapes, key[], CRLF', () => {
    // ini reads all of these as known names: "backend", "fallback", [file] path, [pass].
    expect(lint('"backend" = file\r\nfallback ; a comment = x\r\n[file]\r\npath[] = a\r\n[ "pass" ]\r\nprefix = p\r\n')).to.deep.equal([]);
    expect(lint('[ "pas" ]\r\n')).to.deep.equal(['unknown-section 1 [pas]']);
    expect(lint("'fallback' = file\nback\\;end = x\n")).to.deep.equal(['unknown-key 2 [] back;end']);
  });

  it('comments, blank lines and known keys in known sections say nothing', () => {
    expect(lint('; c\n# c\n\n   \nbackend = auto\nfallback = file\n[file]\npath = x\n[keychain]\nservice = s\n[pass]\nprefix = p\n[helpers]\ntimeout = 3\n')).to.deep.equal([]);
  });

  it('keys of an unknown section are covered by the section warning; a broken header leaves keys in the section before it', () => {
    expect(lint('[keychan]\nservice = s\nother = 1\n[pass]\n[helpers ; x\ntimeout = 3\n=value\n')).to.deep.equal([
      'unknown-section 1 [keychan]',
      'broken-line 5 [pass]',
      'unknown-key 6 [pass] timeout',
      'broken-line 7 [pass]',
    ]);
  });

  it('[routes] takes any key; a key written twice in a section is reported where it repeats (key[] excepted)', () => {
    expect(lint('[routes]\n*.dkr.ecr.*.amazonaws.com = helper:ecr-login\nghcr.io = pass\nregistry.example.com:5000 = file\n')).to.deep.equal([]);
    expect(lint('backend = file\n[routes]\nghcr.io = pass\nquay.io = file\nghcr.io = file\n[file]\npath[] = a\npath[] = b\n')).to.deep.equal(['duplicate-key 5 [routes] ghcr.io']);
    expect(lint('backend = file\nbackend = pass\n')).to.deep.equal(['duplicate-key 2 [] backend']);
    // ini reads these as keys, and credkit routes them: no "not a section header" warning.
    expect(lint('[routes]\n[::1]:5000 = file\n[2001:db8::1] = pass\n[::1]:5000 = pass\n[file\n')).to.deep.equal(['duplicate-key 4 [routes] [::1]:5000', 'broken-line 5 [routes]']);
  });

  it('[routes]: a pattern alone is no line credkit ignores (ini reads it as a route to true; the route check says it names no store)', () => {
    expect(lint('[routes]\nghcr.io\nquay.io = true\n')).to.deep.equal([]);
    expect(lint('[pass]\nghcr.io\n')).to.deep.equal(['broken-line 2 [pass]']);
  });

  it('never quotes a value', () => {
    const text = lintConfigText('backnd = fake-value-1\n[pass]\nfake-value-2\n', 'config.ini').map((w) => w.message).join('\n');
    expect(text.includes('fake-value'), 'a value was quoted').to.equal(false);
  });
});
