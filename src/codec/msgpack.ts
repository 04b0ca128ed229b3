import { addExtension, Packr } from 'msgpackr';
import { SerializationError, type Codec } from './codec.js';
import { assertEncodable } from './encodable.js';
import { encodeWithExactNumbers, type BinaryNumberFormat } from './exact-encode.js';
import { writeUint64 } from './leading-integers.js';

// MessagePack v5 (str and bin apart), plain maps as objects, no record extension,
// 64-bit integers decoded as numbers.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number', encodeUndefinedAsNil: true });

/**
 * Stands in for a number msgpackr would write as a float64: an integer beyond its 32-bit fast
 * path, or −0. (A bigint will not do: msgpackr writes positive ones as int64 0xd3, not uint64.)
 */
class ExactNumber {
  constructor(readonly value: number) {}
}

/** Writes uint64 0xcf, int64 0xd3 or, for −0, float64 0xcb, each with 8 big-endian bytes. */
function writeExactNumber(value: number, { target, targetView, position }: WriteSpace): void {
  if (value > 0) {
    writeUint64(target, position, value, 0xcf);
  } else if (value < 0) {
    // Rare (ids are positive): two's complement is simplest through a bigint.
    targetView.setUint8(position, 0xd3);
    targetView.setBigInt64(position + 1, BigInt(value));
  } else {
    targetView.setUint8(position, 0xcb);
    targetView.setFloat64(position + 1, value);
  }
}

interface WriteSpace {
  target: Uint8Array;
  targetView: DataView;
  position: number;
}

// msgpackr hands `pack` a way to reserve bytes in its own buffer; writing there and returning
// nothing puts the bytes out as they are, with no extension header. The type is one no byte
// can name, so this registration never changes how anything decodes. Neither is documented;
// spec/unit/codec-integers.spec.ts pins the bytes across upgrades.
addExtension({
  Class: ExactNumber,
  type: 0x100,
  pack(instance: ExactNumber, allocateForWrite: (size: number) => WriteSpace) {
    writeExactNumber(instance.value, allocateForWrite(9));
  },
} as unknown as Parameters<typeof addExtension>[0]);

/**
 * msgpackr writes integers in [−2^31, 2^32 − 1] as MessagePack integers of the shortest form
 * itself (with useRecords off, 0–127 as positive fixint), everything else as float64 (0xcb).
 */
const msgpackFormat: BinaryNumberFormat = {
  serializer: 'MessagePack',
  lowestNativeInteger: -0x80000000,
  lowestInteger: -(2 ** 63),
  replace: (value) => new ExactNumber(value),
  float64Marker: 0xcb,
  uint64Marker: 0xcf,
  arrayHeaderSize: (length) => (length < 16 ? 1 : length < 0x10000 ? 3 : 5),
  numberSize(value) {
    if (value >>> 0 === value) return value < 0x80 ? 1 : value < 0x100 ? 2 : value < 0x10000 ? 3 : 5;
    if (value >> 0 === value) return value >= -0x20 ? 1 : value >= -0x80 ? 2 : value >= -0x8000 ? 3 : 5;
    return 9;
  },
  // fixarray, array 16, array 32; fixmap, map 16, map 32. Anything else (an extension, a
  // scalar toJSON returned) is neither.
  shapeOf(firstByte) {
    if ((firstByte & 0xf0) === 0x90 || firstByte === 0xdc || firstByte === 0xdd) return '[';
    if ((firstByte & 0xf0) === 0x80 || firstByte === 0xde || firstByte === 0xdf) return '{';
    return undefined;
  },
  encodeValue: (value) => packr.pack(value),
};

const encodeMsgpack = (message: readonly unknown[]): Uint8Array => packr.pack(message);

/** The bare library encode and how it writes numbers, for the specs that compare the fast and the general path. */
export const msgpackLibrary = { format: msgpackFormat, encode: encodeMsgpack } as const;

export const msgpackCodec: Codec = {
  name: 'msgpack',
  subprotocol: 'wamp.2.msgpack',
  binary: true,
  encode(message) {
    // The walk also refuses functions and symbols, which msgpackr would turn into nil.
    try {
      return encodeWithExactNumbers(message, msgpackFormat, encodeMsgpack);
    } catch (error) {
      if (error instanceof SerializationError) throw error;
      // A cycle overflowed the stack: name it.
      assertEncodable(message, 'MessagePack');
      throw new SerializationError(`cannot serialize to MessagePack: ${(error as Error).message}`, error);
    }
  },
  decode(frame): unknown {
    if (typeof frame === 'string') throw new SerializationError('MessagePack expects binary frames, got text');
    return packr.unpack(frame);
  },
};
