import { expect } from 'chai';
import { cborCodec, msgpackCodec, type Codec } from '../helpers/codecs.js';
import { MAX_ID } from '../../src/protocol/ids.js';

/**
 * Issue #8: integers must go out as CBOR / MessagePack integers of the shortest width, never
 * as 64-bit floats (strict peers refuse a float id), and come back as JS numbers.
 */

const hex = (frame: string | Uint8Array): string => Buffer.from(frame as Uint8Array).toString('hex');
/** Bytes written as spaced hex, as in the specs, to compare with `hex`. */
const bytes = (spaced: string): string => spaced.replace(/\s+/g, '');

interface IntegerRow {
  readonly value: number;
  readonly cbor: string;
  readonly msgpack: string;
}

/** One number each, as the single element of a one-element array (0x81 / 0x91 left off). */
const INTEGERS: readonly IntegerRow[] = [
  { value: 0, cbor: '00', msgpack: '00' },
  { value: 23, cbor: '17', msgpack: '17' },
  { value: 24, cbor: '18 18', msgpack: '18' },
  { value: 255, cbor: '18 ff', msgpack: 'cc ff' },
  { value: 65535, cbor: '19 ff ff', msgpack: 'cd ff ff' },
  { value: 2 ** 31, cbor: '1a 80 00 00 00', msgpack: 'ce 80 00 00 00' },
  { value: 2 ** 32 - 1, cbor: '1a ff ff ff ff', msgpack: 'ce ff ff ff ff' },
  { value: 2 ** 32, cbor: '1b 00 00 00 01 00 00 00 00', msgpack: 'cf 00 00 00 01 00 00 00 00' },
  { value: 2 ** 40, cbor: '1b 00 00 01 00 00 00 00 00', msgpack: 'cf 00 00 01 00 00 00 00 00' },
  { value: 2 ** 53 - 1, cbor: '1b 00 1f ff ff ff ff ff ff', msgpack: 'cf 00 1f ff ff ff ff ff ff' },
  { value: MAX_ID, cbor: '1b 00 20 00 00 00 00 00 00', msgpack: 'cf 00 20 00 00 00 00 00 00' },
  { value: -1, cbor: '20', msgpack: 'ff' },
  { value: -33, cbor: '38 20', msgpack: 'd0 df' },
  { value: -(2 ** 31), cbor: '3a 7f ff ff ff', msgpack: 'd2 80 00 00 00' },
  { value: -(2 ** 31) - 1, cbor: '3a 80 00 00 00', msgpack: 'd3 ff ff ff ff 7f ff ff ff' },
  { value: -(2 ** 32), cbor: '3a ff ff ff ff', msgpack: 'd3 ff ff ff ff 00 00 00 00' },
  { value: -(2 ** 40), cbor: '3b 00 00 00 ff ff ff ff ff', msgpack: 'd3 ff ff ff 00 00 00 00 00' },
  { value: -(2 ** 53 - 1), cbor: '3b 00 1f ff ff ff ff ff fe', msgpack: 'd3 ff e0 00 00 00 00 00 01' },
];

/** Numbers that are not integers of 64 bits or less stay 64-bit floats. */
const FLOATS: readonly IntegerRow[] = [
  { value: 1.5, cbor: 'fb 3f f8 00 00 00 00 00 00', msgpack: 'cb 3f f8 00 00 00 00 00 00' },
  { value: -0, cbor: 'fb 80 00 00 00 00 00 00 00', msgpack: 'cb 80 00 00 00 00 00 00 00' },
  { value: NaN, cbor: 'fb 7f f8 00 00 00 00 00 00', msgpack: 'cb 7f f8 00 00 00 00 00 00' },
  { value: Infinity, cbor: 'fb 7f f0 00 00 00 00 00 00', msgpack: 'cb 7f f0 00 00 00 00 00 00' },
  { value: 2 ** 64, cbor: 'fb 43 f0 00 00 00 00 00 00', msgpack: 'cb 43 f0 00 00 00 00 00 00' },
];

