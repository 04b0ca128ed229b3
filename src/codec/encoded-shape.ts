import { SerializationError } from './codec.js';

/**
 * The one rule every codec applies to every message it encodes: each top-level element built
 * as an array is written as an array, and each one built as a dict is written as a dict.
 *
 * A value can pass every "is it an array / a plain object" check and still be written as
 * something else: JSON calls `toJSON` (also a non-enumerable or inherited one), msgpackr calls
 * it on class instances, both binary libraries branch on `value.constructor` (an own
 * `constructor: Array` turns a plain object into an array) and cbor-x writes a Map as a tagged
 * map. Sent as it is, the router sees an invalid message and ends the whole session, failing
 * every unrelated operation on it; refused here, only the one operation fails.
 *
 * Only the top level matters for the session: inside args and kwargs any value is valid WAMP.
 */
/** An array or a dict, named by the bracket JSON opens it with (short: this is in the browser core). */
export type Shape = '[' | '{';

/**
 * The shape the message builder gave an element, as the receiving peer's validation reads it;
 * undefined for what the rule leaves alone: primitives, and binary, which is written as binary
 * (a string in JSON) and which no WAMP message holds at the top level anyway.
 */
export function builtShape(value: unknown): Shape | undefined {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  return Array.isArray(value) ? '[' : '{';
}

export function shapeRefusal(index: number, written: string): SerializationError {
  return new SerializationError(`element ${index} of the message would be serialized as ${written.slice(0, 60)}`);
}
