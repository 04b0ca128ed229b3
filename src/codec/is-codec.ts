import type { Codec } from './codec.js';

/**
 * Whether `value` has a serializer's shape: what the client's and the router's `serializers`
 * accept besides `'json'` (rxwamp/cbor's `cbor`, rxwamp/msgpack's `msgpack`, or one's own).
 */
export function isCodec(value: unknown): value is Codec {
  const candidate = value as Partial<Codec> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.encode === 'function' &&
    typeof candidate.decode === 'function' &&
    typeof candidate.subprotocol === 'string' &&
    candidate.subprotocol.startsWith('wamp.2.') &&
    typeof candidate.binary === 'boolean'
  );
}
