import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { isValidUri } from '../protocol/index.js';
import { anonymousAuth } from './authenticators/anonymous.js';
import { unusedGlobalId } from './global-ids.js';
import { Realm } from './realm.js';
import type { Codec } from '../codec/codec.js';
import type { PeerConnection } from './peer-connection.js';
import { RawSocketListener, type RawSocketAddress, type RawSocketHandlers, type RawSocketListenOptions } from './rawsocket-server.js';
import { resolveLimits, resolveSerializers, type RealmOptions, type RouterLimits, type RouterOptions } from './router-options.js';
import { RouterSession, type SessionHost } from './router-session.js';
import { resolveSessionLimits } from './session-limits.js';
import { ServerSocket } from './server-socket.js';
import { UpgradeDeadlines } from './upgrade-deadlines.js';

/** Where `Router.listen()` accepts connections. */
export interface ListenOptions {
  /** The interface to listen on (default `127.0.0.1`: this machine only; `0.0.0.0` for every IPv4 interface). */
  readonly host?: string;
  /** The TCP port (default 0, which picks a free port; `ListeningAddress.port` says which). */
  readonly port?: number;
  /** WebSocket path (default /ws). */
  readonly path?: string;
}

/** Where a listening router can be reached, as `Router.listen()` resolves it. */
export interface ListeningAddress {
  /** The address listened on, as the server reports it (e.g. `127.0.0.1` or `::1`). */
  readonly host: string;
  /** The port listened on (the one picked, when 0 was asked for). */
  readonly port: number;
  /** ws://host:port/path */
  readonly url: string;
}

/**
 * A single-process WAMP router over WebSocket (JSON; CBOR and MessagePack when given in
 * `serializers`): for tests, demos and local development. Not a production cluster: use
 * Crossbar.io, Bondy or Nexus for that.
 *
 * ```ts
 * const router = new Router({ realms: ['realm1'] });
 * // or: realms: [{ uri: 'private', authenticators: [ticketAuth({ principals })] }, 'public']
 * // and CBOR, MessagePack besides JSON: serializers: ['json', cbor, msgpack] (from rxwamp/cbor, rxwamp/msgpack)
 * const { url } = await router.listen({ host: '127.0.0.1', port: 0 });
 * await router.close();
 * ```
 */
export class Router {
  private readonly realms = new Map<string, Realm>();
  private readonly sessionIds = new Set<number>();
  private readonly sessions = new Set<RouterSession>();
  private readonly socket: ServerSocket;
  private readonly closeGraceMs: number;
  private readonly upgradeDeadlines: UpgradeDeadlines;
  private readonly detachers: Array<() => void> = [];
  private ownedServer: Server | undefined;
  /** What listenRawSocket() needs: limits, serializers, and how a connection becomes a session. */
  private readonly rawSocket: { readonly limits: RouterLimits; readonly codecs: readonly Codec[]; readonly handlers: RawSocketHandlers };
  private readonly rawSocketListeners: RawSocketListener[] = [];
  private closing: Promise<void> | undefined;
  /** The WebSocket subprotocols this router speaks, one per serializer given (RouterOptions.serializers), e.g. `['wamp.2.json']`. */
  readonly subprotocols: readonly string[];

  /**
   * Sets the router up without listening yet (call `listen()` or `attach()`). Throws a
   * TypeError for an invalid option: a realm URI that is not valid or is listed twice, a limit
   * out of range, a serializer it does not know.
   */
  constructor(options: RouterOptions) {
    const limits = resolveLimits(options);
    const codecs = resolveSerializers(options);
    this.subprotocols = Object.freeze(codecs.map((codec) => codec.subprotocol));
    const reportInternalError = options.onInternalError ?? ((error: unknown) => console.error('rxwamp router: internal error', error));
    const defaultAuthenticators = options.authenticators ?? [anonymousAuth()];
    const defaultSessionLimits = resolveSessionLimits(options.sessionLimits);
    for (const entry of options.realms) {
      const realm: RealmOptions = typeof entry === 'string' ? { uri: entry } : entry;
      if (typeof realm.uri !== 'string' || !isValidUri(realm.uri)) throw new TypeError(`realm "${String(realm.uri)}" is not a valid WAMP URI`);
      if (this.realms.has(realm.uri)) throw new TypeError(`realm "${realm.uri}" is listed twice`);
      const sessionLimits = resolveSessionLimits(realm.sessionLimits, defaultSessionLimits);
      this.realms.set(
        realm.uri,
        new Realm(realm.uri, realm.authenticators ?? defaultAuthenticators, realm.authorize ?? options.authorize, reportInternalError, sessionLimits),
      );
    }
    this.closeGraceMs = limits.closeGraceMs;
    this.upgradeDeadlines = new UpgradeDeadlines(limits.handshakeTimeoutMs);
    const host: SessionHost = {
      findRealm: (uri) => this.realms.get(uri),
      allocateSessionId: () => {
        const id = unusedGlobalId(this.sessionIds);
        this.sessionIds.add(id);
        return id;
      },
      releaseSessionId: (id) => void this.sessionIds.delete(id),
      reportInternalError,
      handshakeTimeoutMs: limits.handshakeTimeoutMs,
      maxMessageSize: limits.maxMessageSize,
      isShuttingDown: () => this.closing !== undefined,
    };
    const opened = (connection: PeerConnection, sessionHost: SessionHost) => {
      const session = new RouterSession(connection, sessionHost);
      this.sessions.add(session);
      return {
        receive: (frame: string | Uint8Array, byteLength: number) => session.receive(frame, byteLength),
        drained: () => session.flow.drained(),
        closed: () => {
          this.sessions.delete(session);
          session.transportClosed();
        },
      };
    };
    this.socket = new ServerSocket({ opened: (connection) => opened(connection, host) }, limits, codecs);
    this.rawSocket = {
      limits,
      codecs,
      // A RawSocket peer that takes less than maxMessageSize gets a session with its smaller limit.
      handlers: { opened: (connection, maxMessageSize) => opened(connection, maxMessageSize === host.maxMessageSize ? host : { ...host, maxMessageSize }) },
    };
  }

