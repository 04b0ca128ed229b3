import { expect } from 'chai';
import fc from 'fast-check';
import {
  decodeFrameHeader,
  decodeHandshakeReply,
  decodeHandshakeRequest,
  describeHandshakeError,
  encodeFrame,
  encodeFrameHeader,
  encodeHandshake,
  encodeHandshakeError,
  FrameDecoder,
  FrameType,
  hexOctets,
  lengthExponentFor,
  maxLengthOf,
  MAX_FRAME_PAYLOAD,
  RawSocketFramingError,
  RawSocketHandshakeError,
  RawSocketSerializerId,
  serializerNameOf,
  type RawSocketFrame,
} from '../../src/transport/rawsocket-framing.js';

const bytes = (...octets: number[]) => Uint8Array.of(...octets);
const hex = (value: Uint8Array) => hexOctets(value);

/** Every frame `decoder` yields now, as [type, payload bytes]. */
function drain(decoder: FrameDecoder): Array<[number, number[]]> {
  const frames: Array<[number, number[]]> = [];
  for (let frame = decoder.next(); frame; frame = decoder.next()) frames.push([frame.type, Array.from(frame.payload)]);
  return frames;
}

/** The framing error `action` throws. */
function framingError(action: () => unknown): RawSocketFramingError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(RawSocketFramingError);
    return error as RawSocketFramingError;
  }
  expect.fail('no RawSocketFramingError was thrown');
}