interface CodecCase {
  readonly codec: Codec;
  readonly column: 'cbor' | 'msgpack';
  /** The first byte of a short array: 0x80 | length (CBOR), 0x90 | length (MessagePack). */
  readonly arrayType: number;
  /** EVENT [36, 2^32, 2^40, {}, [2^53 − 1], {n: −2^40}] in full. */
  readonly event: string;
  /** CALL [48, 7, {timeout: 2^32}, 'a.b', [2^31, 1.5], {deep: {list: [−2^40, {id: 2^53 − 1}]}}] in full. */
  readonly call: string;
}

const CASES: readonly CodecCase[] = [
  {
    codec: cborCodec,
    column: 'cbor',
    arrayType: 0x80,
    // cbor-x and msgpackr give every map a 16-bit length (b9 / de): valid, if not the shortest.
    event: `86 18 24  1b 00 00 00 01 00 00 00 00  1b 00 00 01 00 00 00 00 00  b9 00 00
            81 1b 00 1f ff ff ff ff ff ff  b9 00 01 61 6e 3b 00 00 00 ff ff ff ff ff`,
    call: `86 18 30 07  b9 00 01 67 74 69 6d 65 6f 75 74 1b 00 00 00 01 00 00 00 00  63 61 2e 62
           82 1a 80 00 00 00 fb 3f f8 00 00 00 00 00 00
           b9 00 01 64 64 65 65 70 b9 00 01 64 6c 69 73 74 82 3b 00 00 00 ff ff ff ff ff
           b9 00 01 62 69 64 1b 00 1f ff ff ff ff ff ff`,
  },
  {
    codec: msgpackCodec,
    column: 'msgpack',
    arrayType: 0x90,
    event: `96 24  cf 00 00 00 01 00 00 00 00  cf 00 00 01 00 00 00 00 00  de 00 00
            91 cf 00 1f ff ff ff ff ff ff  de 00 01 a1 6e d3 ff ff ff 00 00 00 00 00`,
    call: `96 30 07  de 00 01 a7 74 69 6d 65 6f 75 74 cf 00 00 00 01 00 00 00 00  a3 61 2e 62
           92 ce 80 00 00 00 cb 3f f8 00 00 00 00 00 00
           de 00 01 a4 64 65 65 70 de 00 01 a4 6c 69 73 74 92 d3 ff ff ff 00 00 00 00 00
           de 00 01 a2 69 64 cf 00 1f ff ff ff ff ff ff`,
  },
];

