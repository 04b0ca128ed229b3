/**
 * The MessagePack serializer (msgpackr), as its own entry point so that apps that do not
 * import it do not ship it: `import { msgpack } from 'rxwamp/msgpack'`, then
 * `serializers: [msgpack, 'json']`.
 */
import { msgpackCodec } from './codec/msgpack.js';
import type { Serializer } from './codec/codec.js';

export const msgpack: Serializer = msgpackCodec;
export type { Serializer };
