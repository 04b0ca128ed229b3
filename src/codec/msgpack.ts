import { Packr } from 'msgpackr';
import { SerializationError, type Codec } from './codec.js';
import { assertEncodable } from './encodable.js';

// MessagePack v5 (str and bin apart), plain maps as objects, no record extension,
// 64-bit integers decoded as numbers.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number', encodeUndefinedAsNil: true });

export const msgpackCodec: Codec = {
  name: 'msgpack',
  subprotocol: 'wamp.2.msgpack',
  binary: true,
  encode(message) {
    // msgpackr turns functions into nil without complaint, so check first.
    assertEncodable(message, 'MessagePack');
    try {
      return packr.pack(message);
    } catch (error) {
      throw new SerializationError(`cannot serialize to MessagePack: ${(error as Error).message}`, error);
    }
  },
  decode(frame) {
    if (typeof frame === 'string') throw new SerializationError('MessagePack expects binary frames, got text');
    return packr.unpack(frame);
  },
};
