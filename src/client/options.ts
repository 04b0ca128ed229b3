import type { Codec, Serializer } from '../codec/codec.js';
import { jsonCodec } from '../codec/json.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { DebugListener } from '../transport/debug.js';
import { logError, type ErrorReporter } from '../session/error-report.js';
import type { WebSocketConstructor, WebSocketTransportOptions } from '../transport/websocket.js';
import type { Transport } from '../transport/transport.js';

/** Randomized exponential backoff between reconnection attempts (defaults like autobahn-js's). */
export interface ReconnectOptions {
  /** Delay before the first attempt, ms. Default 1500. */
  readonly initialDelay?: number;
  /** Each further delay is the previous one times this. Default 1.5. */
  readonly factor?: number;
  /** Upper bound of a delay, ms. Default 300000 (5 min). */
  readonly maxDelay?: number;
  /**
   * Attempts after a lost connection before the client gives up (Infinity: never); with several
   * endpoints in `url`, rounds of attempts (one at each endpoint). Default 15.
   */
  readonly maxAttempts?: number;
  /** Each delay is moved by up to ± this fraction at random, so clients do not all return at once. Default 0.1. */
  readonly jitter?: number;
}

/**
 * Options of `new WampClient(...)`: only `url` and `realm` are required. A wrong option is a
 * TypeError thrown by the constructor, naming it.
 */
export interface WampClientOptions {
  /**
   * Router WebSocket URL, e.g. `ws://127.0.0.1:8080/ws`: `ws://`, `wss://`, or `http://` /
   * `https://` (opened as `ws://` / `wss://`); in Node also a WAMP-RawSocket URL, `rs://host:port`,
   * `rss://host:port` or `rs://unix:/path`, with `transports: [rawSocket]` from `rxwamp/rawsocket`.
   * Anything else is a TypeError at construction.
   *
   * Or a non-empty list of them: the endpoints of several router nodes that serve the realm
   * (a cluster), in order of preference, e.g. `['wss://a.example.com/ws', 'wss://b.example.com/ws']`.
   * A connection starts at the first endpoint; each failed attempt moves on to the next one at
   * once, and only when every endpoint of the round has failed does the reconnect backoff wait
   * before the next round (the first connection, as with one URL, makes one round and gives up).
   * When an open session is lost, the next round starts, after the backoff's first delay, at the
   * endpoint after the one that was lost, which is tried last; registrations and subscriptions
   * are restored on whichever node answers. `reconnect.maxAttempts` counts rounds. `state$`
   * says which endpoint is tried or in use (`url` in the `connecting` and `open` states).
   */
  readonly url: string | readonly string[];
  /** The realm to join. */
  readonly realm: string;
  /**
   * Serializers to offer, in preference order; the router picks one. `'json'` is built in;
   * CBOR and MessagePack are imported from `rxwamp/cbor` and `rxwamp/msgpack`, so an app that
   * does not use them does not ship them: `serializers: [cbor, msgpack, 'json']`.
   * Default `['json']`.
   */
  readonly serializers?: readonly (Serializer | 'json')[];
  /** HELLO.Details.agent. Default `rxwamp/<version>`. */
  readonly agent?: string;
  /** Give up opening the WebSocket and joining the realm (one deadline for both) after this many ms. Default 10000. */
  readonly connectTimeout?: number;
  /** How long `close()` waits for the router's answering GOODBYE. Default 2000 ms. */
  readonly goodbyeTimeout?: number;
  /** Reconnect after a lost connection, restoring registrations and subscriptions; `false` disables. Default on. */
  readonly reconnect?: ReconnectOptions | false;
  /** Node: send a WebSocket ping this often, ms (browsers cannot ping); 0 disables. Default 15000. */
  readonly pingInterval?: number;
  /** Node: a ping without a pong within this many ms means the connection is lost. Default 10000. */
  readonly pongTimeout?: number;
  /** Anywhere: no frame received for this many ms means the connection is lost; 0 disables. Default 0. */
  readonly idleTimeout?: number;
  /**
   * Largest message, in bytes, sent (an operation over it fails alone with
   * `wamp.error.payload_size_exceeded`) or received (Node: a larger frame drops the connection).
   * Default 16 MiB.
   */
  readonly maxMessageSize?: number;
  /**
   * How to authenticate, in preference order: `ticket(...)`, `wampcra(...)`, `cryptosign(...)`,
   * `anonymous()` from `rxwamp/auth`, or your own Authenticator. Default: none (anonymous).
   * Run again on every (re)join, so secrets given as functions are asked for afresh.
   */
  readonly auth?: Authenticator | readonly Authenticator[];
  /** Node (`ws`) only: TLS options for `wss://` and `rss://` (browsers use their own trust store). */
  readonly tls?: TlsOptions;
  /**
   * Transports besides the built-in WebSocket (which opens ws://, wss://, http://, https://):
   * `transports: [rawSocket]` (from `rxwamp/rawsocket`, Node only) opens `rs://host:port`,
   * `rss://host:port` and `rs://unix:/path` endpoints; without it such a URL is a TypeError at
   * construction. Default: none (WebSocket only).
   */
  readonly transports?: readonly TransportFactory[];
  /**
   * A `registerStream` handler that returns an async iterable (e.g. an async generator) is
   * pulled only while at most this many bytes wait to be sent. Default 64 KiB.
   */
  readonly streamHighWaterMark?: number;
  /**
   * A `registerStream` handler that returns a push Observable fails its call with
   * `rxwamp.error.stream_overflow` once more than this many bytes wait to be sent. Default 16 MiB.
   */
  readonly streamBufferLimit?: number;
  /** WebSocket implementation; defaults to the browser's, or `ws` in Node. */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * Told about every WAMP message in and out, for hunting a problem:
   * `debug: (direction, message) => console.debug(direction, message)`. Secrets are replaced
   * by `'<redacted>'`: AUTHENTICATE's signature (ticket, WAMP-CRA, cryptosign) and HELLO's
   * authextra values (other than a cryptosign `pubkey`). Default: none (no cost).
   */
  readonly debug?: DebugListener;
  /**
   * Told when application code that rxwamp runs throws and there is no operation of its own
   * left to fail: a teardown of a handler's stream (on INTERRUPT, a lost connection, or after
   * its final result), of a `callStream$` input, or of an operator chain on an Observable that
   * rxwamp ended. A throw that belongs to an operation fails that operation instead (a handler
   * that throws answers `wamp.error.runtime_error`; an `onSubscribed` that throws errors its
   * `topic$`). Nothing is ever rethrown, blamed on the router or ends the session.
   * Default: `console.error`.
   */
  readonly onError?: ErrorReporter;
}

