import type { SerializerName } from '../codec/codec.js';

/**
 * WAMP-RawSocket framing (spec §8.4): the 4-octet opening handshake, the router's answer and
 * its error codes, and the 4-octet header in front of every message, PING and PONG. Pure: no
 * Node APIs, only Uint8Array and DataView, so the router's listener and the client transport
 * share it (it is still reached only from Node code: the browser bundle does not include it).
 *
 * All integers are big-endian. A handshake is `7F`, `LLLL SSSS`, `00`, `00`: L is the sender's
 * receive limit as an exponent (2^(9+L) octets, 512 B to 16 MiB), S the serializer. The
 * router's answer has the same shape (its own limit, the client's serializer repeated), or
 * `7F`, `EEEE 0000`, `00`, `00` for a refusal with error code E.
 */

/** The first octet of every handshake and answer: no HTTP request starts with it. */
export const RAWSOCKET_MAGIC = 0x7f;
/** Octets in a handshake, in an answer, and in a frame header. */
export const HANDSHAKE_LENGTH = 4;
export const FRAME_HEADER_LENGTH = 4;

/** The serializer ids of the handshake's low nibble that rxwamp speaks (4 UBJSON and 5 FlatBuffers it does not). */
export const RawSocketSerializerId: Readonly<Record<SerializerName, number>> = Object.freeze({ json: 1, msgpack: 2, cbor: 3 });

/** The serializer a handshake's id names, or undefined for 0 (illegal), 4, 5 and the reserved 6–15. */
export function serializerNameOf(id: number): SerializerName | undefined {
  for (const name of Object.keys(RawSocketSerializerId) as SerializerName[]) {
    if (RawSocketSerializerId[name] === id) return name;
  }
  return undefined;
}

/** The error codes of a refusing answer (its high nibble; 0 and 5–15 are not used). */
export const RawSocketHandshakeError = Object.freeze({
  serializerUnsupported: 1,
  maxLengthUnacceptable: 2,
  reservedBitsUsed: 3,
  maxConnectionCountReached: 4,
} as const);

/** The spec's wording for a refusal code. */
export function describeHandshakeError(code: number): string {
  switch (code) {
    case RawSocketHandshakeError.serializerUnsupported:
      return 'serializer unsupported';
    case RawSocketHandshakeError.maxLengthUnacceptable:
      return 'maximum message length unacceptable';
    case RawSocketHandshakeError.reservedBitsUsed:
      return 'use of reserved bits (unsupported feature)';
    case RawSocketHandshakeError.maxConnectionCountReached:
      return 'maximum connection count reached';
    default:
      return `error code ${code} (not defined by the spec)`;
  }
}

/** Length exponents run from 0 (512 octets) to 15 (16 MiB). */
export const MAX_LENGTH_EXPONENT = 15;
/** The largest payload a frame can carry: 2^24 octets, which needs the X bit (see encodeFrameHeader). */
export const MAX_FRAME_PAYLOAD = 2 ** 24;
/**
 * The largest payload to send: 2^24 − 1. Peers written before the X bit (Nov 2023: Autobahn
 * included) read a frame of exactly 2^24 octets as one of length 0, so rxwamp never sends one;
 * it accepts one.
 */
export const MAX_SAFE_FRAME_PAYLOAD = 2 ** 24 - 1;

/** The receive limit a length exponent announces: 2^(9+exponent) octets. */
export function maxLengthOf(exponent: number): number {
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > MAX_LENGTH_EXPONENT) {
    throw new RangeError(`a RawSocket length exponent is an integer from 0 to ${MAX_LENGTH_EXPONENT}, got ${exponent}`);
  }
  return 2 ** (9 + exponent);
}

/**
 * The exponent to announce for a receive limit of `maxBytes`: the largest whose length is at
 * most `maxBytes` (so the peer never sends more than we take), at least 0 (512 octets: nothing
 * smaller can be announced) and at most 15 (16 MiB).
 */
export function lengthExponentFor(maxBytes: number): number {
  let exponent = 0;
  while (exponent < MAX_LENGTH_EXPONENT && 2 ** (10 + exponent) <= maxBytes) exponent++;
  return exponent;
}

