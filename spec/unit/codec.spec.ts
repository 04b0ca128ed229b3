import { expect } from 'chai';
import { cborCodec, jsonCodec, msgpackCodec, SerializationError, type Codec } from '../helpers/codecs.js';
import { MAX_ID } from '../../src/protocol/ids.js';

const bytes = (...values: number[]) => new Uint8Array(values);

for (const codec of [jsonCodec, cborCodec, msgpackCodec] as Codec[]) {
  describe(`codec ${codec.name}`, () => {
    const roundTrip = (message: unknown[]) => codec.decode(codec.encode(message));

    it('round-trips a CALL with nested kwargs', () => {
      const call = [48, 7, { receive_progress: true }, 'com.myapp.longop', [3, 'x', null, 1.5, false], { a: { b: [1, { c: 'd' }] } }];
      expect(roundTrip(call)).to.deep.equal(call);
    });

    it('keeps ids up to 2^53 as numbers', () => {
      const decoded = roundTrip([50, MAX_ID, {}, [MAX_ID - 1]]) as unknown[];
      expect(decoded[1]).to.equal(MAX_ID);
      expect(typeof decoded[1]).to.equal('number');
      expect((decoded[3] as unknown[])[0]).to.equal(MAX_ID - 1);
    });

    it('carries binary payloads nested anywhere in args and kwargs', () => {
      const blob = bytes(0x10, 0xe3, 0xff, 0x90, 0x53, 0x07, 0x5c, 0x52, 0x6f, 0x5f, 0xc0, 0x6d, 0x4f, 0xe3, 0x7c, 0xdb);
      const decoded = roundTrip([70, 1, {}, [blob, [bytes()]], { deep: { list: [bytes(1, 2, 3)] } }]) as unknown[];
      const args = decoded[3] as unknown[];
      expect(args[0]).to.be.instanceOf(Uint8Array);
      expect(Array.from(args[0] as Uint8Array)).to.deep.equal(Array.from(blob));
      expect(Array.from((args[1] as Uint8Array[])[0]!)).to.deep.equal([]);
      const kwargs = decoded[4] as { deep: { list: Uint8Array[] } };
      expect(Array.from(kwargs.deep.list[0]!)).to.deep.equal([1, 2, 3]);
    });

    it('refuses values it cannot carry with a SerializationError', () => {
      expect(() => codec.encode([48, 1, {}, 'a.b', [() => 1]])).to.throw(SerializationError, /function/);
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      expect(() => codec.encode([48, 1, {}, 'a.b', [cyclic]])).to.throw(SerializationError, /circular|call stack/i);
    });

    it('throws on an undecodable frame', () => {
      const garbage = codec.binary ? bytes(0xff, 0xff, 0xff) : '[1, 2,';
      expect(() => {
        const decoded = codec.decode(garbage);
        if (!Array.isArray(decoded)) throw new Error('not a message');
      }).to.throw();
    });
  });
}

describe('codec json binary rule', () => {
  it('matches the spec example', () => {
    const blob = bytes(0x10, 0xe3, 0xff, 0x90, 0x53, 0x07, 0x5c, 0x52, 0x6f, 0x5f, 0xc0, 0x6d, 0x4f, 0xe3, 0x7c, 0xdb);
    expect(jsonCodec.encode([blob])).to.equal('["\\u0000EOP/kFMHXFJvX8BtT+N82w=="]');
  });

  it('encodes Node Buffers as binary, not as {type,data}', () => {
    expect(jsonCodec.encode([Buffer.from([1, 2])])).to.equal('["\\u0000AQI="]');
  });

  it('encodes plain messages exactly as JSON.stringify does (the fast path), and others through the binary rule', () => {
    const plain = [48, 1, { receive_progress: true, skip: undefined }, 'a.b', [1, 'x', null, true, { n: [2.5] }]];
    expect(jsonCodec.encode(plain)).to.equal(JSON.stringify(plain));
    const mixed = [48, 1, {}, 'a.b', [new Date(0), { bytes: new Uint8Array([255]) }]];
    expect(jsonCodec.encode(mixed)).to.equal('[48,1,{},"a.b",["1970-01-01T00:00:00.000Z",{"bytes":"\\u0000/w=="}]]');
  });

  it('leaves ordinary strings alone', () => {
    expect(jsonCodec.decode('["plain", "\\u0001x"]')).to.deep.equal(['plain', '\u0001x']);
  });
});