/**
 * A transport to list in a client's `transports`: `rawSocket` from `rxwamp/rawsocket`. How it
 * opens a connection is rxwamp's own business.
 */
export interface TransportFactory {
  /** The endpoint URLs it opens: `/^rss?:\/\/./i` for RawSocket. */
  readonly urls: RegExp;
  /** @internal Opens one connection with the client's resolved options and one endpoint URL. */
  readonly open: (options: WebSocketTransportOptions) => Promise<Transport>;
}

/** TLS settings handed to Node's `ws` (and so to `tls.connect`) for `wss://` URLs. */
export interface TlsOptions {
  /** Trusted CA certificate(s), PEM: for routers with a private or self-signed certificate. */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Client certificate, PEM (TLS client authentication, with `key`). */
  readonly cert?: string | Uint8Array;
  /** The client certificate's private key, PEM. */
  readonly key?: string | Uint8Array;
  /** Default true. false accepts any certificate: for tests only, never in production. */
  readonly rejectUnauthorized?: boolean;
  /** Server name to check the certificate against, when it differs from the URL's host. */
  readonly servername?: string;
}

export const DEFAULT_SERIALIZERS: readonly 'json'[] = ['json'];
export const VERSION = '0.1.0';

/** Every option with its default filled in, read once from what the application passed. */
export interface ResolvedOptions {
  /** `options.url` as a list: the endpoints, in order (one when a single URL was given). */
  readonly urls: readonly string[];
  /** The RawSocket transport's opener from `options.transports`, for rs:// and rss:// endpoints (the built-in WebSocket opens the others). */
  readonly rawSocket: TransportFactory['open'] | undefined;
  readonly realm: string;
  readonly serializers: readonly Codec[];
  readonly agent: string;
  readonly connectTimeout: number;
  readonly goodbyeTimeout: number;
  readonly reconnect: Required<ReconnectOptions> | false;
  readonly pingInterval: number;
  readonly pongTimeout: number;
  readonly idleTimeout: number;
  readonly maxMessageSize: number;
  readonly auth: readonly Authenticator[];
  readonly tls: TlsOptions | undefined;
  readonly streamHighWaterMark: number;
  readonly streamBufferLimit: number;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly debug: DebugListener | undefined;
  readonly onError: ErrorReporter;
}

