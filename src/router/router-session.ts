import type { Codec } from '../codec/index.js';
import {
  CloseReason, ErrorUri, isValidUri, MAX_ID, MessageType, ProtocolViolation, RequestIdCounter, validateMessage,
  type AuthenticateMessage, type Dict, type HelloMessage, type WampMessage,
} from '../protocol/index.js';
import { AuthDenied, type AuthStep, type HelloInfo, type Identity } from './auth.js';
import { ROUTER_AGENT, ROUTER_ROLES } from './features.js';
import type { PeerConnection } from './peer-connection.js';
import { PeerRoles } from './peer-roles.js';
import type { Realm } from './realm.js';

/** What a session needs from the router that owns it. */
export interface SessionHost {
  findRealm(uri: string): Realm | undefined;
  allocateSessionId(): number;
  releaseSessionId(id: number): void;
  /** A bug surfaced while handling a frame: the session is aborted, the router reports it here. */
  reportInternalError(error: unknown): void;
  /** close() was called: new joins are refused. */
  isShuttingDown(): boolean;
  /** How long a connection may take from open (or GOODBYE) to WELCOME, CHALLENGE answers included. */
  readonly handshakeTimeoutMs: number;
}

/**
 * - awaiting-hello: nothing joined yet (also after a completed GOODBYE: the transport may carry a new HELLO, spec §4.1)
 * - authenticating: HELLO seen, a CHALLENGE may be outstanding
 * - established: WELCOME sent
 * - shutting-down: the router sent GOODBYE and waits for the answer, ignoring everything else (§4.5)
 * - closed: ABORT sent or received, or the transport is gone
 */
type SessionState = 'awaiting-hello' | 'authenticating' | 'established' | 'shutting-down' | 'closed';

interface PendingChallenge {
  readonly realm: Realm;
  readonly authmethod: string;
  readonly step: Extract<AuthStep, { kind: 'challenge' }>;
}

/** The session identity as WELCOME announced it. */
export interface SessionIdentity extends Identity {
  readonly authmethod: string;
}

const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;

/**
 * One client connection's WAMP session on the router side: HELLO, authentication, WELCOME,
 * GOODBYE and ABORT, the request-id watermark (§1.5, §6.2), and dispatch of established
 * traffic to its realm's dealer and broker. A malformed or out-of-order frame aborts only
 * this session.
 */
export class RouterSession {
  /** WELCOME.Session; 0 while not joined. */
  id = 0;
  realm: Realm | undefined;
  identity: SessionIdentity | undefined;
  roles: PeerRoles | undefined;

