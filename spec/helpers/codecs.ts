/**
 * All three codecs, for tests and benches. src/codec/index.ts is JSON only (cbor-x and msgpackr
 * are optional peer dependencies, loaded only through rxwamp/cbor and rxwamp/msgpack); the suite
 * has both installed and speaks every serializer, so it gathers them here.
 */
import { cborCodec } from '../../src/codec/cbor.js';
import { jsonCodec, type Codec, type Serializer, type SerializerName } from '../../src/codec/index.js';
import { msgpackCodec } from '../../src/codec/msgpack.js';

export * from '../../src/codec/index.js';
export { cborCodec, msgpackCodec };

export const CODECS: Readonly<Record<SerializerName, Codec>> = { json: jsonCodec, cbor: cborCodec, msgpack: msgpackCodec };

/**
 * RouterOptions.serializers for a router that speaks JSON, CBOR and MessagePack: what every
 * router the suite starts is given, so any client of a test matrix can join.
 */
export const ALL_SERIALIZERS: readonly Serializer[] = [jsonCodec, cborCodec, msgpackCodec];

export function codecByName(name: SerializerName): Codec {
  const codec = CODECS[name];
  if (!codec) throw new TypeError(`unknown serializer "${name}" (expected json, cbor or msgpack)`);
  return codec;
}

export function codecBySubprotocol(subprotocol: string): Codec | undefined {
  return Object.values(CODECS).find((codec) => codec.subprotocol === subprotocol);
}