  /** Sessions currently joined to a realm, by realm URI. */
  sessionCount(realm: string): number {
    return this.realms.get(realm)?.sessions.size ?? 0;
  }

  /**
   * Bytes the router holds for session `sessionId` (sent to it, not yet written to the network),
   * and whether the router has stopped reading from it (flow control); undefined for an unknown
   * session. For monitoring and tests.
   */
  peerOutput(sessionId: number): { readonly unsentBytes: number; readonly readingPaused: boolean } | undefined {
    for (const session of this.sessions) {
      if (session.id === sessionId) return { unsentBytes: session.unsentBytes, readingPaused: session.flow.isHeldBack };
    }
    return undefined;
  }

  /** Starts an HTTP server of its own and accepts WebSockets on `path`. */
  async listen(options: ListenOptions = {}): Promise<ListeningAddress> {
    if (this.ownedServer) throw new Error('the router is already listening');
    const server = createServer((_request, response) => {
      response.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('WAMP over WebSocket only\n');
    });
    this.ownedServer = server;
    // Every connection to our own server is meant to become a WebSocket, from its first byte.
    server.on('connection', (socket: Duplex) => this.upgradeDeadlines.arm(socket));
    const path = options.path ?? '/ws';
    this.attach(server, { path, refuseOtherPaths: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { host: address.address, port: address.port, url: `ws://${host}:${address.port}${path}` };
  }

  /**
   * Accepts WAMP WebSockets on an existing HTTP server at `path` (default /ws). Upgrades
   * to other paths are left to the server's other listeners unless `refuseOtherPaths`.
   */
  attach(server: Server, options: { readonly path?: string; readonly refuseOtherPaths?: boolean } = {}): void {
    const path = options.path ?? '/ws';
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const requestPath = (request.url ?? '/').split('?')[0];
      if (requestPath !== path) {
        if (options.refuseOtherPaths) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      if (this.closing !== undefined) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
        return;
      }
      // On a server we do not own, only the upgrades for our path are ours to time.
      this.upgradeDeadlines.arm(socket);
      this.socket.handleUpgrade(request, socket, head, () => this.upgradeDeadlines.disarm(socket));
    };
    server.on('upgrade', onUpgrade);
    this.detachers.push(() => server.off('upgrade', onUpgrade));
  }

  /**
   * Also accepts WAMP-RawSocket (spec §8.4: plain TCP, no HTTP upgrade or masking) on a TCP
   * `host`/`port` (default `127.0.0.1` and a free port) or on a Unix socket `path`; may be
   * called more than once, with or without `listen()`. Speaks the router's serializers (a
   * client asking for another is refused in the handshake, error 1), with the same limits, flow
   * control and session handling as WebSocket. It announces the largest power of two up to
   * maxFrameSize (at most 16 MiB) as its receive limit (a longer frame ends the connection, with
   * an ABORT saying why), and sends no message over the client's: a session's maxMessageSize is
   * the smaller of the router's and the client's limit (and 2^24 − 1), both ways. A client that
   * takes less than 1 KiB is refused (error 2). The router PINGs only peers that PING it (see
   * `ping`: Autobahn|Python and Crossbar.io drop the connection on a PING). Rejects when it cannot
   * listen (EADDRINUSE, EACCES) or for a bad option (TypeError). Resolves with the URL to give
   * clients: `rs://127.0.0.1:port` or `rs://unix:/path/to.sock`. `close()` stops it too.
   *
   * ```ts
   * const tcp = await router.listenRawSocket({ port: 8081 });          // tcp.url: rs://127.0.0.1:8081
   * const unix = await router.listenRawSocket({ path: '/tmp/wamp.sock' }); // unix.url: rs://unix:/tmp/wamp.sock
   * ```
   */
  async listenRawSocket(options: RawSocketListenOptions = {}): Promise<RawSocketAddress> {
    if (this.closing !== undefined) throw new Error('the router is closing');
    const listener = new RawSocketListener(this.rawSocket.handlers, this.rawSocket.limits, this.rawSocket.codecs, options);
    const address = await listener.listen();
    // close() began while this one was starting: it is not left listening.
    if (this.isClosing()) {
      await listener.close();
      throw new Error('the router is closing');
    }
    this.rawSocketListeners.push(listener);
    return address;
  }

  /** Whether close() was called (a method, so that it is read afresh after an await). */
  private isClosing(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Says GOODBYE (wamp.close.system_shutdown) to every session, waits up to closeGraceMs
   * for the answers, closes every connection, and stops the server it started in listen()
   * and every RawSocket listener.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const detach of this.detachers) detach();
    for (const listener of this.rawSocketListeners) listener.stopAccepting();
    // Every established session gets its GOODBYE in this one synchronous pass and sends nothing
    // after it; sessions release their calls only when their transport closes. So a caller
    // whose callee is shut down first sees GOODBYE system_shutdown, never "the callee left".
    await Promise.all([...this.sessions].map((session) => session.shutdown(this.closeGraceMs)));
    this.upgradeDeadlines.destroyAll();
    await Promise.all([this.socket.close(), ...this.rawSocketListeners.map((listener) => listener.close())]);
    const server = this.ownedServer;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }
}
