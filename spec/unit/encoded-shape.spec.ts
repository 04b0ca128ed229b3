import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cborCodec, jsonCodec, msgpackCodec, SerializationError, type Codec } from '../helpers/codecs.js';
import { MessageType, withPayload } from '../../src/protocol/messages.js';

/**
 * The codec rule (src/codec/encoded-shape.ts): a top-level element built as an array is
 * written as an array, one built as a dict as a dict, judged on what the serializer really
 * writes (toJSON, getters, prototypes, own `constructor` properties), else SerializationError.
 */

const CODECS: readonly Codec[] = [jsonCodec, cborCodec, msgpackCodec];

/** A CALL with `kwargs` in its kwargs slot (element 5). */
const callWithKwargs = (kwargs: unknown): unknown[] => [MessageType.CALL, 1, {}, 'com.x', [], kwargs];
/** A CALL with `args` in its args slot (element 4). */
const callWithArgs = (args: unknown): unknown[] => [MessageType.CALL, 1, {}, 'com.x', args, { k: 1 }];

class Plain {
  a = 1;
}
class WithToJson {
  a = 1;
  toJSON(): unknown {
    return 5;
  }
}
class Iterable {
  a = 1;
  *[Symbol.iterator](): Generator<number> {
    yield 1;
  }
}
class List extends Array<unknown> {}

const nonEnumerable = <T extends object>(target: T, key: string, value: unknown): T => Object.defineProperty(target, key, { value, enumerable: false });
const getter = <T extends object>(target: T, key: string, get: () => unknown): T => Object.defineProperty(target, key, { get, enumerable: false });
const nullProto = (entries: object): object => Object.assign(Object.create(null) as object, entries);

/** Values that pass as a dict in a kwargs slot, and the serializers that would not write them as a dict. */
const KWARGS: ReadonlyArray<{ name: string; value: () => unknown; refusedBy: readonly string[] }> = [
  { name: 'a plain object', value: () => ({ a: 1 }), refusedBy: [] },
  { name: 'a null-prototype object', value: () => nullProto({ a: 1 }), refusedBy: [] },
  { name: 'a class instance', value: () => new Plain(), refusedBy: [] },
  // cbor-x and msgpackr refuse the function member itself (they do not call a plain object's toJSON).
  { name: 'a plain object with toJSON', value: () => ({ a: 1, toJSON: () => 5 }), refusedBy: ['json', 'cbor', 'msgpack'] },
  { name: 'a plain object with a non-enumerable toJSON', value: () => nonEnumerable({ a: 1 }, 'toJSON', () => 5), refusedBy: ['json'] },
  { name: 'a plain object with a toJSON getter', value: () => getter({ a: 1 }, 'toJSON', () => () => [1]), refusedBy: ['json'] },
  {
    name: 'a plain object inheriting toJSON',
    value: () => Object.assign(Object.create(nonEnumerable({}, 'toJSON', () => 'x')) as object, { a: 1 }),
    refusedBy: ['json'],
  },
  { name: 'a class instance with toJSON', value: () => new WithToJson(), refusedBy: ['json', 'msgpack'] },
  {
    name: 'a null-prototype object with a non-enumerable toJSON',
    value: () => nonEnumerable(nullProto({ a: 1 }), 'toJSON', () => 5),
    refusedBy: ['json', 'msgpack'],
  },
  {
    name: 'a plain object with an own constructor: Array',
    value: () => nonEnumerable({ length: 1, 0: 'x' }, 'constructor', Array),
    refusedBy: ['cbor', 'msgpack'],
  },
  { name: 'a plain object with a constructor getter', value: () => getter({ length: 1, 0: 'x' }, 'constructor', () => Array), refusedBy: ['cbor', 'msgpack'] },
  { name: 'an iterable class instance', value: () => new Iterable(), refusedBy: ['cbor'] },
  { name: 'a Map', value: () => new Map([['a', 1]]), refusedBy: ['cbor'] }, // cbor-x tags it (259)
  { name: 'a Set', value: () => new Set([1]), refusedBy: ['cbor', 'msgpack'] },
  { name: 'a Date', value: () => new Date(0), refusedBy: ['json', 'cbor', 'msgpack'] },
  { name: 'a boxed number', value: () => new Number(5), refusedBy: ['json'] },
  { name: 'a boxed string', value: () => new String('ab'), refusedBy: ['json', 'cbor'] },
  { name: 'a Proxy of a plain object', value: () => new Proxy({ a: 1 }, {}), refusedBy: [] },
];

/** Values that pass as an array in an args slot, and the serializers that would not write them as an array. */
const ARGS: ReadonlyArray<{ name: string; value: () => unknown; refusedBy: readonly string[] }> = [
  { name: 'a plain array', value: () => [1, 'a'], refusedBy: [] },
  { name: 'an array subclass', value: () => List.from([1, 2]), refusedBy: [] },
  { name: 'an array with an own toJSON', value: () => Object.assign([1, 2], { toJSON: () => 5 }), refusedBy: ['json'] },
  { name: 'an array with a non-enumerable toJSON', value: () => nonEnumerable([1], 'toJSON', () => ({ a: 1 })), refusedBy: ['json'] },
  { name: 'an array with an own constructor: Object', value: () => nonEnumerable([1], 'constructor', Object), refusedBy: ['cbor', 'msgpack'] },
  { name: 'a Proxy of an array', value: () => new Proxy([1], {}), refusedBy: [] },
];

/** What a peer's validation accepts as a dict (src/protocol/validate.ts). */
const isDict = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && !(value instanceof Date);