describe('unit: WAMP-RawSocket framing (spec §8.4)', () => {
  describe('handshake', () => {
    it("encodes the spec's examples: JSON and MessagePack with 16 MiB, CBOR with 512 B", () => {
      expect(hex(encodeHandshake({ lengthExponent: 15, serializerId: RawSocketSerializerId.json }))).to.equal('7F F1 00 00');
      expect(hex(encodeHandshake({ lengthExponent: 15, serializerId: RawSocketSerializerId.msgpack }))).to.equal('7F F2 00 00');
      expect(hex(encodeHandshake({ lengthExponent: 0, serializerId: RawSocketSerializerId.cbor }))).to.equal('7F 03 00 00');
    });

    it('maps serializer ids both ways: 1 JSON, 2 MessagePack, 3 CBOR; 0, 4, 5 and 6–15 are none of ours', () => {
      expect(RawSocketSerializerId).to.deep.equal({ json: 1, msgpack: 2, cbor: 3 });
      expect([1, 2, 3].map(serializerNameOf)).to.deep.equal(['json', 'msgpack', 'cbor']);
      for (const id of [0, 4, 5, 6, 15]) expect(serializerNameOf(id)).to.equal(undefined);
    });

    it('turns length exponents into limits (2^(9+L): 512 B … 16 MiB) and limits into the largest exponent that fits', () => {
      expect(maxLengthOf(0)).to.equal(512);
      expect(maxLengthOf(15)).to.equal(16 * 1024 * 1024);
      expect(() => maxLengthOf(16)).to.throw(RangeError);
      expect(() => maxLengthOf(-1)).to.throw(RangeError);
      expect(lengthExponentFor(512)).to.equal(0);
      expect(lengthExponentFor(100)).to.equal(0); // nothing under 512 B can be announced
      expect(lengthExponentFor(1023)).to.equal(0);
      expect(lengthExponentFor(1024)).to.equal(1);
      expect(lengthExponentFor(16 * 1024 * 1024)).to.equal(15);
      expect(lengthExponentFor(32 * 1024 * 1024)).to.equal(15);
      for (let exponent = 0; exponent <= 15; exponent++) expect(lengthExponentFor(maxLengthOf(exponent))).to.equal(exponent);
    });

    it("reads a client's handshake: well formed, not RawSocket at all, or with reserved octets set", () => {
      expect(decodeHandshakeRequest(bytes(0x7f, 0xf1, 0, 0))).to.deep.equal({ kind: 'request', lengthExponent: 15, maxLength: 2 ** 24, serializerId: 1 });
      expect(decodeHandshakeRequest(bytes(0x7f, 0x03, 0, 0))).to.deep.equal({ kind: 'request', lengthExponent: 0, maxLength: 512, serializerId: 3 });
      // Serializer 0 and unknown ids are well formed here: the router refuses them with error 1.
      expect(decodeHandshakeRequest(bytes(0x7f, 0x50, 0, 0))).to.include({ kind: 'request', serializerId: 0 });
      expect(decodeHandshakeRequest(bytes(0x47, 0x45, 0x54, 0x20))).to.deep.equal({ kind: 'not-rawsocket' }); // "GET "
      expect(decodeHandshakeRequest(bytes(0x7f, 0xf1, 0, 1))).to.deep.equal({ kind: 'reserved-bits' });
      expect(decodeHandshakeRequest(bytes(0x7f, 0xf1, 0x80, 0))).to.deep.equal({ kind: 'reserved-bits' });
      expect(() => decodeHandshakeRequest(bytes(0x7f, 0xf1, 0))).to.throw(RangeError);
    });

    it("encodes and reads every refusal: 7F E0 00 00 with the spec's codes", () => {
      const codes = [
        [RawSocketHandshakeError.serializerUnsupported, '7F 10 00 00', 'serializer unsupported'],
        [RawSocketHandshakeError.maxLengthUnacceptable, '7F 20 00 00', 'maximum message length unacceptable'],
        [RawSocketHandshakeError.reservedBitsUsed, '7F 30 00 00', 'use of reserved bits (unsupported feature)'],
        [RawSocketHandshakeError.maxConnectionCountReached, '7F 40 00 00', 'maximum connection count reached'],
      ] as const;
      for (const [code, wire, reason] of codes) {
        const answer = encodeHandshakeError(code);
        expect(hex(answer)).to.equal(wire);
        expect(decodeHandshakeReply(answer)).to.deep.equal({ kind: 'refused', code, reason });
        expect(describeHandshakeError(code)).to.equal(reason);
      }
      expect(decodeHandshakeReply(bytes(0x7f, 0x90, 0, 0))).to.deep.equal({ kind: 'refused', code: 9, reason: 'error code 9 (not defined by the spec)' });
      expect(() => encodeHandshakeError(0)).to.throw(RangeError);
    });

    it('reads an accepting answer, and calls anything else invalid', () => {
      expect(decodeHandshakeReply(bytes(0x7f, 0xf2, 0, 0))).to.deep.equal({ kind: 'accepted', lengthExponent: 15, maxLength: 2 ** 24, serializerId: 2 });
      expect(decodeHandshakeReply(bytes(0x48, 0x54, 0x54, 0x50)).kind).to.equal('invalid'); // "HTTP"
      expect(decodeHandshakeReply(bytes(0x7f, 0xf1, 1, 0))).to.deep.include({ kind: 'invalid' });
    });

    it('refuses to encode a length exponent or serializer id out of range', () => {
      expect(() => encodeHandshake({ lengthExponent: 16, serializerId: 1 })).to.throw(RangeError);
      expect(() => encodeHandshake({ lengthExponent: 15, serializerId: 0 })).to.throw(RangeError);
      expect(() => encodeHandshake({ lengthExponent: 15, serializerId: 16 })).to.throw(RangeError);
    });
  });

  describe('frame header', () => {
    it('encodes type and 24-bit length; the X bit only for exactly 2^24 octets', () => {
      expect(hex(encodeFrameHeader(FrameType.message, 0))).to.equal('00 00 00 00');
      expect(hex(encodeFrameHeader(FrameType.ping, 4))).to.equal('01 00 00 04');
      expect(hex(encodeFrameHeader(FrameType.pong, 4))).to.equal('02 00 00 04');
      expect(hex(encodeFrameHeader(FrameType.message, 0x123456))).to.equal('00 12 34 56');
      expect(hex(encodeFrameHeader(FrameType.message, 2 ** 24 - 1))).to.equal('00 FF FF FF');
      expect(hex(encodeFrameHeader(FrameType.message, 2 ** 24))).to.equal('08 00 00 00');
      expect(() => encodeFrameHeader(FrameType.message, 2 ** 24 + 1)).to.throw(RangeError);
      expect(() => encodeFrameHeader(FrameType.message, -1)).to.throw(RangeError);
    });

    it('reads back what it encodes, X bit included', () => {
      for (const length of [0, 1, 255, 256, 65_535, 65_536, 2 ** 24 - 1, 2 ** 24]) {
        for (const type of [FrameType.message, FrameType.ping, FrameType.pong]) {
          expect(decodeFrameHeader(encodeFrameHeader(type, length))).to.deep.equal({ type, length });
        }
      }
    });

    it('refuses reserved bits, reserved types, and a length over the limit', () => {
      expect(framingError(() => decodeFrameHeader(bytes(0x10, 0, 0, 1))).problem).to.equal('reserved-bits');
      expect(framingError(() => decodeFrameHeader(bytes(0x80, 0, 0, 1))).problem).to.equal('reserved-bits');
      // Autobahn|JS writes the type into the whole first octet: harmless for 0–2, which is all there is.
      for (const type of [3, 4, 5, 6, 7]) expect(framingError(() => decodeFrameHeader(bytes(type, 0, 0, 1))).problem).to.equal('reserved-type');
      const oversize = framingError(() => decodeFrameHeader(bytes(0, 0, 0x04, 0x01), 0, 1024));
      expect(oversize.problem).to.equal('oversize');
      expect(oversize.message).to.equal('a frame of 1025 octets is over the limit of 1024 announced in the handshake');
      // X with non-zero low bits would be more than 2^24 octets: over any limit.
      expect(framingError(() => decodeFrameHeader(bytes(0x08, 0, 0, 1))).problem).to.equal('oversize');
      expect(decodeFrameHeader(bytes(0, 0, 0x04, 0), 0, 1024)).to.deep.equal({ type: 0, length: 1024 });
    });
  });

  describe('frame decoder', () => {
    const stream = Uint8Array.from([
      ...encodeFrame(FrameType.message, bytes(1, 2, 3)),
      ...encodeFrame(FrameType.ping, bytes(9, 9, 9, 9)),
      ...encodeFrame(FrameType.message, new Uint8Array(0)),
      ...encodeFrame(FrameType.pong, bytes(7)),
      ...encodeFrame(
        FrameType.message,
        Uint8Array.from({ length: 300 }, (_, i) => i & 0xff),
      ),
    ]);
    const expected: Array<[number, number[]]> = [
      [0, [1, 2, 3]],
      [1, [9, 9, 9, 9]],
      [0, []],
      [2, [7]],
      [0, Array.from({ length: 300 }, (_, i) => i & 0xff)],
    ];

    it('yields whole frames from one chunk', () => {
      const decoder = new FrameDecoder(1024);
      decoder.push(stream);
      expect(drain(decoder)).to.deep.equal(expected);
      expect(decoder.bufferedLength).to.equal(0);
    });

    it('yields the same frames whatever single point the stream is split at', () => {
      for (let split = 0; split <= stream.length; split++) {
        const decoder = new FrameDecoder(1024);
        decoder.push(stream.subarray(0, split));
        const frames = drain(decoder);
        decoder.push(stream.subarray(split));
        frames.push(...drain(decoder));
        expect(frames, `split at ${split}`).to.deep.equal(expected);
      }
    });

    it('yields the same frames when the stream arrives one octet at a time', () => {
      const decoder = new FrameDecoder(1024);
      const frames: Array<[number, number[]]> = [];
      for (const octet of stream) {
        decoder.push(bytes(octet));
        frames.push(...drain(decoder));
      }
      expect(frames).to.deep.equal(expected);
    });

    it('property: any frames, cut into any chunks, come out whole and in order', () => {
      const frameArb = fc.record({ type: fc.constantFrom(FrameType.message, FrameType.ping, FrameType.pong), payload: fc.uint8Array({ maxLength: 600 }) });
      fc.assert(
        fc.property(fc.array(frameArb, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }), (frames, cuts) => {
          const wire = Uint8Array.from(frames.flatMap((frame) => [...encodeFrame(frame.type, frame.payload)]));
          const decoder = new FrameDecoder(600);
          const out: RawSocketFrame[] = [];
          let at = 0;
          for (let i = 0; at < wire.length; i++) {
            const size = cuts[i % cuts.length]!;
            decoder.push(wire.subarray(at, at + size));
            at += size;
            for (let frame = decoder.next(); frame; frame = decoder.next()) out.push({ type: frame.type, payload: Uint8Array.from(frame.payload) });
          }
          expect(out.map((frame) => [frame.type, Array.from(frame.payload)])).to.deep.equal(frames.map((frame) => [frame.type, Array.from(frame.payload)]));
          expect(decoder.bufferedLength).to.equal(0);
        }),
        { numRuns: 300 },
      );
    });

    it('refuses an oversize length as soon as the header is in, without waiting for the payload, and stays refused', () => {
      const decoder = new FrameDecoder(512);
      decoder.push(encodeFrame(FrameType.message, new Uint8Array(512)));
      expect(drain(decoder)).to.have.length(1);
      decoder.push(encodeFrameHeader(FrameType.message, 513));
      expect(framingError(() => decoder.next()).problem).to.equal('oversize');
      expect(framingError(() => decoder.next()).problem).to.equal('oversize');
      expect(decoder.bufferedLength).to.equal(0);
    });

    it('refuses an oversize PING like an oversize message', () => {
      const decoder = new FrameDecoder(512);
      decoder.push(encodeFrameHeader(FrameType.ping, 600));
      expect(framingError(() => decoder.next()).problem).to.equal('oversize');
    });

    it('refuses reserved bits and types in the stream', () => {
      for (const first of [0x10, 0x40, 0x03, 0x07]) {
        const decoder = new FrameDecoder(512);
        decoder.push(bytes(0, 0, 0, 1, 42, first, 0, 0, 0));
        expect(decoder.next()!.payload[0]).to.equal(42);
        expect(framingError(() => decoder.next()).problem).to.equal(first & 0xf0 ? 'reserved-bits' : 'reserved-type');
      }
    });

    it('takes a frame of exactly its limit, and the X bit for a 2^24-octet payload when that is the limit', () => {
      const decoder = new FrameDecoder(MAX_FRAME_PAYLOAD);
      decoder.push(bytes(0x08, 0, 0, 0));
      expect(decoder.next()).to.equal(undefined);
      decoder.push(new Uint8Array(MAX_FRAME_PAYLOAD));
      expect(decoder.next()!.payload.byteLength).to.equal(MAX_FRAME_PAYLOAD);
      expect(() => new FrameDecoder(MAX_FRAME_PAYLOAD + 1)).to.throw(RangeError);
    });

    it('hands out a view of the chunk when a payload lies in one, a copy when it spans chunks', () => {
      const chunk = encodeFrame(FrameType.message, bytes(5, 6, 7));
      const decoder = new FrameDecoder(512);
      decoder.push(chunk);
      expect(decoder.next()!.payload.buffer).to.equal(chunk.buffer);
      decoder.push(chunk.subarray(0, 5));
      decoder.push(chunk.subarray(5));
      const spanning = decoder.next()!;
      expect(spanning.payload.buffer).not.to.equal(chunk.buffer);
      expect(Array.from(spanning.payload)).to.deep.equal([5, 6, 7]);
    });
  });
});
