import { builtShape, shapeRefusal, type Shape } from './encoded-shape.js';
import { withExactNumbers, type NumberRewrite } from './exact-numbers.js';
import { leadingIntegerCount, patchLeadingIntegers, type NumberLayout } from './leading-integers.js';

/** Everything the exact encoding needs to know of one binary serializer and its library. */
export interface BinaryNumberFormat extends NumberRewrite, NumberLayout {
  /** What an item whose encoding starts with this byte is: an array, an untagged map, or neither. */
  shapeOf(firstByte: number): Shape | undefined;
  /** The library's encoding of one value, for the items assertShapes cannot judge by their constructor. */
  encodeValue(value: unknown): Uint8Array;
}

/**
 * Encodes with `encode` (the library) so that every integer comes out as an integer of the
 * shortest width: the leading ids are patched in the frame, everything else goes through the
 * walk. If a patch finds the frame laid out otherwise than expected (a library upgrade), the
 * walk takes the whole message instead: slower, never wrong. Refuses first a message whose
 * top-level arrays and dicts would not be written as such (see encoded-shape.ts).
 */
export function encodeWithExactNumbers(
  message: readonly unknown[],
  format: BinaryNumberFormat,
  encode: (message: readonly unknown[]) => Uint8Array,
): Uint8Array {
  assertShapes(message, format);
  const leading = leadingIntegerCount(message, format);
  if (leading > 0) {
    const frame = encode(withExactNumbers(message, format, leading));
    if (patchLeadingIntegers(frame, message, leading, format, format)) return frame;
  }
  return encode(withExactNumbers(message, format));
}

/**
 * cbor-x and msgpackr both branch on `value.constructor` first: `Array` is written as an array,
 * `Object` as a map, whatever else the value holds. That settles every item we build and every
 * item a decoder produced, at the cost of one property read. Any other item (a class, a null
 * prototype, a Map, a toJSON msgpackr honours, an iterable cbor-x writes as an array, an own
 * `constructor`) is encoded alone and judged by its first byte: what the library really
 * writes, with no copy of its rules to go stale. That second encoding is the price of unusual
 * input only.
 */
function assertShapes(message: readonly unknown[], format: BinaryNumberFormat): void {
  for (let i = 0; i < message.length; i++) {
    const item = message[i];
    if (typeof item !== 'object' || item === null) continue;
    const built = builtShape(item);
    if (built === undefined || item.constructor === (built === '[' ? Array : Object)) continue;
    const firstByte = format.encodeValue(item)[0] ?? 0;
    if (format.shapeOf(firstByte) !== built) {
      throw shapeRefusal(i, `${format.serializer} starting 0x${firstByte.toString(16).padStart(2, '0')}, ${describeFirstByte(format.shapeOf(firstByte))}`);
    }
  }
}

function describeFirstByte(shape: Shape | undefined): string {
  return shape === undefined ? 'neither an array nor a map' : shape === '[' ? 'an array' : 'a map';
}
