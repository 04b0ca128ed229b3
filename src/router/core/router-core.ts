import type { Codec } from '../../codec/codec.js';
import { isValidUri } from '../../protocol/index.js';
import { anonymousAuth } from './authenticators/anonymous.js';
import { unusedGlobalId } from './global-ids.js';
import type { PeerConnection } from './peer-connection.js';
import { Realm, type RealmView } from './realm.js';
import { resolveLimits, resolveSerializers, type RealmOptions, type RouterLimits, type RouterOptions } from './router-options.js';
import { RouterSession, type SessionHost } from './router-session.js';
import { resolveSessionLimits } from './session-limits.js';

/** What a transport does with the session it opened: hand it frames, tell it of drains and of the close. */
export interface SessionHandlers {
  /** One incoming frame, as text (JSON) or bytes, with its size on the wire. */
  receive(frame: string | Uint8Array, byteLength: number): void;
  /** The connection was congested (over flowHighWaterMark) and has drained below flowLowWaterMark. */
  drained(): void;
  /** The transport closed: the session is released. */
  closed(): void;
}

/**
 * The router without a network: realms, sessions, authentication, limits and shutdown. Its
 * transports (the Node WebSocket and RawSocket listeners, the in-memory transport of
 * rxwamp/testing) each turn a connection into a PeerConnection and hand it to `openSession`.
 * It imports nothing from Node, so it runs in browsers, jsdom, Bun and Deno alike.
 */
export class RouterCore {
  private readonly realms = new Map<string, Realm>();
  private readonly sessionIds = new Set<number>();
  private readonly sessions = new Set<RouterSession>();
  private readonly host: SessionHost;
  private closing: Promise<void> | undefined;
  /** The limits every transport applies (RouterOptions, resolved). */
  protected readonly limits: RouterLimits;
  /** The serializers, one per subprotocol, in the order given. */
  protected readonly codecs: readonly Codec[];
  /** The WebSocket subprotocols this router speaks, one per serializer given (RouterOptions.serializers), e.g. `['wamp.2.json']`. */
  readonly subprotocols: readonly string[];

  /**
   * Sets the router up. Throws a TypeError for an invalid option: a realm URI that is not
   * valid or is listed twice, a limit out of range, a serializer it does not know.
   */
  constructor(options: RouterOptions) {
    this.limits = resolveLimits(options);
    this.codecs = resolveSerializers(options);
    this.subprotocols = Object.freeze(this.codecs.map((codec) => codec.subprotocol));
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
    this.host = {
      findRealm: (uri) => this.realms.get(uri),
      allocateSessionId: () => {
        const id = unusedGlobalId(this.sessionIds);
        this.sessionIds.add(id);
        return id;
      },
      releaseSessionId: (id) => void this.sessionIds.delete(id),
      reportInternalError,
      handshakeTimeoutMs: this.limits.handshakeTimeoutMs,
      maxMessageSize: this.limits.maxMessageSize,
      isShuttingDown: () => this.closing !== undefined,
    };
  }

  /**
   * A transport connection opened: it becomes a session (HELLO next). `maxMessageSize` is the
   * smaller limit a transport negotiated (RawSocket), or the router's. Returns what the
   * transport reports to the session.
   */
  protected openSession(connection: PeerConnection, maxMessageSize = this.limits.maxMessageSize): SessionHandlers {
    const host = maxMessageSize === this.host.maxMessageSize ? this.host : { ...this.host, maxMessageSize };
    const session = new RouterSession(connection, host);
    this.sessions.add(session);
    return {
      receive: (frame, byteLength) => session.receive(frame, byteLength),
      drained: () => session.flow.drained(),
      closed: () => {
        this.sessions.delete(session);
        session.transportClosed();
      },
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

  /** What realm `uri` holds now (undefined for a realm the router does not serve): for tests and monitoring. */
  protected realmView(uri: string): RealmView | undefined {
    return this.realms.get(uri)?.view();
  }

  /** The realms served, in the order given. */
  protected realmUris(): readonly string[] {
    return [...this.realms.keys()];
  }

  /** Whether close() was called (a method, so that it is read afresh after an await). */
  protected isClosing(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Says GOODBYE (wamp.close.system_shutdown) to every session, waits up to closeGraceMs
   * for the answers and closes every connection; a transport's own shutdown follows
   * (`shutdown`).
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** What close() does, once; a subclass stops its listeners around `closeSessions()`. */
  protected shutdown(): Promise<void> {
    return this.closeSessions();
  }

  /**
   * Every established session gets its GOODBYE in this one synchronous pass and sends nothing
   * after it; sessions release their calls only when their transport closes. So a caller
   * whose callee is shut down first sees GOODBYE system_shutdown, never "the callee left".
   */
  protected async closeSessions(): Promise<void> {
    await Promise.all([...this.sessions].map((session) => session.shutdown(this.limits.closeGraceMs)));
  }
}