/** What a handshake, or an accepting answer, says. */
export interface HandshakeFields {
  /** 0–15: the sender takes messages of up to 2^(9+lengthExponent) octets. */
  readonly lengthExponent: number;
  /** 1 JSON, 2 MessagePack, 3 CBOR (RawSocketSerializerId). */
  readonly serializerId: number;
}

/** A client's handshake, or the router's accepting answer: `7F`, `LLLL SSSS`, `00`, `00`. */
export function encodeHandshake({ lengthExponent, serializerId }: HandshakeFields): Uint8Array {
  maxLengthOf(lengthExponent);
  if (!Number.isInteger(serializerId) || serializerId < 1 || serializerId > 15) {
    throw new RangeError(`a RawSocket serializer id is an integer from 1 to 15, got ${serializerId}`);
  }
  return Uint8Array.of(RAWSOCKET_MAGIC, (lengthExponent << 4) | serializerId, 0, 0);
}

/** The router's refusal with `code` (RawSocketHandshakeError): `7F`, `EEEE 0000`, `00`, `00`. */
export function encodeHandshakeError(code: number): Uint8Array {
  if (!Number.isInteger(code) || code < 1 || code > 15) throw new RangeError(`a RawSocket handshake error code is an integer from 1 to 15, got ${code}`);
  return Uint8Array.of(RAWSOCKET_MAGIC, code << 4, 0, 0);
}

/**
 * A client's handshake as the router reads it:
 * - request: well formed (the serializer id may still be one the router does not speak, or 0)
 * - not-rawsocket: the first octet is not 0x7F; the connection is failed without an answer
 * - reserved-bits: octets 2 and 3 are not zero; the answer is error 3
 */
export type HandshakeRequest =
  ({ readonly kind: 'request'; readonly maxLength: number } & HandshakeFields) | { readonly kind: 'not-rawsocket' } | { readonly kind: 'reserved-bits' };

/** Reads a client's 4-octet handshake (the first HANDSHAKE_LENGTH octets of `bytes`). */
export function decodeHandshakeRequest(bytes: Uint8Array): HandshakeRequest {
  checkHandshakeLength(bytes);
  if (bytes[0] !== RAWSOCKET_MAGIC) return { kind: 'not-rawsocket' };
  if (bytes[2] !== 0 || bytes[3] !== 0) return { kind: 'reserved-bits' };
  const lengthExponent = bytes[1]! >> 4;
  return { kind: 'request', lengthExponent, maxLength: maxLengthOf(lengthExponent), serializerId: bytes[1]! & 0x0f };
}

/**
 * The router's answer as the client reads it:
 * - accepted: the router's receive limit and the serializer it repeated (the client must check
 *   that it is its own)
 * - refused: an error code (RawSocketHandshakeError) and the spec's wording for it
 * - invalid: not a RawSocket answer at all (wrong first octet, reserved octets set)
 */
export type HandshakeReply =
  | ({ readonly kind: 'accepted'; readonly maxLength: number } & HandshakeFields)
  | { readonly kind: 'refused'; readonly code: number; readonly reason: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Reads the router's 4-octet answer (the first HANDSHAKE_LENGTH octets of `bytes`). */
export function decodeHandshakeReply(bytes: Uint8Array): HandshakeReply {
  checkHandshakeLength(bytes);
  const hex = hexOctets(bytes.subarray(0, HANDSHAKE_LENGTH));
  if (bytes[0] !== RAWSOCKET_MAGIC) return { kind: 'invalid', reason: `the answer ${hex} does not start with 0x7F: not a WAMP-RawSocket router` };
  if (bytes[2] !== 0 || bytes[3] !== 0) return { kind: 'invalid', reason: `the answer ${hex} has its reserved octets set` };
  const high = bytes[1]! >> 4;
  const serializerId = bytes[1]! & 0x0f;
  // A low nibble of 0 marks an error: no serializer has id 0.
  if (serializerId === 0) return { kind: 'refused', code: high, reason: describeHandshakeError(high) };
  return { kind: 'accepted', lengthExponent: high, maxLength: maxLengthOf(high), serializerId };
}

/** What follows a frame header (its low three bits; 3–7 are reserved). */
export const FrameType = Object.freeze({ message: 0, ping: 1, pong: 2 } as const);
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Bits of a header's first octet: RRRR XTTT. */
const RESERVED_BITS = 0xf0;
const X_BIT = 0x08;
const TYPE_BITS = 0x07;

/**
 * Writes the header of a frame of `type` carrying `length` octets into `target` at `offset`
 * (a new 4-octet array by default): `0000 XTTT` and the length's low 24 bits. A payload of
 * exactly 2^24 octets sets the X bit with the 24 bits zero (`08 00 00 00` for a message).
 */
export function encodeFrameHeader(type: FrameType, length: number, target = new Uint8Array(FRAME_HEADER_LENGTH), offset = 0): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_FRAME_PAYLOAD) {
    throw new RangeError(`a RawSocket frame carries 0 to ${MAX_FRAME_PAYLOAD} octets, not ${length}`);
  }
  target[offset] = type | (length === MAX_FRAME_PAYLOAD ? X_BIT : 0);
  target[offset + 1] = (length >>> 16) & 0xff;
  target[offset + 2] = (length >>> 8) & 0xff;
  target[offset + 3] = length & 0xff;
  return target;
}

