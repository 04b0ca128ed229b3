import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { asSerializationError, type Codec } from '../codec/codec.js';
import { PAYLOAD_SIZE_EXCEEDED } from '../protocol/error-uris.js';
import { WampConnectionError, WampError } from '../protocol/errors.js';
import { debugTeller, type DebugListener } from './debug.js';
import { LivenessCheck, type LivenessOptions } from './liveness.js';
import {
  decodeHandshakeReply,
  encodeFrameHeader,
  encodeHandshake,
  FRAME_HEADER_LENGTH,
  FrameDecoder,
  FrameType,
  HANDSHAKE_LENGTH,
  hexOctets,
  lengthExponentFor,
  MAX_SAFE_FRAME_PAYLOAD,
  maxLengthOf,
  RawSocketFramingError,
  RawSocketSerializerId,
} from './rawsocket-framing.js';
import type { Transport, TransportListener } from './transport.js';

/**
 * WAMP-RawSocket (spec §8.4) as a client transport, over Node's TCP, TLS and Unix sockets.
 * Node only: it imports node:net and node:tls, and is reached only through the `rxwamp/rawsocket`
 * entry point, so the browser core never includes it.
 *
 * Endpoint URLs: `rs://host:port` (TCP), `rss://host:port` (TLS, with the client's `tls`
 * options), `rs://unix:/absolute/path` (a Unix socket, the form of the embedded router's
 * listenRawSocket and of Autobahn|Python).
 */

/** The client's options this transport reads (its ResolvedOptions fit as they are). */
export interface RawSocketTransportOptions extends LivenessOptions {
  readonly url: string;
  /** Only the first is offered: a RawSocket handshake names exactly one serializer. */
  readonly serializers: readonly Codec[];
  readonly debug?: DebugListener | undefined;
  /** Give up connecting and handshaking after this many ms (0: no limit). */
  readonly connectTimeout: number;
  /** Largest message sent or received; announced in the handshake rounded down to a power of two (at least 512). */
  readonly maxMessageSize: number;
  /** TLS options for rss:// (ca, cert, key, rejectUnauthorized, servername). */
  readonly tls?: object | undefined;
  /** Aborting it stops an opening in progress, which then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/** Where a RawSocket URL points. */
export type RawSocketEndpoint =
  { readonly secure: boolean; readonly host: string; readonly port: number } | { readonly secure: boolean; readonly path: string };

/**
 * Reads `rs://host:port`, `rss://host:port` and `rs://unix:/absolute/path`; throws a TypeError
 * for anything else (no port, a relative socket path, another scheme).
 */
export function parseRawSocketUrl(url: string): RawSocketEndpoint {
  const match = /^(rss?):\/\/(.*)$/i.exec(url);
  if (!match) throw new TypeError(`not a RawSocket URL: "${url}" (expected rs://host:port, rss://host:port or rs://unix:/path)`);
  const secure = match[1]!.toLowerCase() === 'rss';
  const rest = match[2]!;
  if (/^unix:/i.test(rest)) {
    const path = rest.slice('unix:'.length);
    if (!path.startsWith('/')) throw new TypeError(`a RawSocket Unix socket URL needs an absolute path: rs://unix:/path/to/socket, got "${url}"`);
    return { secure, path };
  }
  let parsed: URL;
  try {
    parsed = new URL(`tcp://${rest}`);
  } catch {
    throw new TypeError(`not a RawSocket URL: "${url}" (expected rs://host:port, rss://host:port or rs://unix:/path)`);
  }
  if (!parsed.hostname || !parsed.port) throw new TypeError(`a RawSocket URL needs a host and a port: rs://host:port, got "${url}"`);
  return { secure, host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(parsed.port) };
}

/** How often whenWritable looks again while over the mark, besides on 'drain'. */
const WRITABLE_POLL_MS = 10;
/** How long close() waits for the router to close its side before dropping the socket. */
const CLOSE_GRACE_MS = 1000;

class RawSocketTransport implements Transport {
  #listener: TransportListener | undefined;
  #closed = false;
  readonly #decoder: FrameDecoder;
  readonly #debug: DebugListener | undefined;
  /** Idle check from the start; ping/pong only once the router has pinged (see pingStarted). */
  readonly #liveness: LivenessCheck;
  #pinging: LivenessCheck | undefined;
  readonly #pongListeners: Array<() => void> = [];
  #early: Uint8Array | undefined;
  readonly #writableWaiters = new Set<() => void>();
  #writablePoll: ReturnType<typeof setInterval> | undefined;
  /** The socket's last error (ECONNRESET...), for the close reason. */
  #lastError = '';