/** Reads and checks the client's options; throws a TypeError naming the first bad one. */
export function resolveOptions(options: WampClientOptions): ResolvedOptions {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers may pass anything
  if (typeof options !== 'object' || options === null) throw new TypeError('WampClient options must be an object with url and realm');
  const url: unknown = options.url;
  const urls: unknown[] = [url].flat(); // a copy of a list, or the one URL in a list of its own
  const realm: unknown = options.realm;
  const rawSocket = options.transports?.[0];
  // Checked here: a URL no transport can open would otherwise fail each attempt later, as a
  // retryable connect-failed. http(s):// is passed on as given: ws and browsers open it as ws(s)://.
  // Each endpoint of a list is checked the same way; an empty list is refused too.
  for (const each of urls.length ? urls : [url]) {
    // rs(s):// is opened by the RawSocket transport, which only Node apps import and pass.
    if (typeof each !== 'string' || !(rawSocket ? /^(ws|http|rs)s?:\/\/./i : /^(ws|http)s?:\/\/./i).test(each)) {
      throw new TypeError(
        `options.url must be a ws://, wss://, http:// or https:// URL (rs:// with rxwamp/rawsocket), got ${typeof each === 'string' ? `"${each}"` : urls.length ? typeof each : '[]'}`,
      );
    }
  }
  if (typeof realm !== 'string' || realm.length === 0) throw new TypeError('options.realm must be a realm URI');
  const serializers: unknown = options.serializers ?? DEFAULT_SERIALIZERS;
  if (!Array.isArray(serializers) || serializers.length === 0) throw new TypeError('options.serializers must be a non-empty list');
  const codecs = (serializers as unknown[]).map(resolveSerializer);
  const agent: unknown = options.agent ?? `rxwamp/${VERSION}`;
  if (typeof agent !== 'string') throw new TypeError('options.agent must be a string');
  const WebSocket = optionalFunction(options.WebSocket, 'WebSocket', 'a WebSocket class');
  const debug = optionalFunction(options.debug, 'debug', 'a function');
  const onError = optionalFunction(options.onError, 'onError', 'a function') ?? logError;
  return {
    urls: urls as string[],
    rawSocket: rawSocket?.open,
    realm,
    serializers: codecs,
    agent,
    ...readNumbers(options, MILLISECONDS, milliseconds),
    ...readNumbers(options, SIZES, positive),
    reconnect: resolveReconnect(options.reconnect),
    auth: resolveAuth(options.auth),
    tls: resolveTls(options.tls),
    WebSocket: WebSocket as WebSocketConstructor | undefined,
    debug: debug as DebugListener | undefined,
    onError: onError as ErrorReporter,
  };
}

/** The options that are durations, in ms, with their defaults. */
const MILLISECONDS = { connectTimeout: 10_000, goodbyeTimeout: 2_000, pingInterval: 15_000, pongTimeout: 10_000, idleTimeout: 0 };
/** The options that are sizes, in bytes, with their defaults. */
const SIZES = { maxMessageSize: 16 * 1024 * 1024, streamHighWaterMark: 64 * 1024, streamBufferLimit: 16 * 1024 * 1024 };