  private state: SessionState = 'awaiting-hello';
  /** The highest new request id seen (the watermark of §6.2). */
  private lastRequestId = 0;
  /** Router → client request ids (INVOCATION). */
  private invocationIds = new RequestIdCounter();
  private pendingChallenge: PendingChallenge | undefined;
  /** Identifies the current join attempt, so a slow authenticator cannot act on a later one. */
  private joinAttempt = 0;
  private shutdownDone: (() => void) | undefined;
  /** Runs while no session is established: a peer that never finishes joining is dropped. */
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly connection: PeerConnection, private readonly host: SessionHost) {
    this.armHandshakeTimer();
  }

  get codec(): Codec {
    return this.connection.codec;
  }

  get isEstablished(): boolean {
    return this.state === 'established';
  }

  /** Whether the client announced `feature` for `role` in HELLO. */
  supports(role: 'caller' | 'callee' | 'publisher' | 'subscriber', feature: string): boolean {
    return this.roles?.has(role, feature) ?? false;
  }

  nextInvocationId(): number {
    return this.invocationIds.next();
  }

  /** Entry point for every transport frame. Never throws. */
  receive(frame: string | Uint8Array): void {
    if (this.state === 'closed') return;
    let decoded: unknown;
    try {
      decoded = this.connection.codec.decode(frame);
    } catch (error) {
      return this.abort(ErrorUri.protocolViolation, `undecodable frame: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      this.dispatch(validateMessage(decoded, 'router'));
    } catch (error) {
      // Anything but a ProtocolViolation is a router bug: report it, but still only this session pays.
      if (!(error instanceof ProtocolViolation)) this.host.reportInternalError(error);
      this.abort(ErrorUri.protocolViolation, error instanceof Error ? error.message : 'malformed message');
    }
  }

  /** Encodes and sends; false when the session is closed or the payload cannot be encoded for this peer. */
  send(message: readonly unknown[]): boolean {
    if (this.state === 'closed') return false;
    let frame: string | Uint8Array;
    try {
      frame = this.connection.codec.encode(message);
    } catch {
      return false;
    }
    this.connection.sendFrame(frame);
    return true;
  }

  /** Like send, encoding each message once per serializer (events fan out to many sessions). */
  sendShared(message: readonly unknown[], encoded: Map<Codec, string | Uint8Array | null>): boolean {
    if (this.state === 'closed') return false;
    const codec = this.connection.codec;
    let frame = encoded.get(codec);
    if (frame === undefined) {
      try {
        frame = codec.encode(message);
      } catch {
        frame = null;
      }
      encoded.set(codec, frame);
    }
    if (frame === null) return false;
    this.connection.sendFrame(frame);
    return true;
  }

  /** The transport is gone: release everything the session held. */
  transportClosed(): void {
    clearTimeout(this.handshakeTimer);
    this.leaveRealm();
    this.state = 'closed';
    this.pendingChallenge = undefined;
    this.shutdownDone?.();
  }

  /**
   * Router shutdown: GOODBYE `wamp.close.system_shutdown`, then close the transport once
   * the client answers or `graceMs` passes.
   */
  shutdown(graceMs: number): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    if (this.state !== 'established') {
      this.closeTransport(CLOSE_GOING_AWAY, 'router shutting down');
      return Promise.resolve();
    }
    this.send([MessageType.GOODBYE, { message: 'the router is shutting down' }, CloseReason.systemShutdown]);
    this.leaveRealm();
    this.state = 'shutting-down';
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.closeTransport(CLOSE_GOING_AWAY, 'router shutting down'), graceMs);
      this.shutdownDone = () => {
        clearTimeout(timer);
        this.shutdownDone = undefined;
        resolve();
      };
    });
  }

  /** ABORT with the reason, then close the transport (spec §4.7). */
  abort(reason: string, message: string): void {
    if (this.state === 'closed') return;
    this.send([MessageType.ABORT, { message }, reason]);
    this.closeTransport(CLOSE_NORMAL, reason);
  }

  private closeTransport(code: number, reason: string): void {
    clearTimeout(this.handshakeTimer);
    this.leaveRealm();
    this.state = 'closed';
    this.pendingChallenge = undefined;
    this.connection.close(code, reason.slice(0, 120));
    // Router shutdown does not wait for the peer's side of the WebSocket close handshake.
    this.shutdownDone?.();
  }

  private dispatch(message: WampMessage): void {
    switch (this.state) {
      case 'awaiting-hello':
        if (message[0] === MessageType.HELLO) return this.hello(message);
        if (message[0] === MessageType.ABORT) return this.closeTransport(CLOSE_NORMAL, 'aborted by peer');
        throw new ProtocolViolation(`expected HELLO, got message type ${message[0]}`);
      case 'authenticating':
        if (message[0] === MessageType.AUTHENTICATE) return this.authenticate(message);
        if (message[0] === MessageType.ABORT) return this.closeTransport(CLOSE_NORMAL, 'aborted by peer');
        throw new ProtocolViolation(`expected AUTHENTICATE, got message type ${message[0]}`);
      case 'shutting-down':
        // Waiting for the answering GOODBYE; everything else is ignored (§4.5).
        if (message[0] === MessageType.GOODBYE || message[0] === MessageType.ABORT) this.closeTransport(CLOSE_NORMAL, 'goodbye');
        return;
      case 'established':
        return this.dispatchEstablished(message);
      case 'closed':
        return;
    }
  }

  private dispatchEstablished(message: WampMessage): void {
    const realm = this.realm!;
    switch (message[0]) {
      case MessageType.GOODBYE:
        this.send([MessageType.GOODBYE, {}, CloseReason.goodbyeAndOut]);
        this.leaveRealm();
        this.state = 'awaiting-hello';
        this.armHandshakeTimer();
        return;
      case MessageType.ABORT:
        return this.closeTransport(CLOSE_NORMAL, 'aborted by peer');
      case MessageType.PUBLISH:
        this.acceptNewRequest(message[1]);
        return realm.broker.publish(this, message);
      case MessageType.SUBSCRIBE:
        this.acceptNewRequest(message[1]);
        return realm.broker.subscribe(this, message);
      case MessageType.UNSUBSCRIBE:
        this.acceptNewRequest(message[1]);
        return realm.broker.unsubscribe(this, message);
      case MessageType.REGISTER:
        this.acceptNewRequest(message[1]);
        return realm.dealer.register(this, message);
      case MessageType.UNREGISTER:
        this.acceptNewRequest(message[1]);
        return realm.dealer.unregister(this, message);
      case MessageType.CALL: {
        // Continuation chunks of a progressive invocation reuse an old id (§6.2); the dealer
        // decides whether a non-new id is legal.
        const isNewRequest = this.isNextRequestId(message[1]);
        if (isNewRequest) this.lastRequestId = message[1];
        return realm.dealer.call(this, message, isNewRequest);
      }
      case MessageType.CANCEL:
        return realm.dealer.cancel(this, message);
      case MessageType.YIELD:
        return realm.dealer.yield(this, message);
      case MessageType.ERROR:
        return realm.dealer.invocationError(this, message);
      default:
        throw new ProtocolViolation(`message type ${message[0]} is not allowed in an established session`);
    }
  }

  private armHandshakeTimer(): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = setTimeout(() => {
      if (this.state === 'authenticating') this.abort(ErrorUri.authenticationFailed, `authentication not completed within ${this.host.handshakeTimeoutMs} ms`);
      else if (this.state === 'awaiting-hello') this.abort(ErrorUri.protocolViolation, `no HELLO within ${this.host.handshakeTimeoutMs} ms`);
    }, this.host.handshakeTimeoutMs);
  }

  private isNextRequestId(id: number): boolean {
    return id === (this.lastRequestId >= MAX_ID ? 1 : this.lastRequestId + 1);
  }

  /** New requests must continue the one sequence 1, 2, 3, … (§1.5). */
  private acceptNewRequest(id: number): void {
    if (!this.isNextRequestId(id)) throw new ProtocolViolation(`request id ${id} is out of sequence (expected ${this.lastRequestId >= MAX_ID ? 1 : this.lastRequestId + 1})`);
    this.lastRequestId = id;
  }

  private hello(message: HelloMessage): void {
    const [, realmUri, details] = message;
    this.roles = PeerRoles.fromHello(details);
    if (this.host.isShuttingDown()) return this.abort(CloseReason.systemShutdown, 'the router is shutting down');
    if (!isValidUri(realmUri)) return this.abort(ErrorUri.invalidUri, `realm "${realmUri}" is not a valid URI`);
    const realm = this.host.findRealm(realmUri);
    if (!realm) return this.abort(ErrorUri.noSuchRealm, `no realm "${realmUri}"`);

    const hello = readHello(realmUri, details, this.host.allocateSessionId());
    this.id = hello.sessionId;
    this.state = 'authenticating';
    const offered = hello.authmethods.length > 0 ? hello.authmethods : ['anonymous'];
    const authmethod = offered.find((method) => realm.findAuthenticator(method) !== undefined);
    if (authmethod === undefined) {
      return this.abort(ErrorUri.noMatchingAuthMethod, `none of the offered auth methods (${offered.join(', ')}) is accepted on realm "${realmUri}"`);
    }
    const attempt = ++this.joinAttempt;
    this.runAuthStep(attempt, realm, authmethod, () => realm.findAuthenticator(authmethod)!.begin(hello));
  }

  private authenticate(message: AuthenticateMessage): void {
    const pending = this.pendingChallenge;
    if (!pending) throw new ProtocolViolation('AUTHENTICATE without a CHALLENGE');
    this.pendingChallenge = undefined;
    const [, signature, extra] = message;
    this.runAuthStep(this.joinAttempt, pending.realm, pending.authmethod, async () => ({
      kind: 'welcome' as const,
      identity: await pending.step.verify(signature, extra),
    }));
  }

  /** Runs one (possibly async) authenticator step, ignoring its outcome if the attempt is over. */
  private runAuthStep(attempt: number, realm: Realm, authmethod: string, step: () => AuthStep | Promise<AuthStep>): void {
    const current = () => this.state === 'authenticating' && this.joinAttempt === attempt;
    const proceed = (outcome: AuthStep) => {
      if (!current()) return;
      if (outcome.kind === 'welcome') {
        // An authenticator's bug must not admit a session without a proper identity.
        if (!isIdentity(outcome.identity)) return refuse(new TypeError(`the ${authmethod} authenticator returned an identity without string authid and authrole`));
        return this.welcome(realm, authmethod, outcome.identity);
      }
      this.pendingChallenge = { realm, authmethod, step: outcome };
      this.send([MessageType.CHALLENGE, authmethod, outcome.extra]);
    };
    const refuse = (error: unknown) => {
      if (!current()) return;
      if (error instanceof AuthDenied) return this.abort(error.uri, error.message);
      this.host.reportInternalError(error);
      this.abort(ErrorUri.authenticationFailed, 'authentication failed');
    };
    try {
      const outcome = step();
      if (outcome instanceof Promise) outcome.then(proceed, refuse);
      else proceed(outcome);
    } catch (error) {
      refuse(error);
    }
  }

  private welcome(realm: Realm, authmethod: string, identity: Identity): void {
    if (this.host.isShuttingDown()) return this.abort(CloseReason.systemShutdown, 'the router is shutting down');
    this.identity = { ...identity, authmethod };
    this.realm = realm;
    this.lastRequestId = 0;
    this.invocationIds = new RequestIdCounter();
    this.state = 'established';
    clearTimeout(this.handshakeTimer);
    realm.join(this);
    const details: Dict = {
      realm: realm.uri,
      roles: ROUTER_ROLES,
      agent: ROUTER_AGENT,
      authid: identity.authid,
      authrole: identity.authrole,
      authmethod,
      authprovider: identity.authprovider ?? 'static',
    };
    if (identity.authextra) details['authextra'] = identity.authextra;
    this.send([MessageType.WELCOME, this.id, details]);
  }

  private leaveRealm(): void {
    if (this.id !== 0) {
      this.realm?.leave(this);
      this.host.releaseSessionId(this.id);
    }
    this.realm = undefined;
    this.id = 0;
  }
}

function isIdentity(identity: unknown): identity is Identity {
  const candidate = identity as Partial<Identity> | undefined;
  return typeof candidate?.authid === 'string' && candidate.authid !== '' && typeof candidate.authrole === 'string' && candidate.authrole !== '';
}

function readHello(realm: string, details: Dict, sessionId: number): HelloInfo {
  const authmethods = Array.isArray(details['authmethods'])
    ? (details['authmethods'] as unknown[]).filter((method): method is string => typeof method === 'string')
    : [];
  const authextra = details['authextra'];
  return {
    realm,
    authid: typeof details['authid'] === 'string' ? details['authid'] : undefined,
    authrole: typeof details['authrole'] === 'string' ? details['authrole'] : undefined,
    authmethods,
    authextra: typeof authextra === 'object' && authextra !== null && !Array.isArray(authextra) ? authextra as Dict : {},
    sessionId,
  };
}
