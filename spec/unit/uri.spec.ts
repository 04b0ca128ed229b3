import { expect } from 'chai';
import { describeInvalidUri, isValidUri } from '../../src/protocol/uri.js';

describe('protocol: URI rules', () => {
  const loose: Array<[string, boolean]> = [
    ['com.myapp.longop', true],
    ['com.MyApp.long-op', true],
    ['a', true],
    ['', false],
    ['com..x', false],
    ['.com.x', false],
    ['com.x.', false],
    ['com.my app', false],
    ['com.#.x', false],
    ['com.x\t', false],
  ];
  for (const [uri, valid] of loose) {
    it(`"${uri}" is ${valid ? 'valid' : 'invalid'} (loose)`, () => expect(isValidUri(uri)).to.equal(valid));
  }

  it('strict rules allow only [0-9a-z_] components', () => {
    expect(isValidUri('com.my_app.op2', { strict: true })).to.equal(true);
    expect(isValidUri('com.MyApp.op', { strict: true })).to.equal(false);
    expect(isValidUri('com.my-app.op', { strict: true })).to.equal(false);
  });

  it('wildcard patterns may have empty components', () => {
    expect(isValidUri('com..op', { match: 'wildcard' })).to.equal(true);
    expect(isValidUri('com.myapp.', { match: 'wildcard' })).to.equal(true);
    expect(isValidUri('com..op', { match: 'prefix' })).to.equal(false);
  });

  it('describes what is wrong', () => {
    expect(describeInvalidUri(3, 'procedure')).to.equal('procedure must be a string URI, got number');
    expect(describeInvalidUri('a b', 'topic')).to.match(/^topic "a b" is not a valid WAMP URI/);
    expect(describeInvalidUri('a.b', 'topic')).to.equal(undefined);
  });
});
