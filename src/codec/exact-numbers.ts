import { SerializationError } from './codec.js';
import { assertEncodable } from './encodable.js';

/**
 * cbor-x and msgpackr write a JS number as an integer only on their 32-bit fast path; every
 * other integer (2^32, a random WAMP id up to 2^53, −2^40) goes out as a 64-bit float, and
 * strict peers (Autobahn|Python, Crossbar) refuse a float where an id is expected. Both also
 * write −0 as the integer 0. This walk finds those numbers and hands the library a stand-in it
 * writes the right way (spec §1.5, §8.1).
 */

/** 2^64: the first integer neither format can hold. */
const TWO_POW_64 = 2 ** 64;

/** What one binary serializer needs rewritten, and how. */
export interface NumberRewrite {
  /** The serializer's name, for error messages. */
  readonly serializer: string;
  /** The smallest integer the library already writes as an integer (its fast path ends at 2^32 − 1 above). */
  readonly lowestNativeInteger: number;
  /** The smallest integer the format can carry at all; below it a number stays a float. */
  readonly lowestInteger: number;
  /** The stand-in for a wide integer, or for −0 (which must stay a float). */
  replace(value: number): unknown;
}

/** True for −0 and for integers that fit the format but not the library's fast path. */
export function needsRewrite(value: number, rewrite: NumberRewrite): boolean {
  // The common case: small integers and fractions the library writes right by itself.
  if (value <= 0xffffffff && value >= rewrite.lowestNativeInteger) return value === 0 && 1 / value < 0;
  // NaN and ±Infinity fail isInteger; integers beyond 64 bits stay floats, the only way to carry them.
  return Number.isInteger(value) && value < TWO_POW_64 && value >= rewrite.lowestInteger;
}

/**
 * The message with every number that needs it replaced, except the top-level items before
 * `from` (the caller patches those in the frame, see leading-integers.ts). Arrays and plain
 * objects are walked (WAMP payloads are JSON-shaped) and copied only along the path to a
 * replaced number, so the caller's values never change and a message without one comes back
 * as is.
 *
 * Since it visits every value anyway, the walk also refuses what the libraries would drop or
 * turn into nil silently (functions, symbols, also inside class instances), which spares a
 * second walk with a Set. A cycle overflows the stack here (RangeError), as it would in the
 * library; the codec then names it with assertEncodable.
 */
export function withExactNumbers(message: readonly unknown[], rewrite: NumberRewrite, from = 0): readonly unknown[] {
  return rewriteArray(message, rewrite, from);
}

function rewriteContainer(value: object, rewrite: NumberRewrite): object {
  if (Array.isArray(value)) return rewriteArray(value as unknown[], rewrite, 0);
  if (!isPlainObject(value)) {
    // Binary, Dates, Maps and class instances go to the library as they are, checked only.
    assertEncodable(value, rewrite.serializer);
    return value;
  }
  const dict = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in dict) {
    const member = dict[key];
    if (typeof member === 'number') {
      if (needsRewrite(member, rewrite)) (copy ??= { ...dict })[key] = rewrite.replace(member);
    } else if (typeof member === 'object' && member !== null) {
      const rewritten = rewriteContainer(member, rewrite);
      if (rewritten !== member) (copy ??= { ...dict })[key] = rewritten;
    } else if (typeof member === 'function' || typeof member === 'symbol') {
      throw refusal(member, rewrite);
    }
  }
  return copy ?? dict;
}

/** The constructor test first: it is what both libraries check, and cheaper than getPrototypeOf. */
function isPlainObject(value: object): boolean {
  if (value.constructor === Object) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function rewriteArray(array: readonly unknown[], rewrite: NumberRewrite, from: number): readonly unknown[] {
  let copy: unknown[] | undefined;
  for (let i = from; i < array.length; i++) {
    const item: unknown = array[i];
    // Numbers are tested here, not by comparing old and new, for which NaN would differ.
    if (typeof item === 'number') {
      if (needsRewrite(item, rewrite)) (copy ??= array.slice())[i] = rewrite.replace(item);
    } else if (typeof item === 'object' && item !== null) {
      const rewritten = rewriteContainer(item, rewrite);
      if (rewritten !== item) (copy ??= array.slice())[i] = rewritten;
    } else if (typeof item === 'function' || typeof item === 'symbol') {
      throw refusal(item, rewrite);
    }
  }
  return copy ?? array;
}

function refusal(value: unknown, rewrite: NumberRewrite): SerializationError {
  return new SerializationError(`cannot serialize a ${typeof value} to ${rewrite.serializer}`);
}
