import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { RouterCore } from '../core/router-core.js';
import type { RouterOptions } from '../core/router-options.js';
import { RawSocketListener, type RawSocketAddress, type RawSocketHandlers, type RawSocketListenOptions } from './rawsocket-server.js';
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
export class Router extends RouterCore {
  private readonly socket: ServerSocket;
  private readonly upgradeDeadlines: UpgradeDeadlines;
  private readonly detachers: Array<() => void> = [];
  private ownedServer: Server | undefined;
  private readonly rawSocketListeners: RawSocketListener[] = [];

  /**
   * Sets the router up without listening yet (call `listen()` or `attach()`). Throws a
   * TypeError for an invalid option: a realm URI that is not valid or is listed twice, a limit
   * out of range, a serializer it does not know.
   */
  constructor(options: RouterOptions) {
    super(options);
    this.upgradeDeadlines = new UpgradeDeadlines(this.limits.handshakeTimeoutMs);
    this.socket = new ServerSocket({ opened: (connection) => this.openSession(connection) }, this.limits, this.codecs);
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
      if (this.isClosing()) {
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
    if (this.isClosing()) throw new Error('the router is closing');
    // A RawSocket peer that takes less than maxMessageSize gets a session with its smaller limit.
    const handlers: RawSocketHandlers = { opened: (connection, maxMessageSize) => this.openSession(connection, maxMessageSize) };
    const listener = new RawSocketListener(handlers, this.limits, this.codecs, options);
    const address = await listener.listen();
    // close() began while this one was starting: it is not left listening.
    if (this.isClosing()) {
      await listener.close();
      throw new Error('the router is closing');
    }
    this.rawSocketListeners.push(listener);
    return address;
  }

  /**
   * Says GOODBYE (wamp.close.system_shutdown) to every session, waits up to closeGraceMs
   * for the answers, closes every connection, and stops the server it started in listen()
   * and every RawSocket listener.
   */
  override close(): Promise<void> {
    return super.close();
  }

  protected override async shutdown(): Promise<void> {
    for (const detach of this.detachers) detach();
    for (const listener of this.rawSocketListeners) listener.stopAccepting();
    await this.closeSessions();
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
