import { withExactNumbers, type NumberRewrite } from './exact-numbers.js';
import { leadingIntegerCount, patchLeadingIntegers, type NumberLayout } from './leading-integers.js';

/** Everything the exact encoding needs to know of one binary serializer and its library. */
export interface BinaryNumberFormat extends NumberRewrite, NumberLayout {}

/**
 * Encodes with `encode` (the library) so that every integer comes out as an integer of the
 * shortest width: the leading ids are patched in the frame, everything else goes through the
 * walk. If a patch finds the frame laid out otherwise than expected (a library upgrade), the
 * walk takes the whole message instead: slower, never wrong.
 */
export function encodeWithExactNumbers(message: readonly unknown[], format: BinaryNumberFormat, encode: (message: readonly unknown[]) => Uint8Array): Uint8Array {
  const leading = leadingIntegerCount(message, format);
  if (leading > 0) {
    const frame = encode(withExactNumbers(message, format, leading));
    if (patchLeadingIntegers(frame, message, leading, format, format)) return frame;
  }
  return encode(withExactNumbers(message, format));
}
