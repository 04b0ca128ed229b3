import { cborCodec } from './cbor.js';
import type { Codec, SerializerName } from './codec.js';
import { jsonCodec } from './json.js';
import { msgpackCodec } from './msgpack.js';

export * from './codec.js';
export { jsonCodec, cborCodec, msgpackCodec };

export const CODECS: Readonly<Record<SerializerName, Codec>> = { json: jsonCodec, cbor: cborCodec, msgpack: msgpackCodec };

export function codecByName(name: SerializerName): Codec {
  const codec = CODECS[name];
  if (!codec) throw new TypeError(`unknown serializer "${String(name)}" (expected json, cbor or msgpack)`);
  return codec;
}

export function codecBySubprotocol(subprotocol: string): Codec | undefined {
  return Object.values(CODECS).find((codec) => codec.subprotocol === subprotocol);
}