for (const { codec, column, arrayType, event, call } of CASES) {
  describe(`codec ${codec.name}: integers stay integers (issue #8)`, () => {
    const arrayOf = (length: number) => (arrayType | length).toString(16);
    const column64 = (value: number) => INTEGERS.find((row) => row.value === value)![column];

    for (const row of INTEGERS) {
      it(`writes ${row.value} as ${row[column]}`, () => {
        expect(hex(codec.encode([row.value]))).to.equal(bytes(arrayOf(1) + row[column]));
      });
    }

    for (const row of FLOATS) {
      it(`keeps ${Object.is(row.value, -0) ? '-0' : row.value} a float: ${row[column]}`, () => {
        expect(hex(codec.encode([row.value]))).to.equal(bytes(arrayOf(1) + row[column]));
      });
    }

    it('writes ids and payload integers inside a WAMP message as integers', () => {
      const message = [36, 2 ** 32, 2 ** 40, {}, [2 ** 53 - 1], { n: -(2 ** 40) }];
      expect(hex(codec.encode(message))).to.equal(bytes(event));
    });

    it('writes integers in details and at any depth of kwargs as integers, floats beside them as floats', () => {
      const message = [48, 7, { timeout: 2 ** 32 }, 'a.b', [2 ** 31, 1.5], { deep: { list: [-(2 ** 40), { id: 2 ** 53 - 1 }] } }];
      expect(hex(codec.encode(message))).to.equal(bytes(call));
    });

    it('decodes every integer of the table back to the same number', () => {
      for (const row of INTEGERS) {
        const [decoded] = codec.decode(codec.encode([row.value])) as unknown[];
        expect(typeof decoded, String(row.value)).to.equal('number');
        expect(decoded, String(row.value)).to.equal(row.value);
      }
    });

    it('decodes floats as floats, -0 included', () => {
      const decoded = codec.decode(codec.encode([1.5, -0, NaN, Infinity, 2 ** 64])) as number[];
      expect(Object.is(decoded[1], -0)).to.equal(true);
      expect(decoded[0]).to.equal(1.5);
      expect(decoded[2]).to.be.NaN;
      expect(decoded.slice(3)).to.deep.equal([Infinity, 2 ** 64]);
    });

    it('round-trips a nested message with numbers, never bigint', () => {
      const message = [50, MAX_ID, { progress: true }, [2 ** 32, [-(2 ** 40), 2 ** 53 - 1]], { a: { b: [2 ** 40, 0.25] } }];
      const decoded = codec.decode(codec.encode(message));
      expect(decoded).to.deep.equal(message);
      const args = (decoded as unknown[])[3] as [number, number[]];
      expect([typeof args[0], ...args[1].map((n) => typeof n)]).to.deep.equal(['number', 'number', 'number']);
    });

    it('decodes the 64-bit forms other peers send as numbers', () => {
      // 5 in eight bytes is longer than needed, but legal: decoders must take it.
      const five = column === 'cbor' ? '1b 00 00 00 00 00 00 00 05' : 'cf 00 00 00 00 00 00 00 05';
      const frame = Buffer.from(bytes(`${arrayOf(4)} ${column64(2 ** 32)} ${column64(-(2 ** 40))} ${column64(MAX_ID)} ${five}`), 'hex');
      const decoded = codec.decode(new Uint8Array(frame)) as unknown[];
      expect(decoded).to.deep.equal([2 ** 32, -(2 ** 40), MAX_ID, 5]);
      expect(decoded.map((n) => typeof n)).to.deep.equal(['number', 'number', 'number', 'number']);
    });

    it("writes integers in dicts without a prototype and in dicts with a 'constructor' key as integers", () => {
      const bare = Object.assign(Object.create(null) as Record<string, unknown>, { n: 2 ** 32 });
      const wide = column64(2 ** 32);
      expect(hex(codec.encode([bare]))).to.match(new RegExp(`${bytes(wide)}$`));
      expect(hex(codec.encode([{ constructor: 2 ** 32 }]))).to.match(new RegExp(`${bytes(wide)}$`));
    });

    it("leaves the caller's message untouched", () => {
      const kwargs = { deep: { id: 2 ** 40, keep: 1 } };
      const args = [2 ** 33, 'x'];
      const message = [70, 9, {}, args, kwargs];
      codec.encode(message);
      expect(message[3]).to.equal(args);
      expect(message[4]).to.equal(kwargs);
      expect(args).to.deep.equal([2 ** 33, 'x']);
      expect(kwargs).to.deep.equal({ deep: { id: 2 ** 40, keep: 1 } });
    });

    it('carries binary next to wide integers', () => {
      const blob = new Uint8Array([0xfb, 0xcb, 0x00, 0xff]);
      const decoded = codec.decode(codec.encode([70, 2 ** 40, {}, [blob, 2 ** 33], { b: Buffer.from([1, 2]) }])) as unknown[];
      const args = decoded[3] as [Uint8Array, number];
      expect(Array.from(args[0])).to.deep.equal(Array.from(blob));
      expect(args[1]).to.equal(2 ** 33);
      expect(Array.from((decoded[4] as { b: Uint8Array }).b)).to.deep.equal([1, 2]);
    });
  });
}
