import { needsRewrite, type NumberRewrite } from './exact-numbers.js';

/**
 * A WAMP message's ids come right after its type code, before any dict or list:
 * [EVENT, Subscription, Publication, Details, …], [INVOCATION, Request, Registration, …],
 * [WELCOME, Session, Details]. A random global id is almost always above 2^32, so the router
 * has such ids in nearly every message it sends. The library writes each as a float64 (a
 * marker byte and 8 bytes) at an offset known from the numbers before it, and the uint64 form
 * has the same length, so the bytes can be overwritten in place after encoding. That costs no
 * copy of the message and no BigInt, where the walk in exact-numbers.ts costs both (and
 * cbor-x writes a bigint slowly): on a small CBOR EVENT it adds about half as much to the
 * encode time as the walk with bigints does.
 */

/** How one library writes the numbers it handles itself. */
export interface NumberLayout {
  /** The byte before a float64 (CBOR 0xfb, MessagePack 0xcb). */
  readonly float64Marker: number;
  /** The byte before a big-endian uint64 (CBOR 0x1b, MessagePack 0xcf). */
  readonly uint64Marker: number;
  /** Bytes of the header of an array of this length. */
  arrayHeaderSize(length: number): number;
  /** Bytes the library writes for a number that needs no rewrite (an integer on its fast path, or a float64). */
  numberSize(value: number): number;
}

/**
 * How many top-level items, from the first, the patch takes care of: up to the last positive
 * wide integer in the run of leading numbers, or 0 if there is none. The run ends at anything
 * else that needs a rewrite (−0, a negative wide integer) and at the first non-number; the
 * walk takes those.
 */
export function leadingIntegerCount(message: readonly unknown[], rewrite: NumberRewrite): number {
  let count = 0;
  for (let i = 0; i < message.length; i++) {
    const item = message[i];
    if (typeof item !== 'number') break;
    if (needsRewrite(item, rewrite)) {
      if (!(item > 0)) break;
      count = i + 1;
    }
  }
  return count;
}

/** The 8 bytes of a float64, read big-endian whatever the machine's byte order. */
const float64 = new Float64Array(1);
const float64Bytes = new Uint8Array(float64.buffer);
const bigEndianByte = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? [7, 6, 5, 4, 3, 2, 1, 0] : [0, 1, 2, 3, 4, 5, 6, 7];

/** True when the frame holds the float64 of `value` at `offset`. */
function holdsFloat64(frame: Uint8Array, offset: number, value: number, marker: number): boolean {
  if (offset + 9 > frame.length || frame[offset] !== marker) return false;
  float64[0] = value;
  for (let b = 0; b < 8; b++) if (frame[offset + 1 + b] !== float64Bytes[bigEndianByte[b]!]) return false;
  return true;
}

/** Writes the marker and the 8-byte big-endian integer; value is an integer in [2^32, 2^64), so both halves are exact. */
export function writeUint64(frame: Uint8Array, offset: number, value: number, marker: number): void {
  const high = Math.floor(value / 0x100000000);
  const low = value - high * 0x100000000;
  frame[offset] = marker;
  frame[offset + 1] = high >>> 24;
  frame[offset + 2] = high >>> 16;
  frame[offset + 3] = high >>> 8;
  frame[offset + 4] = high;
  frame[offset + 5] = low >>> 24;
  frame[offset + 6] = low >>> 16;
  frame[offset + 7] = low >>> 8;
  frame[offset + 8] = low;
}

/**
 * Overwrites, in the frame, the float64 of each wide integer among the first `count` items
 * with its uint64. Each place is checked first (marker and the value's 8 bytes): false means
 * the library laid the frame out otherwise than `layout` says, and the caller must encode the
 * message another way (the frame may then be half patched).
 */
export function patchLeadingIntegers(frame: Uint8Array, message: readonly unknown[], count: number, rewrite: NumberRewrite, layout: NumberLayout): boolean {
  let offset = layout.arrayHeaderSize(message.length);
  for (let i = 0; i < count; i++) {
    const value = message[i] as number;
    if (!needsRewrite(value, rewrite)) {
      offset += layout.numberSize(value);
      continue;
    }
    if (!holdsFloat64(frame, offset, value, layout.float64Marker)) return false;
    writeUint64(frame, offset, value, layout.uint64Marker);
    offset += 9;
  }
  return true;
}
