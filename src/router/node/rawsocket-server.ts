import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import type { Codec } from '../../codec/codec.js';
import {
  decodeHandshakeRequest,
  encodeHandshake,
  encodeHandshakeError,
  HANDSHAKE_LENGTH,
  lengthExponentFor,
  maxLengthOf,
  MAX_SAFE_FRAME_PAYLOAD,
  RAWSOCKET_MAGIC,
  RawSocketHandshakeError,
  serializerNameOf,
} from '../../transport/rawsocket-framing.js';
import type { PeerConnection } from '../core/peer-connection.js';
import { RawSocketPeer, type RawSocketPingPolicy } from './rawsocket-peer.js';
import type { RouterLimits } from '../core/router-options.js';
import type { SocketHandlers } from './server-socket.js';

export type { RawSocketPingPolicy };

/**
 * What every RawSocket listener takes, TCP or Unix.
 * @inline
 */
interface RawSocketCommonOptions {
  /**
   * Connections this listener holds at most (default: no limit). One more is refused in the
   * handshake with error 4, "maximum connection count reached".
   */
  readonly maxConnections?: number;
  /** Which peers the router PINGs (default 'if-peer-pings'; see RawSocketPingPolicy). */
  readonly ping?: RawSocketPingPolicy;
}

/**
 * Where `Router.listenRawSocket()` accepts WAMP-RawSocket connections: a TCP `host` and `port`
 * (default 127.0.0.1 and a free port), or the `path` of a Unix domain socket (which must not
 * exist yet; it is removed again on close()).
 */
export type RawSocketListenOptions = RawSocketCommonOptions &
  (
    | { readonly host?: string; readonly port?: number; readonly path?: undefined }
    | { readonly path: string; readonly host?: undefined; readonly port?: undefined }
  );

/** Where a RawSocket listener can be reached, as `Router.listenRawSocket()` resolves it. */
export interface RawSocketAddress {
  /**
   * `rs://host:port` (an IPv6 host in brackets), or `rs://unix:/absolute/path` for a Unix socket:
   * the URL forms Autobahn|Python takes.
   */
  readonly url: string;
  /** TCP: the address listened on, as the server reports it. */
  readonly host?: string;
  /** TCP: the port listened on (the one picked, when 0 was asked for). */
  readonly port?: number;
  /** Unix socket: its absolute path. */
  readonly path?: string;
}

type SessionHandlers = ReturnType<SocketHandlers['opened']>;

export interface RawSocketHandlers {
  /**
   * A connection completed its handshake. `maxMessageSize` is its session's message limit both
   * ways: the router's, or less when the peer announced it takes less.
   */
  opened(connection: PeerConnection, maxMessageSize: number): SessionHandlers;
}

/**
 * The smallest receive limit a client may announce: the router's WELCOME alone is about 600
 * octets in JSON with its default roles, so a client that takes less could not even join. A
 * smaller one is refused in the handshake with error 2, "maximum message length unacceptable".
 */
export const MIN_PEER_RECEIVE_LIMIT = 1024;

/** How long a refused connection may take to close after the refusal is written. */
const REFUSAL_GRACE_MS = 1000;

/**
 * One WAMP-RawSocket listener of the router (spec §8.4), on TCP or a Unix socket: the opening
 * handshake (the router's serializers, its receive limit, the error answers), then one
 * RawSocketPeer per connection handed to the router's sessions like a WebSocket.
 *
 * The router announces the largest power of two not over maxFrameSize (at most 16 MiB) as its
 * receive limit; a longer frame ends the connection. It sends nothing over the client's limit
 * (nor over 2^24 − 1 octets, which every peer can read): the connection's session uses the
 * smaller of that and maxMessageSize as its message limit.
 */
