/**
 * The CBOR serializer (cbor-x), as its own entry point so that apps that do not import it do
 * not ship it: `import { cbor } from 'rxwamp/cbor'`, then `serializers: [cbor, 'json']`.
 */
import { cborCodec } from './codec/cbor.js';
import type { Serializer } from './codec/codec.js';

export const cbor: Serializer = cborCodec;
export type { Serializer };
