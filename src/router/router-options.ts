import type { Authenticator, Authorizer } from './auth.js';

/** A realm with settings of its own; what it leaves out, the router's options supply. */
export interface RealmOptions {
  readonly uri: string;
  /** This realm's accepted authentication methods (default: the router's `authenticators`). */
  readonly authenticators?: readonly Authenticator[];
  /** Decides this realm's CALL/REGISTER/PUBLISH/SUBSCRIBE (default: the router's `authorize`). */
  readonly authorize?: Authorizer;
}

export interface RouterOptions {
  /**
   * Realms clients may join: a URI, or `{ uri, authenticators?, authorize? }` for a realm with
   * settings of its own. Any other realm gets ABORT wamp.error.no_such_realm.
   */
  readonly realms: readonly (string | RealmOptions)[];
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
  /** A connection whose unsent output exceeds this many bytes is dropped (default 64 MiB). */
  readonly maxBufferedBytes?: number;
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
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
}

/** setTimeout's largest delay: Node fires longer ones after 1 ms (with a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Reads and checks the numeric options; a wrong value is a TypeError at construction, not a surprise later. */
export function resolveLimits(options: RouterOptions): RouterLimits {
  const maxMessageSize = readLimit(options, 'maxMessageSize', 16 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER);
  const maxFrameSize = readLimit(options, 'maxFrameSize', Math.min(2 * maxMessageSize, Number.MAX_SAFE_INTEGER), maxMessageSize, Number.MAX_SAFE_INTEGER);
  return {
    maxMessageSize,
    maxFrameSize,
    closeGraceMs: readLimit(options, 'closeGraceMs', 1000, 0, MAX_TIMER_MS),
    handshakeTimeoutMs: readLimit(options, 'handshakeTimeoutMs', 10_000, 1, MAX_TIMER_MS),
    maxBufferedBytes: readLimit(options, 'maxBufferedBytes', 64 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
    pingIntervalMs: readLimit(options, 'pingInterval', 10_000, 0, MAX_TIMER_MS),
    pongTimeoutMs: readLimit(options, 'pongTimeout', 10_000, 0, MAX_TIMER_MS),
  };
}

type NumericOption = 'maxMessageSize' | 'maxFrameSize' | 'closeGraceMs' | 'handshakeTimeoutMs' | 'maxBufferedBytes' | 'pingInterval' | 'pongTimeout';

function readLimit(options: RouterOptions, key: NumericOption, fallback: number, min: number, max: number): number {
  const value: unknown = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`router option ${key} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
