import type { Codec, Serializer } from '../../codec/codec.js';
import { isCodec } from '../../codec/is-codec.js';
import { jsonCodec } from '../../codec/json.js';
import type { Authenticator, Authorizer } from './auth.js';
import type { SessionLimits } from './session-limits.js';

/** A realm with settings of its own; what it leaves out, the router's options supply. */
export interface RealmOptions {
  /** The realm's URI, e.g. `realm1` (a valid WAMP URI; a TypeError at construction otherwise). */
  readonly uri: string;
  /** This realm's accepted authentication methods (default: the router's `authenticators`). */
  readonly authenticators?: readonly Authenticator[];
  /** Decides this realm's CALL/REGISTER/PUBLISH/SUBSCRIBE (default: the router's `authorize`). */
  readonly authorize?: Authorizer;
  /** What one session may hold in this realm; each limit left out is the router's `sessionLimits` one. */
  readonly sessionLimits?: SessionLimits;
}

/**
 * Options of `new Router(...)`: only `realms` is required. A numeric option out of range is a
 * TypeError at construction.
 */
export interface RouterOptions {
  /**
   * Realms clients may join: a URI, or `{ uri, authenticators?, authorize? }` for a realm with
   * settings of its own. Any other realm gets ABORT wamp.error.no_such_realm.
   */
  readonly realms: readonly (string | RealmOptions)[];
  /**
   * The serializers the router speaks, each as its WebSocket subprotocol (`wamp.2.json`,
   * `wamp.2.cbor`, `wamp.2.msgpack`). `'json'` is built in; CBOR and MessagePack are imported
   * from `rxwamp/cbor` and `rxwamp/msgpack`, which need the optional packages cbor-x and
   * msgpackr, so a JSON-only router installs neither: `serializers: ['json', cbor, msgpack]`.
   * Of the subprotocols a client offers, the router takes the first one it speaks (the order
   * here does not matter); a client that offers none of them is refused (close code 1002).
   * Default `['json']`.
   */
  readonly serializers?: readonly (Serializer | 'json')[];
  /**
   * Accepted authentication methods of every realm that does not list its own; the first
   * method the client offers that is listed is used. Default: anonymous only. A client that
   * offers no method is treated as offering "anonymous". The session's authid and authrole are
   * the ones its authenticator assigns, never HELLO's.
   */
  readonly authenticators?: readonly Authenticator[];
  /**
   * Authorizes CALL, REGISTER, PUBLISH and SUBSCRIBE by the session's identity, in every realm
   * that does not have its own. Default: everything is allowed.
   */
  readonly authorize?: Authorizer;
  /**
   * Largest WAMP message in bytes, as encoded on the wire, in both directions (default 16 MiB).
   * Over it, only the one message fails (wamp.error.payload_size_exceeded): an incoming CALL,
   * PUBLISH (with acknowledge), YIELD or callee ERROR fails its request or call and the session
   * goes on; an outgoing RESULT, INVOCATION or ERROR is not sent and its caller gets the error
   * instead; an outgoing EVENT is not sent to that subscriber. An oversize frame that is not a
   * valid WAMP message, or is of another type, closes its connection (1009). Messages before
   * WELCOME (HELLO, AUTHENTICATE) are limited to 64 KiB as well.
   */
  readonly maxMessageSize?: number;
  /**
   * Largest WebSocket message read at all, in bytes (default 2 × maxMessageSize, at least
   * maxMessageSize). A larger one closes its connection (1009) before it is read; one between
   * the two limits is read and decoded only to find the request to fail.
   */
  readonly maxFrameSize?: number;
  /** How long close() waits for clients to answer its GOODBYE (default 1000 ms). */
  readonly closeGraceMs?: number;
  /**
   * A connection must complete the WebSocket upgrade, then HELLO (and any CHALLENGE), each within
   * this many ms of its start (default 10000). A TCP connection to listen()'s server, or an
   * upgrade request on attach()'s path, that does not become a WebSocket in time is destroyed.
   */
  readonly handshakeTimeoutMs?: number;
  /**
   * A connection whose unsent output (what its WebSocket really holds: ws's bufferedAmount, the
   * socket's write queue included, plus 256 bytes for each message queued while over
   * flowLowWaterMark, which is what a small message costs beyond its bytes) would exceed this
   * many bytes is dropped at once (default 64 MiB): it is closed with code 1008 and a reason saying so, and terminated a second later
   * whether or not it read that. Its session is then released like any lost one. (One message
   * larger than the limit still goes to a connection that holds nothing else.) Nothing else
   * is affected. Calls rarely get here (flowHighWaterMark holds their senders back); a
   * subscriber that cannot keep up with its events does.
   */
  readonly maxBufferedBytes?: number;
  /**
   * Flow control: when a peer's connection holds more than this many unsent bytes, the router
   * stops reading from the peers whose calls fill it (a callee streaming results to it, a caller
   * sending it INVOCATIONs) until it drains below flowLowWaterMark, so TCP backpressure
   * reaches them. The paused peer's other traffic waits too (head-of-line blocking: WAMP has no
   * per-call credit). Events are never throttled. Default 1 MiB.
   */
  readonly flowHighWaterMark?: number;
  /** A congested connection (see flowHighWaterMark) counts as drained below this many unsent bytes (default 256 KiB, at most flowHighWaterMark). */
  readonly flowLowWaterMark?: number;
  /**
   * A congested connection (over flowHighWaterMark, not yet drained below flowLowWaterMark) on
   * which nothing at all was written to the network for this many ms is dropped like one over
   * maxBufferedBytes (close code 1008); a slow reader that makes progress is not,
   * freeing the peers it held back (default 30000; 0: never).
   */
  readonly stalledPeerTimeoutMs?: number;
  /**
   * The router pings every connection (WebSocket ping) this many ms after its last pong
   * (default 10000; 0 disables pinging).
   */
  readonly pingInterval?: number;
  /**
   * A connection that sends neither a pong nor any message within this many ms of a ping has
   * left (default 10000; 0 disables the check): it is dropped like a closed connection, so its
   * callers get wamp.error.canceled, its invocations are interrupted and its registrations and
   * subscriptions go. With the defaults a frozen peer is noticed within 20 s.
   */
  readonly pongTimeout?: number;
  /**
   * What one session may hold in each realm that does not set its own (RealmOptions.sessionLimits):
   * the longest URI (default 1024 characters), registrations and subscriptions (default 1000
   * each), calls in flight as caller and unanswered invocations as callee (default 1000 each).
   * Over a limit only the one request fails, with an ERROR the client can act on (see
   * SessionLimits); the session goes on.
   */
  readonly sessionLimits?: SessionLimits;
  /** Called with router bugs caught while handling a frame (the session is aborted). Default: console.error. */
  readonly onInternalError?: (error: unknown) => void;
}

