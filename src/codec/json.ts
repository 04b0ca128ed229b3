import { base64ToBytes, bytesToBase64 } from './base64.js';
import { SerializationError, type Codec } from './codec.js';

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
  if (original instanceof Uint8Array) return BINARY_PREFIX + bytesToBase64(original);
  if (original instanceof ArrayBuffer) return BINARY_PREFIX + bytesToBase64(new Uint8Array(original));
  switch (typeof value) {
    case 'function':
    case 'symbol':
    case 'bigint':
      throw new SerializationError(`cannot serialize a ${typeof value} to JSON${key ? ` (at "${key}")` : ''}`);
    case 'undefined':
      if (Array.isArray(this)) throw new SerializationError('cannot serialize undefined inside an array to JSON');
      return value;
    default:
      return value;
  }
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
 * replacer: plain arrays and objects, strings, finite or not numbers, booleans, null, and
 * undefined as an object member. Anything else (binary, class instances, toJSON, functions,
 * bigint, undefined in an array) goes through the replacer. A replacer function makes V8
 * leave its fast serializer, which costs about 3× on a typical CALL.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object': {
      if (depth > 32) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !isPlainJson(item, depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
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

export const jsonCodec: Codec = {
  name: 'json',
  subprotocol: 'wamp.2.json',
  binary: false,
  encode(message) {
    try {
      return isPlainJson(message, 0) ? JSON.stringify(message) : JSON.stringify(message, replacer);
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