  constructor(
    private readonly socket: Socket,
    readonly codec: Codec,
    /** The largest payload we may send: the router's announced limit, our maxMessageSize, 2^24 − 1. */
    readonly sendLimit: number,
    receiveLimit: number,
    private readonly options: RawSocketTransportOptions,
    early: Uint8Array,
  ) {
    this.#decoder = new FrameDecoder(receiveLimit);
    this.#debug = options.debug && debugTeller(options.debug);
    this.#liveness = new LivenessCheck(undefined, { ...options, pingInterval: 0 }, (reason) => this.abort(reason));
    socket.on('data', (chunk: Buffer) => this.#arrived(chunk));
    socket.on('drain', this.#checkWritable);
    socket.on('error', (error) => {
      this.#lastError = error.message;
    });
    socket.on('close', () =>
      this.#closedBySocket(1006, this.#lastError ? `the RawSocket connection failed: ${this.#lastError}` : 'the RawSocket connection closed'),
    );
    socket.on('end', () => this.#closedBySocket(1000, 'the router closed the RawSocket connection'));
    // Frames that came with the handshake's answer wait for the session's listener.
    this.#early = early;
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  whenWritable(highWaterMark: number): Promise<void> {
    if (this.#closed || this.socket.writableLength <= highWaterMark) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (!this.#closed && this.socket.writableLength > highWaterMark) return;
        this.#writableWaiters.delete(check);
        if (this.#writableWaiters.size === 0) clearInterval(this.#writablePoll);
        resolve();
      };
      this.#writableWaiters.add(check);
      // 'drain' says when the socket's buffer was handed to the kernel; the poll is the safety
      // net (as on WebSocket), so nothing waits on an event that does not come.
      if (this.#writableWaiters.size === 1) this.#writablePoll = setInterval(this.#checkWritable, WRITABLE_POLL_MS);
    });
  }

  /** Every whenWritable waiter looks again (one 'drain' listener for all of them: no listener per wait). */
  readonly #checkWritable = (): void => {
    for (const check of [...this.#writableWaiters]) check();
  };

  setListener(listener: TransportListener): void {
    this.#listener = listener;
    const early = this.#early;
    this.#early = undefined;
    if (early && early.byteLength > 0) this.#arrived(early);
  }

  send(message: readonly unknown[]): void {
    let payload: string | Uint8Array;
    try {
      payload = this.codec.encode(message);
    } catch (error) {
      throw asSerializationError(error);
    }
    const size = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
    if (size > this.sendLimit) {
      throw new WampError(PAYLOAD_SIZE_EXCEEDED, {
        message:
          `${PAYLOAD_SIZE_EXCEEDED}: the message is ${size} bytes, over the ${this.sendLimit} bytes this RawSocket connection may send` +
          ` (the smaller of maxMessageSize and the router's limit announced in the handshake)`,
      });
    }
    if (this.#closed || this.socket.destroyed || !this.socket.writable) throw new WampConnectionError('lost', 'the connection is no longer open');
    this.#write(FrameType.message, payload, size);
    this.#debug?.('out', message);
  }

  close(code = 1000, reason = ''): void {
    if (this.#closed) return;
    this.#stopLiveness();
    // RawSocket has no closing handshake: end our side (FIN) after what is queued, and drop
    // the socket if the router does not close its side soon.
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    this.socket.once('close', () => this.#closedBySocket(code, reason));
  }

  abort(reason: string): void {
    this.#end(1006, reason);
  }

  /** Drops the socket at once and reports onClose now. */
  #end(code: number, reason: string): void {
    if (this.#closed) return;
    this.socket.destroy();
    this.#closedBySocket(code, reason);
  }

  #write(type: FrameType, payload: string | Uint8Array, length: number): void {
    const frame = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + length);
    encodeFrameHeader(type, length, frame);
    if (typeof payload === 'string') frame.write(payload, FRAME_HEADER_LENGTH, 'utf8');
    else frame.set(payload, FRAME_HEADER_LENGTH);
    this.socket.write(frame);
  }

  #arrived(chunk: Uint8Array): void {
    if (this.#closed) return;
    this.#liveness.heard();
    this.#pinging?.heard();
    this.#decoder.push(chunk);
    for (;;) {
      let frame;
      try {
        frame = this.#decoder.next();
      } catch (error) {
        const problem = error as RawSocketFramingError;
        // 1009 as WebSocket's "message too big"; 1002 for any other protocol error.
        return this.#end(problem.problem === 'oversize' ? 1009 : 1002, `the router broke the RawSocket framing: ${problem.message}`);
      }
      if (!frame) return;
      if (frame.type === FrameType.message) this.#receive(frame.payload);
      else if (frame.type === FrameType.ping) this.#answerPing(frame.payload);
      else for (const listener of this.#pongListeners) listener();
      // A PONG, a PING answer or a message handler may have ended the connection.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- changed by the calls above
      if (this.#closed) return;
    }
  }

  #receive(payload: Uint8Array): void {
    let decoded: unknown;
    try {
      decoded = this.codec.decode(payload);
    } catch (error) {
      this.#listener?.onDecodeError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.#debug?.('in', Array.isArray(decoded) ? decoded : [decoded]);
    this.#listener?.onMessage(decoded);
  }

  /**
   * PONG with the PING's payload. The first PING from the router starts our own pings
   * (pingInterval/pongTimeout): a router that pings knows PING frames, while some that do
   * not ping (Autobahn|Python, Crossbar.io) drop a connection that sends one.
   */
  #answerPing(payload: Uint8Array): void {
    if (payload.byteLength > this.sendLimit) {
      return this.#end(1009, `the router sent a PING of ${payload.byteLength} octets, whose PONG would be over its own limit of ${this.sendLimit}`);
    }
    this.#write(FrameType.pong, payload, payload.byteLength);
    for (const listener of this.#pingListeners) listener();
    if (!this.#pinging && this.options.pingInterval > 0) {
      this.#pinging = new LivenessCheck(this.#pingingSocket(), { ...this.options, idleTimeout: 0 }, (reason) => this.abort(reason));
    }
  }

  readonly #pingListeners: Array<() => void> = [];

  /** What LivenessCheck needs to ping (the shape of Node's ws). */
  #pingingSocket(): object {
    const socket = this.socket;
    const pings = this.#pingListeners;
    const pongs = this.#pongListeners;
    let sent = 0;
    return {
      ping: (): void => {
        const payload = new Uint8Array(4);
        new DataView(payload.buffer).setUint32(0, ++sent >>> 0);
        this.#write(FrameType.ping, payload, payload.byteLength);
      },
      on: (event: 'pong' | 'ping', listener: () => void): void => {
        (event === 'pong' ? pongs : pings).push(listener);
      },
      get bufferedAmount(): number {
        return socket.writableLength;
      },
      _socket: { on: (event: 'drain', listener: () => void): void => void socket.on(event, listener) },
    };
  }

  #stopLiveness(): void {
    this.#liveness.stop();
    this.#pinging?.stop();
  }

  #closedBySocket(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopLiveness();
    this.#checkWritable(); // waiters resolve: the connection is gone
    this.#listener?.onClose(code, reason);
  }
}

/**
 * Opens a RawSocket connection to `options.url` and makes the handshake, offering the first of
 * `options.serializers` and announcing `maxMessageSize` (rounded down to a length exponent).
 * Resolves with the transport once the router accepted; rejects with a WampConnectionError
 * (`connect-failed`, retryable, so a list of endpoints moves on to the next) when the
 * connection fails, the router refuses (naming its error code's meaning), answers with another
 * serializer or with something that is not a RawSocket answer; `timeout` after connectTimeout;
 * with the signal's reason when aborted; with a TypeError for a URL that is not a RawSocket one.
 */
export function openRawSocket(options: RawSocketTransportOptions): Promise<Transport> {
  const { url, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  let endpoint: RawSocketEndpoint;
  try {
    endpoint = parseRawSocketUrl(url);
  } catch (error) {
    return Promise.reject(error);
  }
  const codec = options.serializers[0]!; // never empty: resolveOptions refuses an empty list
  const serializerId = RawSocketSerializerId[codec.name];
  const lengthExponent = lengthExponentFor(options.maxMessageSize);
  const handshake = encodeHandshake({ lengthExponent, serializerId });

  return new Promise<Transport>((resolve, reject) => {
    const tls = options.tls as { servername?: string } | undefined;
    const socket: Socket =
      'path' in endpoint
        ? endpoint.secure
          ? connectTls({ ...tls, path: endpoint.path })
          : connectTcp({ path: endpoint.path })
        : endpoint.secure
          ? connectTls({ servername: isIP(endpoint.host) ? undefined : endpoint.host, ...tls, host: endpoint.host, port: endpoint.port })
          : connectTcp({ host: endpoint.host, port: endpoint.port });
    socket.setNoDelay(true);
    let settled = false;
    let reply = Buffer.alloc(0);
    const timer =
      options.connectTimeout > 0
        ? setTimeout(
            () => fail(new WampConnectionError('timeout', `connecting to ${url} timed out after ${options.connectTimeout} ms`)),
            options.connectTimeout,
          )
        : undefined;
    const onAbort = (): void => fail(signal!.reason as Error);
    signal?.addEventListener('abort', onAbort);
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
    };
    const fail = (error: Error): void => {
      if (settled) return;
      finish();
      socket.destroy();
      reject(error);
    };
    const refused = (why: string): WampConnectionError => new WampConnectionError('connect-failed', `cannot connect to ${url}: ${why}`);
    let lastError: Error | undefined;
    socket.on('error', (error) => {
      lastError = error;
    }); // kept for the socket's whole life: a socket throws an 'error' without a listener
    const onClose = (): void =>
      fail(
        refused(
          lastError
            ? lastError.message
            : `the connection closed ${reply.byteLength > 0 ? 'in the middle of' : 'before'} the router's RawSocket handshake answer`,
        ),
      );
    socket.on('close', onClose);
    socket.once(endpoint.secure ? 'secureConnect' : 'connect', () => socket.write(handshake));
    const onData = (chunk: Buffer): void => {
      reply = Buffer.concat([reply, chunk]);
      if (reply.byteLength < HANDSHAKE_LENGTH) return;
      const answer = decodeHandshakeReply(reply);
      const sent = hexOctets(handshake);
      if (answer.kind === 'invalid') return fail(refused(`${answer.reason} (sent ${sent})`));
      if (answer.kind === 'refused') {
        return fail(
          refused(
            `the router refused the RawSocket handshake ${sent} with error ${answer.code}: ${answer.reason}` +
              (answer.code === 1 ? ` (offered ${codec.name}, the first of options.serializers: RawSocket offers one serializer per connection)` : ''),
          ),
        );
      }
      if (answer.serializerId !== serializerId) {
        return fail(
          refused(
            `the router answered the RawSocket handshake ${sent} with serializer id ${answer.serializerId}, not the ${serializerId} (${codec.name}) offered`,
          ),
        );
      }
      finish();
      const sendLimit = Math.min(answer.maxLength, options.maxMessageSize, MAX_SAFE_FRAME_PAYLOAD);
      resolve(new RawSocketTransport(socket, codec, sendLimit, maxLengthOf(lengthExponent), options, reply.subarray(HANDSHAKE_LENGTH)));
    };
    socket.on('data', onData);
  });
}