/** One frame in one new array: header, then a copy of `payload`. */
export function encodeFrame(type: FrameType, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_LENGTH + payload.byteLength);
  encodeFrameHeader(type, payload.byteLength, frame);
  frame.set(payload, FRAME_HEADER_LENGTH);
  return frame;
}

/**
 * Why a byte stream is not valid RawSocket framing; each one ends the connection.
 * - oversize: a frame longer than the receiver announced (or than 2^24 octets)
 * - reserved-bits: any of the header's four high bits set
 * - reserved-type: a frame type of 3 to 7
 */
export type FramingProblem = 'oversize' | 'reserved-bits' | 'reserved-type';

/** Thrown by FrameDecoder.next for a header that breaks the framing rules. */
export class RawSocketFramingError extends Error {
  constructor(
    readonly problem: FramingProblem,
    message: string,
    readonly header: Uint8Array,
  ) {
    super(message);
    this.name = 'RawSocketFramingError';
  }
}

export interface FrameHeader {
  readonly type: FrameType;
  /** Payload octets, X bit included (2^24 + the low 24 bits when it is set). */
  readonly length: number;
}

/**
 * Reads the 4-octet header at `offset`. Throws a RawSocketFramingError for reserved bits, a
 * reserved type, or a length over `maxLength`. An X bit with non-zero low bits gives a length
 * over 2^24, which no receiver takes.
 */
