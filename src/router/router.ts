import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { isValidUri } from '../protocol/index.js';
import type { Authenticator, Authorizer } from './auth.js';
import { anonymousAuth } from './authenticators/anonymous.js';
import { unusedGlobalId } from './global-ids.js';
import { Realm } from './realm.js';
import { RouterSession, type SessionHost } from './router-session.js';
import { ServerSocket } from './server-socket.js';

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
  /** Largest WebSocket message accepted, in bytes (default 16 MiB). */
  readonly maxMessageSize?: number;
  /** How long close() waits for clients to answer its GOODBYE (default 1000 ms). */
  readonly closeGraceMs?: number;
  /** A connection must complete HELLO (and any CHALLENGE) within this many ms (default 10000). */
  readonly handshakeTimeoutMs?: number;
  /** A connection whose unsent output exceeds this many bytes is dropped (default 64 MiB). */
  readonly maxBufferedBytes?: number;
  /** Called with router bugs caught while handling a frame (the session is aborted). Default: console.error. */
  readonly onInternalError?: (error: unknown) => void;
}

export interface ListenOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** WebSocket path (default /ws). */
  readonly path?: string;
}

export interface ListeningAddress {
  readonly host: string;
  readonly port: number;
  /** ws://host:port/path */
  readonly url: string;
}

/**
 * A single-process WAMP router over WebSocket (JSON, CBOR, MessagePack): for tests, demos
 * and local development. Not a production cluster: use Crossbar.io, Bondy or Nexus for that.
 *
 * ```ts
 * const router = new Router({ realms: ['realm1'] });
 * // or: realms: [{ uri: 'private', authenticators: [ticketAuth({ principals })] }, 'public']
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
  private readonly detachers: Array<() => void> = [];
  private ownedServer: Server | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: RouterOptions) {
    const reportInternalError = options.onInternalError ?? ((error: unknown) => console.error('rxwamp router: internal error', error));
    const defaultAuthenticators = options.authenticators ?? [anonymousAuth()];
    for (const entry of options.realms) {
      const realm: RealmOptions = typeof entry === 'string' ? { uri: entry } : entry;
      if (typeof realm.uri !== 'string' || !isValidUri(realm.uri)) throw new TypeError(`realm "${String(realm.uri)}" is not a valid WAMP URI`);
      if (this.realms.has(realm.uri)) throw new TypeError(`realm "${realm.uri}" is listed twice`);
      this.realms.set(realm.uri, new Realm(realm.uri, realm.authenticators ?? defaultAuthenticators, realm.authorize ?? options.authorize, reportInternalError));
    }
    this.closeGraceMs = options.closeGraceMs ?? 1000;
    const host: SessionHost = {
      findRealm: (uri) => this.realms.get(uri),
      allocateSessionId: () => {
        const id = unusedGlobalId(this.sessionIds);
        this.sessionIds.add(id);
        return id;
      },
      releaseSessionId: (id) => void this.sessionIds.delete(id),
      reportInternalError,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      isShuttingDown: () => this.closing !== undefined,
    };
    this.socket = new ServerSocket({
      opened: (connection) => {
        const session = new RouterSession(connection, host);
        this.sessions.add(session);
        return {
          receive: (frame) => session.receive(frame),
          closed: () => {
            this.sessions.delete(session);
            session.transportClosed();
          },
        };
      },
    }, { maxPayload: options.maxMessageSize ?? 16 * 1024 * 1024, maxBufferedBytes: options.maxBufferedBytes ?? 64 * 1024 * 1024 });
  }

  /** Sessions currently joined to a realm, by realm URI. */
  sessionCount(realm: string): number {
    return this.realms.get(realm)?.sessions.size ?? 0;
  }

  /** Starts an HTTP server of its own and accepts WebSockets on `path`. */
  async listen(options: ListenOptions = {}): Promise<ListeningAddress> {
    if (this.ownedServer) throw new Error('the router is already listening');
    const server = createServer((_request, response) => {
      response.writeHead(426, { 'content-type': 'text/plain' }).end('WAMP over WebSocket only\n');
    });
    this.ownedServer = server;
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
      if (requestPath === path && this.closing === undefined) {
        this.socket.handleUpgrade(request, socket, head);
      } else if (options.refuseOtherPaths) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      }
    };
    server.on('upgrade', onUpgrade);
    this.detachers.push(() => server.off('upgrade', onUpgrade));
  }

  /**
   * Says GOODBYE (wamp.close.system_shutdown) to every session, waits up to closeGraceMs
   * for the answers, closes every connection, and stops the server it started in listen().
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const detach of this.detachers) detach();
    await Promise.all([...this.sessions].map((session) => session.shutdown(this.closeGraceMs)));
    await this.socket.close();
    const server = this.ownedServer;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }
}
