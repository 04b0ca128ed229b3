import { base64ToBytes, bytesToBase64 } from './base64.js';
import { SerializationError, type Codec } from './codec.js';
import { builtShape, shapeRefusal } from './encoded-shape.js';

/** Marks a JSON string as binary (spec §8.2): U+0000 followed by base64. */
const BINARY_PREFIX = '\u0000';
const textDecoder = new TextDecoder();

/**
 * Turns binary into the `\0`+base64 form and refuses what JSON would silently drop or mangle
 * (functions, symbols, bigint, undefined inside arrays). `this` is the holder, so `this[key]`
 * is the value before any toJSON (Node's Buffer has one).
 */
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  const bytes = original instanceof ArrayBuffer ? new Uint8Array(original) : original;
  if (bytes instanceof Uint8Array) return BINARY_PREFIX + bytesToBase64(bytes);
  const type = typeof value;
  if (type === 'function' || type === 'symbol' || type === 'bigint') {
    throw new SerializationError(`cannot serialize a ${type} to JSON${key ? ` (at "${key}")` : ''}`);
  }
  if (value === undefined && Array.isArray(this)) throw new SerializationError('cannot serialize undefined inside an array to JSON');
  return value;
}

/** Replaces every `\0`-prefixed string, at any depth, with its bytes. Dict keys are never binary. */
function reviveBinary(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.charCodeAt(0) === 0 ? base64ToBytes(value.slice(1)) : value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveBinary(value[i]);
  } else if (typeof value === 'object' && value !== null) {
    const dict = value as Record<string, unknown>;
    for (const key of Object.keys(dict)) dict[key] = reviveBinary(dict[key]);
  }
  return value;
}

/**
 * True when `value` holds only what JSON.stringify carries the same way with or without the
 * replacer: plain arrays and objects (with Object.prototype), strings, finite or not numbers,
 * booleans, null, and undefined as an object member. Anything else (binary, class instances, toJSON, functions,
 * bigint, undefined in an array) goes through the replacer. A replacer function makes V8
 * leave its fast serializer, which costs about 3× on a typical CALL.
 *
 * The toJSON test reads the property as JSON.stringify does, so it also finds the toJSONs
 * for…in does not see (non-enumerable, inherited, a getter's, an array's own): on this path
 * every array is written as an array and every object as an object, as the shape rule needs.
 * (One load per object, about 3 % of a typical encode; an `in` test measured three times that.)
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object': {
      if (depth > 32 || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !isPlainJson(item, depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      // Not null either: JSON.rawJSON's objects (Node 21+, browsers) have a null prototype
      // and are written as the primitive they hold.
      if (proto !== Object.prototype) return false;
      for (const key in value) {
        const member = (value as Record<string, unknown>)[key];
        if (member !== undefined && !isPlainJson(member, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * The replacer path, one top-level element at a time so that what each one is written as can
 * be read off its text: `[` an array, `{` a dict, whatever toJSON, a getter or a Proxy did on
 * the way. The frame is the text JSON.stringify writes for the whole message.
 */
function encodeChecked(message: readonly unknown[]): string {
  return `[${message
    .map((item, index) => {
      // In an array of its own, so that the replacer refuses an undefined here as anywhere.
      const written = JSON.stringify([item], replacer).slice(1, -1);
      const built = builtShape(item);
      if (built && written[0] !== built) throw shapeRefusal(index, written);
      return written;
    })
    .join()}]`;
}

export const jsonCodec: Codec = {
  name: 'json',
  subprotocol: 'wamp.2.json',
  binary: false,
  encode(message) {
    try {
      return isPlainJson(message, 0) ? JSON.stringify(message) : encodeChecked(message);
    } catch (error) {
      if (error instanceof SerializationError) throw error;
      throw new SerializationError(`cannot serialize to JSON: ${(error as Error).message}`, error);
    }
  },
  decode(frame) {
    const text = typeof frame === 'string' ? frame : textDecoder.decode(frame);
    const parsed: unknown = JSON.parse(text);
    // JSON escapes U+0000 as \u0000, so without that text there is no binary to revive:
    // the common case skips the walk entirely.
    return text.includes('\\u0000') ? reviveBinary(parsed) : parsed;
  },
};
