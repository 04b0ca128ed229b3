import { addExtension, Encoder } from 'cbor-x';
import { SerializationError, type Codec } from './codec.js';
import { assertEncodable } from './encodable.js';
import { encodeWithExactNumbers, type BinaryNumberFormat } from './exact-encode.js';

// Plain maps as objects, byte strings untagged, no record extension: what other WAMP peers
// expect. 64-bit integers decode as numbers (every legal id fits a double).
const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, int64AsNumber: true } as ConstructorParameters<typeof Encoder>[0]);

/** Stands in for −0, which cbor-x would write as the integer 0. */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- cbor-x picks an extension by the value's class
class NegativeZero {}
const NEGATIVE_ZERO = new NegativeZero();

interface FloatSwitch {
  alwaysUseFloat?: boolean;
}

// No tag, so nothing but the float itself is written; `this` is the encoder, whose
// `alwaysUseFloat` cbor-x reads on every number. No decode: nothing changes on the way in.
// Neither is documented; spec/unit/codec-integers.spec.ts pins the bytes across upgrades.
addExtension({
  Class: NegativeZero,
  tag: undefined,
  encode(this: FloatSwitch, _value: NegativeZero, encode: (value: number) => void) {
    this.alwaysUseFloat = true;
    try {
      encode(-0);
    } finally {
      this.alwaysUseFloat = false;
    }
  },
} as unknown as Parameters<typeof addExtension>[0]);

/**
 * cbor-x writes integers in [−2^32, 2^32 − 1] as CBOR integers of the shortest form itself,
 * everything else as float64 (0xfb). A bigint beyond that comes out as major type 0 or 1 with
 * an 8-byte argument (0x1b / 0x3b), the shortest CBOR form for those values.
 */
const cborFormat: BinaryNumberFormat = {
  serializer: 'CBOR',
  lowestNativeInteger: -0x100000000,
  // The double just above −2^64: cbor-x writes a bigint of −2^64 itself as a tagged bignum.
  lowestInteger: -(2 ** 64) + 2048,
  replace: (value) => (value === 0 ? NEGATIVE_ZERO : BigInt(value)),
  float64Marker: 0xfb,
  uint64Marker: 0x1b,
  arrayHeaderSize: (length) => (length < 24 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5),
  numberSize(value) {
    if (value >>> 0 === value) return value < 24 ? 1 : value < 0x100 ? 2 : value < 0x10000 ? 3 : 5;
    if (value >> 0 === value) return value >= -24 ? 1 : value >= -0x100 ? 2 : value >= -0x10000 ? 3 : 5;
    if (value < 0 && value >= -0x100000000 && Number.isInteger(value)) return 5;
    return 9;
  },
  // Major type 4 is an array (0x9f: of indefinite length, how cbor-x writes an iterable), 5 a
  // map; a tag (cbor-x puts 259 before a Map's map) makes it something else for other peers.
  shapeOf: (firstByte) => (firstByte >> 5 === 4 ? '[' : firstByte >> 5 === 5 ? '{' : undefined),
  encodeValue: (value) => cbor.encode(value),
};

const encodeCbor = (message: readonly unknown[]): Uint8Array => cbor.encode(message);

/** The bare library encode and how it writes numbers, for the specs that compare the fast and the general path. */
export const cborLibrary = { format: cborFormat, encode: encodeCbor } as const;

export const cborCodec: Codec = {
  name: 'cbor',
  subprotocol: 'wamp.2.cbor',
  binary: true,
  encode(message) {
    try {
      return encodeWithExactNumbers(message, cborFormat, encodeCbor);
    } catch (error) {
      if (error instanceof SerializationError) throw error;
      // A cycle overflowed the stack: name it.
      assertEncodable(message, 'CBOR');
      throw new SerializationError(`cannot serialize to CBOR: ${(error as Error).message}`, error);
    }
  },
  decode(frame): unknown {
    if (typeof frame === 'string') throw new SerializationError('CBOR expects binary frames, got text');
    return cbor.decode(frame);
  },
};