export function decodeFrameHeader(bytes: Uint8Array, offset = 0, maxLength = MAX_FRAME_PAYLOAD): FrameHeader {
  const first = bytes[offset]!;
  const header = bytes.subarray(offset, offset + FRAME_HEADER_LENGTH);
  if ((first & RESERVED_BITS) !== 0) {
    throw new RawSocketFramingError('reserved-bits', `frame header ${hexOctets(header)} uses reserved bits`, header);
  }
  const type = first & TYPE_BITS;
  if (type > FrameType.pong) {
    throw new RawSocketFramingError('reserved-type', `frame header ${hexOctets(header)} has the reserved frame type ${type}`, header);
  }
  const length = (first & X_BIT ? MAX_FRAME_PAYLOAD : 0) + ((bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!);
  if (length > maxLength) {
    throw new RawSocketFramingError('oversize', `a frame of ${length} octets is over the limit of ${maxLength} announced in the handshake`, header);
  }
  return { type: type as FrameType, length };
}

/** One whole frame: its type and its payload (a view into the received data where it can be). */
export interface RawSocketFrame {
  readonly type: FrameType;
  readonly payload: Uint8Array;
}

/**
 * Turns a TCP byte stream, in chunks of any size, into whole frames. `push` the chunks as they
 * arrive and take frames with `next` until it returns undefined; a caller that stops taking
 * (flow control) leaves the rest buffered. A header that breaks the rules is refused as soon as
 * its 4 octets are in, before any of its payload is waited for: an oversize length never makes
 * the decoder buffer more than what has arrived.
 *
 * A payload inside one chunk is a view of that chunk, not a copy; one spread over several is
 * copied once.
 */
export class FrameDecoder {
  private readonly chunks: Uint8Array[] = [];
  /** Octets of chunks[0] already consumed. */
  private offset = 0;
  private buffered = 0;
  private pending: FrameHeader | undefined;
  /** Set once a framing error was thrown: the stream cannot be resynchronized. */
  private broken: RawSocketFramingError | undefined;

  /** `maxPayloadLength`: the receive limit announced in the handshake (at most 2^24). */
  constructor(readonly maxPayloadLength: number) {
    if (!(maxPayloadLength >= 0 && maxPayloadLength <= MAX_FRAME_PAYLOAD)) {
      throw new RangeError(`a RawSocket receive limit is 0 to ${MAX_FRAME_PAYLOAD} octets, not ${maxPayloadLength}`);
    }
  }

  /** Octets received and not yet returned as frames. */
  get bufferedLength(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
  }

  /** The next whole frame, or undefined until more octets arrive. Throws RawSocketFramingError (again on every later call). */
  next(): RawSocketFrame | undefined {
    if (this.broken) throw this.broken;
    if (!this.pending) {
      // The common case, measured (bench/rawsocket.ts: about a quarter of the client's CPU per
      // result): a whole frame inside the first chunk with a plain header (no reserved bits, no X
      // bit, a known type, within the limit) is read in place, with one view for the payload and
      // no header object. Anything else takes the general path below, which says what is wrong.
      const first = this.chunks[0];
      if (first !== undefined) {
        const at = this.offset;
        const room = first.byteLength - at - FRAME_HEADER_LENGTH;
        const type = first[at]!;
        if (room >= 0 && type <= FrameType.pong) {
          const length = (first[at + 1]! << 16) | (first[at + 2]! << 8) | first[at + 3]!;
          if (length <= room && length <= this.maxPayloadLength) {
            const payload = new Uint8Array(first.buffer, first.byteOffset + at + FRAME_HEADER_LENGTH, length);
            this.offset = at + FRAME_HEADER_LENGTH + length;
            this.buffered -= FRAME_HEADER_LENGTH + length;
            if (this.offset === first.byteLength) this.shiftChunk();
            return { type: type as FrameType, payload };
          }
        }
      }
      if (this.buffered < FRAME_HEADER_LENGTH) return undefined;
      const header = this.take(FRAME_HEADER_LENGTH);
      try {
        this.pending = decodeFrameHeader(header, 0, this.maxPayloadLength);
      } catch (error) {
        this.broken = error as RawSocketFramingError;
        this.chunks.length = 0;
        this.buffered = 0;
        throw error;
      }
    }
    if (this.buffered < this.pending.length) return undefined;
    const { type, length } = this.pending;
    this.pending = undefined;
    return { type, payload: this.take(length) };
  }

  /** Removes `length` buffered octets (at most what is buffered): a view when they lie in one chunk. */
  private take(length: number): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    // At least one chunk: length ≤ buffered.
    const first = this.chunks[0]!;
    this.buffered -= length;
    if (first.byteLength - this.offset >= length) {
      const view = first.subarray(this.offset, this.offset + length);
      this.offset += length;
      if (this.offset === first.byteLength) this.shiftChunk();
      return view;
    }
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[0]!;
      const count = Math.min(chunk.byteLength - this.offset, length - filled);
      out.set(chunk.subarray(this.offset, this.offset + count), filled);
      filled += count;
      this.offset += count;
      if (this.offset === chunk.byteLength) this.shiftChunk();
    }
    return out;
  }

  private shiftChunk(): void {
    this.chunks.shift();
    this.offset = 0;
  }
}

/** Octets as `7F F1 00 00`, for messages. */
export function hexOctets(bytes: Uint8Array): string {
  return Array.from(bytes, (octet) => octet.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

function checkHandshakeLength(bytes: Uint8Array): void {
  if (bytes.byteLength < HANDSHAKE_LENGTH) throw new RangeError(`a RawSocket handshake is ${HANDSHAKE_LENGTH} octets, got ${bytes.byteLength}`);
}
