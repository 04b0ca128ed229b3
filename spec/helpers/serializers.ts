import { cbor } from '../../src/cbor.js';
import type { Serializer, SerializerName } from '../../src/index.js';
import { msgpack } from '../../src/msgpack.js';

/** The client's `serializers` entry for a serializer named in a test matrix. */
export function serializer(name: SerializerName): Serializer | 'json' {
  return name === 'json' ? 'json' : name === 'cbor' ? cbor : msgpack;
}
