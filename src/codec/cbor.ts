import { Encoder } from 'cbor-x';
import { SerializationError, type Codec } from './codec.js';
import { assertEncodable } from './encodable.js';

// Plain maps as objects, byte strings untagged, no record extension: what other WAMP peers
// expect. 64-bit integers decode as numbers (every legal id fits a double).
const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, int64AsNumber: true } as ConstructorParameters<typeof Encoder>[0]);

export const cborCodec: Codec = {
  name: 'cbor',
  subprotocol: 'wamp.2.cbor',
  binary: true,
  encode(message) {
    try {
      return cbor.encode(message);
    } catch (error) {
      // cbor-x already refuses functions and symbols; name the cause for cycles too.
      assertEncodable(message, 'CBOR');
      throw new SerializationError(`cannot serialize to CBOR: ${(error as Error).message}`, error);
    }
  },
  decode(frame) {
    if (typeof frame === 'string') throw new SerializationError('CBOR expects binary frames, got text');
    return cbor.decode(frame);
  },
};
