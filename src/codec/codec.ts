/** The serializers rxwamp speaks, by the name used in options. */
export type SerializerName = 'json' | 'cbor' | 'msgpack';

// The API reference shows Codec under its public name, Serializer (`@interface` there), and
// spells it out where the compiler resolves Serializer to Codec (`@inline`).
/**
 * One serializer: turns a WAMP message (an array) into one WebSocket message and back.
 * `encode` throws a TypeError for values the serializer cannot carry; `decode` throws for
 * undecodable input. Neither validates WAMP structure (protocol/validate does).
 *
 * @inline
 */
export interface Codec {
  /** Which serializer this is. */
  readonly name: SerializerName;
  /** The WebSocket subprotocol, e.g. `wamp.2.json`. */
  readonly subprotocol: string;
  /** Binary frames (CBOR, MessagePack) or text frames (JSON). */
  readonly binary: boolean;
  /** One WAMP message as one WebSocket message; throws a TypeError for a value it cannot carry. */
  encode(message: readonly unknown[]): string | Uint8Array;
  /** One received WebSocket message as the value it encodes; throws for undecodable input. */
  decode(frame: string | Uint8Array): unknown;
}

/**
 * A serializer as a client or the router takes it in `serializers`: `'json'` is built in; CBOR
 * and MessagePack come from their own entry points (`rxwamp/cbor`, `rxwamp/msgpack`).
 *
 * @interface
 */
export type Serializer = Codec;

/** Thrown by a codec when a value cannot be serialized. */
export class SerializationError extends TypeError {
  /** `cause` is what the serializer threw, when there was something. */
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SerializationError';
  }
}

/** Whatever building or encoding a message threw (a hostile getter, a Proxy trap, a cycle) as a SerializationError. */
export function asSerializationError(error: unknown): SerializationError {
  if (error instanceof SerializationError) return error;
  return new SerializationError(`cannot serialize the message: ${error instanceof Error ? error.message : String(error)}`, error);
}