export class RawSocketListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly lengthExponent: number;
  private readonly receiveLimit: number;
  private connections = 0;
  private accepting = true;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly handlers: RawSocketHandlers,
    private readonly limits: RouterLimits,
    private readonly codecs: readonly Codec[],
    private readonly options: RawSocketListenOptions,
  ) {
    const { maxConnections } = options;
    const ping: unknown = options.ping;
    if (maxConnections !== undefined && !(Number.isSafeInteger(maxConnections) && maxConnections >= 1)) {
      throw new TypeError(`RawSocket option maxConnections must be a positive integer, got ${String(maxConnections)}`);
    }
    if (ping !== undefined && ping !== 'if-peer-pings' && ping !== 'always') {
      throw new TypeError(`RawSocket option ping must be 'if-peer-pings' or 'always', got ${String(ping)}`);
    }
    this.lengthExponent = lengthExponentFor(limits.maxFrameSize);
    this.receiveLimit = maxLengthOf(this.lengthExponent);
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Starts listening; resolves with the address once it does, rejects (EADDRINUSE, EACCES, …) if it cannot. */
  async listen(): Promise<RawSocketAddress> {
    const { path } = this.options;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      const listening = () => {
        this.server.off('error', reject);
        resolve();
      };
      if (path !== undefined) this.server.listen(resolvePath(path), listening);
      else this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', listening);
    });
    const address = this.server.address();
    if (typeof address === 'string') return { url: `rs://unix:${address}`, path: address };
    const { address: host, port, family } = address as AddressInfo;
    return { url: `rs://${family === 'IPv6' ? `[${host}]` : host}:${port}`, host, port };
  }

  /** Router shutdown, first step: no new connections (a Unix socket's file goes). Open ones stay for their GOODBYE. */
  stopAccepting(): void {
    if (!this.accepting) return;
    this.accepting = false;
    this.closing = new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Stops accepting and destroys every connection still open; resolves once the server has closed. */
  close(): Promise<void> {
    this.stopAccepting();
    for (const socket of this.sockets) socket.destroy();
    return this.closing!;
  }

  private accept(socket: Socket): void {
    if (!this.accepting) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // Resets and the like are followed by 'close', which is what the session hears about.
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    const deadline = setTimeout(() => socket.destroy(), this.limits.handshakeTimeoutMs);
    socket.once('close', () => clearTimeout(deadline));
    let handshake: Uint8Array = new Uint8Array(0);
    const onData = (chunk: Buffer) => {
      handshake = handshake.length === 0 ? chunk : Buffer.concat([handshake, chunk]);
      // Not RawSocket (an HTTP request, say): failed at once, without an answer (§8.4).
      if (handshake[0] !== RAWSOCKET_MAGIC) return void socket.destroy();
      if (handshake.length < HANDSHAKE_LENGTH) return;
      clearTimeout(deadline);
      socket.off('data', onData);
      // Same tick: the peer's 'data' listener is in place before another chunk can be emitted.
      this.answer(socket, handshake.subarray(0, HANDSHAKE_LENGTH), handshake.subarray(HANDSHAKE_LENGTH));
    };
    socket.on('data', onData);
  }

  /** Answers a client's handshake; an accepted connection becomes a session. `rest` is what followed the handshake. */
  private answer(socket: Socket, bytes: Uint8Array, rest: Uint8Array): void {
    const request = decodeHandshakeRequest(bytes);
    if (request.kind === 'not-rawsocket') return void socket.destroy();
    if (request.kind === 'reserved-bits') return this.refuse(socket, RawSocketHandshakeError.reservedBitsUsed);
    const { maxConnections } = this.options;
    if (maxConnections !== undefined && this.connections >= maxConnections) return this.refuse(socket, RawSocketHandshakeError.maxConnectionCountReached);
    const name = serializerNameOf(request.serializerId);
    const codec = this.codecs.find((candidate) => candidate.name === name);
    if (!codec) return this.refuse(socket, RawSocketHandshakeError.serializerUnsupported);
    if (request.maxLength < MIN_PEER_RECEIVE_LIMIT) return this.refuse(socket, RawSocketHandshakeError.maxLengthUnacceptable);

    socket.write(encodeHandshake({ lengthExponent: this.lengthExponent, serializerId: request.serializerId }));
    this.connections++;
    socket.once('close', () => this.connections--);
    const sendLimit = Math.min(request.maxLength, MAX_SAFE_FRAME_PAYLOAD);
    const maxMessageSize = Math.min(this.limits.maxMessageSize, sendLimit);
    const peer = new RawSocketPeer(socket, maxMessageSize < this.limits.maxMessageSize ? codecWithLimit(codec, maxMessageSize) : codec, {
      ...this.limits,
      receiveLimit: this.receiveLimit,
      sendLimit,
      ping: this.options.ping ?? 'if-peer-pings',
    });
    const session = this.handlers.opened(peer, maxMessageSize);
    peer.onMessage = (payload) => session.receive(payload, payload.byteLength);
    peer.onDrained = () => session.drained();
    socket.once('close', () => session.closed());
    if (rest.length > 0) peer.received(rest);
  }

  /** The refusal answer (§8.4: `7F E0 00 00`), then the end of the connection. */
  private refuse(socket: Socket, code: number): void {
    socket.end(encodeHandshakeError(code));
    const timer = setTimeout(() => socket.destroy(), REFUSAL_GRACE_MS);
    socket.once('close', () => clearTimeout(timer));
  }
}

/**
 * The same serializer as a codec object of its own for each message limit. RouterSession's
 * sendShared encodes an EVENT once per codec object and caches the outcome, "over the limit"
 * included: sessions whose limits differ must not share one, or the first session's limit would
 * decide for all of them.
 */
const codecsByLimit = new WeakMap<Codec, Map<number, Codec>>();

function codecWithLimit(codec: Codec, limit: number): Codec {
  let byLimit = codecsByLimit.get(codec);
  if (!byLimit) codecsByLimit.set(codec, (byLimit = new Map<number, Codec>()));
  let limited = byLimit.get(limit);
  if (!limited) {
    limited = {
      name: codec.name,
      subprotocol: codec.subprotocol,
      binary: codec.binary,
      encode: (message) => codec.encode(message),
      decode: (frame) => codec.decode(frame),
    };
    byLimit.set(limit, limited);
  }
  return limited;
}