/** The numeric options, checked and with their defaults. */
export interface RouterLimits {
  readonly maxMessageSize: number;
  readonly maxFrameSize: number;
  readonly closeGraceMs: number;
  readonly handshakeTimeoutMs: number;
  readonly maxBufferedBytes: number;
  readonly flowHighWaterMark: number;
  readonly flowLowWaterMark: number;
  readonly stalledPeerTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
}

/**
 * Reads and checks the serializers option: JSON alone by default. A wrong entry is a TypeError
 * at construction that says what to pass instead.
 */
export function resolveSerializers(options: RouterOptions): readonly Codec[] {
  const serializers: unknown = options.serializers ?? ['json'];
  if (!Array.isArray(serializers) || serializers.length === 0) {
    throw new TypeError("router option serializers must be a non-empty list, e.g. ['json'] or ['json', cbor, msgpack]");
  }
  const codecs: Codec[] = [];
  for (const serializer of serializers as unknown[]) {
    const codec = routerSerializer(serializer);
    if (codecs.some((known) => known.subprotocol === codec.subprotocol)) throw new TypeError(`router option serializers lists ${codec.subprotocol} twice`);
    codecs.push(codec);
  }
  return codecs;
}

/** `'json'` or a serializer object (from `rxwamp/cbor`, `rxwamp/msgpack`, or one of your own). */
function routerSerializer(serializer: unknown): Codec {
  if (serializer === 'json') return jsonCodec;
  if (serializer === 'cbor' || serializer === 'msgpack') {
    throw new TypeError(
      `router option serializers: "${serializer}" is not built in: import { ${serializer} } from 'rxwamp/${serializer}' and pass it, e.g. serializers: ['json', ${serializer}]`,
    );
  }
  if (isCodec(serializer)) return serializer;
  throw new TypeError(
    `router option serializers: unknown serializer ${typeof serializer === 'string' ? `"${serializer}"` : typeof serializer} (expected 'json', or cbor / msgpack imported from rxwamp/cbor, rxwamp/msgpack)`,
  );
}

/** setTimeout's largest delay: Node fires longer ones after 1 ms (with a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Reads and checks the numeric options; a wrong value is a TypeError at construction, not a surprise later. */
export function resolveLimits(options: RouterOptions): RouterLimits {
  const maxMessageSize = readLimit(options, 'maxMessageSize', 16 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER);
  const maxFrameSize = readLimit(options, 'maxFrameSize', Math.min(2 * maxMessageSize, Number.MAX_SAFE_INTEGER), maxMessageSize, Number.MAX_SAFE_INTEGER);
  const flowHighWaterMark = readLimit(options, 'flowHighWaterMark', 1024 * 1024, 1, Number.MAX_SAFE_INTEGER);
  const flowLowWaterMark = readLimit(options, 'flowLowWaterMark', Math.min(256 * 1024, flowHighWaterMark), 0, flowHighWaterMark);
  return {
    maxMessageSize,
    maxFrameSize,
    closeGraceMs: readLimit(options, 'closeGraceMs', 1000, 0, MAX_TIMER_MS),
    handshakeTimeoutMs: readLimit(options, 'handshakeTimeoutMs', 10_000, 1, MAX_TIMER_MS),
    maxBufferedBytes: readLimit(options, 'maxBufferedBytes', 64 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
    flowHighWaterMark,
    flowLowWaterMark,
    stalledPeerTimeoutMs: readLimit(options, 'stalledPeerTimeoutMs', 30_000, 0, MAX_TIMER_MS),
    pingIntervalMs: readLimit(options, 'pingInterval', 10_000, 0, MAX_TIMER_MS),
    pongTimeoutMs: readLimit(options, 'pongTimeout', 10_000, 0, MAX_TIMER_MS),
  };
}

type NumericOption =
  | 'maxMessageSize'
  | 'maxFrameSize'
  | 'closeGraceMs'
  | 'handshakeTimeoutMs'
  | 'maxBufferedBytes'
  | 'flowHighWaterMark'
  | 'flowLowWaterMark'
  | 'stalledPeerTimeoutMs'
  | 'pingInterval'
  | 'pongTimeout';

function readLimit(options: RouterOptions, key: NumericOption, fallback: number, min: number, max: number): number {
  const value: unknown = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`router option ${key} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
