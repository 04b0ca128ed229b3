import { expect } from 'chai';
import { MAX_ID, ProtocolViolation, RequestIdCounter, validateMessage } from '../../src/protocol/index.js';

describe('protocol: validateMessage', () => {
  it('fills missing and null payload slots with [] and {}', () => {
    expect(validateMessage([36, 1, 2, {}], 'client')).to.deep.equal([36, 1, 2, {}, [], {}]);
    expect(validateMessage([36, 1, 2, {}, ['a']], 'client')).to.deep.equal([36, 1, 2, {}, ['a'], {}]);
    expect(validateMessage([70, 1, {}, null, null], 'router')).to.deep.equal([70, 1, {}, [], {}]);
    expect(validateMessage([68, 3, 9, {}, null, { k: 1 }], 'client')).to.deep.equal([68, 3, 9, {}, [], { k: 1 }]);
    expect(validateMessage([8, 48, 3, {}, 'a.b'], 'client')).to.deep.equal([8, 48, 3, {}, 'a.b', [], {}]);
  });

  it('leaves RESULT payload slots as they came (the caller fills them)', () => {
    expect(validateMessage([50, 1, {}], 'client')).to.deep.equal([50, 1, {}]);
    expect(validateMessage([50, 1, { progress: true }, ['a']], 'client')).to.deep.equal([50, 1, { progress: true }, ['a']]);
    expect(validateMessage([50, 1, {}, null, null], 'client')).to.deep.equal([50, 1, {}, null, null]);
    expect(validateMessage([50, 2n, {}], 'client')).to.deep.equal([50, 2, {}]);
  });

  it('normalises bigint ids to numbers, up to 2^53', () => {
    const message = validateMessage([65, 1n, BigInt(MAX_ID)], 'client');
    expect(message).to.deep.equal([65, 1, MAX_ID]);
    expect(typeof message[2]).to.equal('number');
  });

  it('accepts the revocation forms with request id 0', () => {
    expect(validateMessage([67, 0, { registration: 5 }], 'client')).to.deep.equal([67, 0, { registration: 5 }]);
    expect(validateMessage([35, 7], 'client')).to.deep.equal([35, 7]);
  });

  const bad: Array<[string, unknown, 'client' | 'router']> = [
    ['a non-array', 'hello', 'client'],
    ['an empty array', [], 'client'],
    ['an unknown type', [7, 1], 'client'],
    ['a float type', [50.5, 1, {}], 'client'],
    ['id 0 where an id is needed', [50, 0, {}], 'client'],
    ['an id above 2^53', [50, MAX_ID + 2, {}], 'client'],
    ['a negative id', [65, 1, -4], 'client'],
    ['a string id', [65, '1', 4], 'client'],
    ['a bigint id above 2^53', [65, 1, 2n ** 60n], 'client'],
    ['a list where a dict belongs', [50, 1, []], 'client'],
    ['a binary where a dict belongs', [50, 1, new Uint8Array(2)], 'client'],
    ['an empty error URI', [8, 48, 1, {}, ''], 'client'],
    ['an ERROR for INVOCATION sent to a client', [8, 68, 1, {}, 'x.y'], 'client'],
    ['an ERROR for CALL sent to a router', [8, 48, 1, {}, 'x.y'], 'router'],
    ['too few elements', [48, 1, {}], 'router'],
    ['too many elements', [49, 1, {}, 'extra'], 'router'],
    ['kwargs that is a list', [70, 1, {}, [], []], 'router'],
    ['a RESULT whose Arguments is a dict', [50, 1, {}, { a: 1 }], 'client'],
    ['a RESULT whose ArgumentsKw is a list', [50, 1, {}, [], [1]], 'client'],
    ['a RESULT with six elements', [50, 1, {}, [], {}, 1], 'client'],
    ['a CALL sent to a client', [48, 1, {}, 'a.b'], 'client'],
    ['a RESULT sent to a router', [50, 1, {}], 'router'],
    ['a HELLO with a number realm', [1, 5, {}], 'router'],
  ];
  for (const [what, frame, receiver] of bad) {
    it(`refuses ${what}`, () => {
      expect(() => validateMessage(frame, receiver)).to.throw(ProtocolViolation);
    });
  }
});

describe('protocol: RequestIdCounter', () => {
  it('counts 1, 2, 3 and wraps to 1 after 2^53', () => {
    const ids = new RequestIdCounter();
    expect([ids.next(), ids.next(), ids.next()]).to.deep.equal([1, 2, 3]);
    (ids as unknown as { last: number }).last = MAX_ID - 1;
    expect([ids.next(), ids.next(), ids.peek(), ids.next()]).to.deep.equal([MAX_ID, 1, 2, 2]);
  });
});