/** Each option named in `defaults`, read with `read` (a table: one line per option costs more in a bundle). */
function readNumbers<K extends keyof WampClientOptions>(
  options: WampClientOptions,
  defaults: Record<K, number>,
  read: (value: unknown, name: string, fallback: number) => number,
): Record<K, number> {
  const numbers = {} as Record<K, number>;
  for (const name in defaults) numbers[name] = read(options[name], name, defaults[name]);
  return numbers;
}

function resolveReconnect(reconnect: ReconnectOptions | false | undefined): Required<ReconnectOptions> | false {
  if (reconnect === false) return false;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers may pass anything
  if (reconnect !== undefined && (typeof reconnect !== 'object' || reconnect === null)) throw new TypeError('options.reconnect must be an object or false');
  const given = reconnect ?? {};
  const jitter = given.jitter ?? 0.1;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) throw new TypeError('options.reconnect.jitter must be between 0 and 1');
  const factor = given.factor ?? 1.5;
  if (typeof factor !== 'number' || !(factor >= 1) || !Number.isFinite(factor)) throw new TypeError('options.reconnect.factor must be a number ≥ 1');
  const maxAttempts = given.maxAttempts ?? 15;
  if (typeof maxAttempts !== 'number' || !(maxAttempts >= 0) || (!Number.isInteger(maxAttempts) && maxAttempts !== Infinity)) {
    throw new TypeError('options.reconnect.maxAttempts must be a non-negative integer or Infinity');
  }
  return {
    initialDelay: milliseconds(given.initialDelay, 'reconnect.initialDelay', 1_500),
    factor,
    maxDelay: milliseconds(given.maxDelay, 'reconnect.maxDelay', 300_000),
    maxAttempts,
    jitter,
  };
}

function optionalFunction(value: unknown, name: string, what: string): unknown {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`options.${name} must be ${what}`);
  return value;
}

function milliseconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`options.${name} must be a non-negative number of ms`);
  return value;
}

function positive(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw new TypeError(`options.${name} must be a positive integer`);
  return value;
}

/** `'json'` or a serializer object (from `rxwamp/cbor`, `rxwamp/msgpack`, or one of your own). */
function resolveSerializer(serializer: unknown): Codec {
  if (serializer === 'json') return jsonCodec;
  if (serializer === 'cbor' || serializer === 'msgpack') {
    throw new TypeError(
      `serializer "${serializer}" is not built in: import { ${serializer} } from 'rxwamp/${serializer}' and pass it, e.g. serializers: [${serializer}, 'json']`,
    );
  }
  const candidate = serializer as Partial<Codec> | null | undefined;
  // A serializer is an object with these members (a primitive or null has none of them).
  if (
    typeof candidate?.encode === 'function' &&
    typeof candidate.decode === 'function' &&
    typeof candidate.subprotocol === 'string' &&
    candidate.subprotocol.startsWith('wamp.2.') &&
    typeof candidate.binary === 'boolean'
  ) {
    return candidate as Codec;
  }
  throw new TypeError(
    `unknown serializer ${typeof serializer === 'string' ? `"${serializer}"` : typeof serializer} (expected 'json', or cbor / msgpack imported from rxwamp/cbor, rxwamp/msgpack)`,
  );
}

function resolveAuth(auth: unknown): readonly Authenticator[] {
  if (auth === undefined) return [];
  const list: unknown[] = [auth].flat(); // a copy of a list, or the one authenticator in a list
  for (const method of list) {
    const candidate = method as Partial<Authenticator> | null | undefined;
    if (typeof candidate?.method !== 'string' || typeof candidate.hello !== 'function' || typeof candidate.answer !== 'function') {
      throw new TypeError('options.auth must be an authenticator (ticket(), wampcra(), cryptosign(), anonymous() from rxwamp/auth) or a list of them');
    }
  }
  return list as Authenticator[];
}

function resolveTls(tls: unknown): TlsOptions | undefined {
  if (tls === undefined) return undefined;
  if (typeof tls !== 'object' || tls === null) throw new TypeError('options.tls must be an object');
  return { ...(tls as TlsOptions) };
}