for (const codec of CODECS) {
  describe(`codec ${codec.name}: each top-level array and dict is written as one`, () => {
    for (const { name, value, refusedBy } of KWARGS) {
      const refused = refusedBy.includes(codec.name);
      it(`${refused ? 'refuses' : 'writes as a dict'} ${name} in the kwargs slot`, () => {
        const message = callWithKwargs(value());
        if (refused) {
          expect(() => codec.encode(message)).to.throw(SerializationError);
        } else {
          const written = codec.decode(codec.encode(message)) as unknown[];
          expect(isDict(written[5]), String(written[5])).to.equal(true);
        }
      });
    }
    for (const { name, value, refusedBy } of ARGS) {
      const refused = refusedBy.includes(codec.name);
      it(`${refused ? 'refuses' : 'writes as an array'} ${name} in the args slot`, () => {
        const message = callWithArgs(value());
        if (refused) {
          expect(() => codec.encode(message)).to.throw(SerializationError);
        } else {
          const written = codec.decode(codec.encode(message)) as unknown[];
          expect(written[4]).to.be.an('array');
        }
      });
    }

    it('names the element and what it would be written as', () => {
      const [message, written] =
        codec.name === 'json'
          ? [callWithArgs(Object.assign([1], { toJSON: () => 5 })), /^element 4 of the message would be serialized as 5$/]
          : [
              callWithKwargs(nonEnumerable({ length: 1, 0: 'x' }, 'constructor', Array)),
              /^element 5 of the message would be serialized as (CBOR|MessagePack) starting 0x[89]1, an array$/,
            ];
      expect(() => codec.encode(message)).to.throw(SerializationError, written);
    });

    it('leaves nested values to the serializer: only the top level is a WAMP slot', () => {
      const nested = codec.name === 'json' ? { toJSON: () => 5 } : new Map([['a', 1]]);
      expect(() => codec.encode(callWithArgs([nested]))).not.to.throw();
    });
  });
}

describe('codec json: the fast path and the checked path', () => {
  it('checks what toJSON returns also when it is non-enumerable and nested (it once slipped past the fast path)', () => {
    expect(() => jsonCodec.encode(callWithArgs([nonEnumerable({ a: 1 }, 'toJSON', () => () => 1)]))).to.throw(SerializationError, /function/);
    expect(() => jsonCodec.encode(callWithArgs([nonEnumerable({ a: 1 }, 'toJSON', () => undefined)]))).to.throw(SerializationError, /undefined/);
  });

  it('writes the same text as JSON.stringify for what it accepts on the checked path', () => {
    const messages: unknown[][] = [
      callWithArgs([new Date(0), { at: new Date(1) }, nullProto({ b: 2 })]),
      [MessageType.PUBLISH, 7, {}, 'com.t', [nonEnumerable({ a: 1 }, 'toJSON', () => 'x')], nullProto({ k: [1, { z: null }] })],
      [MessageType.YIELD, 3, { progress: true }, [new Plain(), 'é\u2028"'], { n: -0, big: 2 ** 53 }],
    ];
    for (const message of messages) expect(jsonCodec.encode(message)).to.equal(JSON.stringify(message));
  });

  it('still refuses undefined as a top-level element, as inside any array', () => {
    expect(() => jsonCodec.encode([MessageType.ERROR, MessageType.INVOCATION, 1, {}, undefined, new Date(0)])).to.throw(SerializationError, /undefined/);
  });

  it('refuses a JSON.rawJSON value in a dict slot (written as the primitive it holds)', function () {
    const rawJson = (JSON as { rawJSON?: (text: string) => object }).rawJSON;
    if (rawJson) {
      expect(() => jsonCodec.encode(callWithKwargs(rawJson('5')))).to.throw(SerializationError, /element 5/);
      return;
    }
    // Node 20 has JSON.rawJSON behind a V8 flag (browsers, Bun, Deno and Node 21+ have it):
    // the same check, in a child process with the flag on.
    this.timeout(20_000);
    const script = `import { jsonCodec } from './src/codec/json.ts';
      try { jsonCodec.encode([${MessageType.CALL}, 1, {}, 'com.x', [], JSON.rawJSON('5')]); console.log('sent'); }
      catch (error) { console.log(error.name, error.message); }`;
    const child = spawnSync(process.execPath, ['--harmony-json-parse-with-source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      encoding: 'utf8',
    });
    expect(child.stdout.trim(), child.stderr).to.match(/^SerializationError element 5 /);
  });
});

describe('withPayload: args must be an array and kwargs a dict, whatever the types said', () => {
  const yieldOf = (args: unknown, kwargs: unknown): unknown[] => withPayload([MessageType.YIELD, 1, {}, args, kwargs]);

  it('refuses a non-array args and a non-dict kwargs with a SerializationError', () => {
    for (const [args, kwargs] of [
      [5, undefined],
      ['ab', {}],
      [{ 0: 'a' }, undefined],
      [[], [1]],
      [[], 'ab'],
      [[], 5],
      [[], new Uint8Array(1)],
    ] as const) {
      expect(() => yieldOf(args, kwargs), JSON.stringify([args, kwargs])).to.throw(SerializationError, /args must be an array, kwargs a dict/);
    }
  });

  it('takes null as absent, as it takes undefined', () => {
    expect(yieldOf(null, null)).to.deep.equal([MessageType.YIELD, 1, {}]);
    expect(yieldOf(null, { a: 1 })).to.deep.equal([MessageType.YIELD, 1, {}, [], { a: 1 }]);
    expect(yieldOf([1], null)).to.deep.equal([MessageType.YIELD, 1, {}, [1]]);
  });
});
