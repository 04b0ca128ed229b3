import type { Codec } from '../../codec/index.js';
import {
  CloseReason,
  ErrorUri,
  isValidUri,
  MessageType,
  ProtocolViolation,
  RequestIdCounter,
  validateMessage,
  type AuthenticateMessage,
  type Dict,
  type HelloMessage,
  type WampMessage,
} from '../../protocol/index.js';
import { AuthDenied, type AuthStep, type Identity } from './auth.js';
import { ROUTER_AGENT, ROUTER_ROLES } from './features.js';
import { FlowGate } from './flow-control.js';
import { isIdentity, readHello } from './hello.js';
import { closeTooBig, frameExceeds, MAX_HANDSHAKE_MESSAGE_BYTES, type TransportClose } from './message-size.js';
import type { PeerConnection } from './peer-connection.js';
import { PeerRoles } from './peer-roles.js';
import type { Realm } from './realm.js';
import { RequestSequence } from './request-sequence.js';
import type { RoutedSession, SendOutcome, SessionIdentity } from './routed-session.js';

export type { SendOutcome, SessionIdentity };

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
  /** Largest message in bytes, both ways (RouterOptions.maxMessageSize). */
  readonly maxMessageSize: number;
}

/**
 * - awaiting-hello: nothing joined yet (also after a completed GOODBYE: the transport may carry a new HELLO, spec §4.1)
 * - authenticating: HELLO seen, a CHALLENGE may be outstanding
 * - established: WELCOME sent
 * - shutting-down: the router sent GOODBYE and waits for the answer, ignoring everything else and sending nothing (§4.5)
 * - closed: ABORT sent or received, or the transport is gone
 */
type SessionState = 'awaiting-hello' | 'authenticating' | 'established' | 'shutting-down' | 'closed';

interface PendingChallenge {
  readonly realm: Realm;
  readonly authmethod: string;
  readonly step: Extract<AuthStep, { kind: 'challenge' }>;
}

const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;

/**
 * One client connection's WAMP session on the router side: HELLO, authentication, WELCOME,
 * GOODBYE and ABORT, the request-id watermark (§1.5, §6.2), and dispatch of established
 * traffic to its realm's dealer and broker. A malformed or out-of-order frame aborts only
 * this session.
 */
export class RouterSession implements RoutedSession {
  /** WELCOME.Session; 0 while not joined. */
  id = 0;
  realm: Realm | undefined;
  identity: SessionIdentity | undefined;
  roles: PeerRoles | undefined;
  /** Backpressure between this peer and the peers whose messages it relays (see FlowGate). */
  readonly flow: FlowGate;

  private state: SessionState = 'awaiting-hello';
  private readonly requests = new RequestSequence();
  /** Router → client request ids (INVOCATION). */
  private invocationIds = new RequestIdCounter();
  private pendingChallenge: PendingChallenge | undefined;
  /** Identifies the current join attempt, so a slow authenticator cannot act on a later one. */
  private joinAttempt = 0;
  private shutdownDone: (() => void) | undefined;
  /** Runs while no session is established: a peer that never finishes joining is dropped. */
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly connection: PeerConnection,
    private readonly host: SessionHost,
  ) {
    this.flow = new FlowGate(connection);
    this.armHandshakeTimer();
  }

  get codec(): Codec {
    return this.connection.codec;
  }

  /** Bytes sent to this peer and not yet written to the network (what its socket holds). */
  get unsentBytes(): number {
    return this.connection.unsentBytes;
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

  /** Entry point for every transport frame; `byteLength` is its size on the wire. Never throws. */
  receive(frame: string | Uint8Array, byteLength: number): void {
    if (this.state === 'closed') return;
    const oversize = byteLength > this.host.maxMessageSize;
    if (this.state === 'awaiting-hello' || this.state === 'authenticating') {
      // Refused before decoding: an unjoined peer must not make the router walk a huge HELLO.
      const handshakeLimit = Math.min(this.host.maxMessageSize, MAX_HANDSHAKE_MESSAGE_BYTES);
      if (byteLength > handshakeLimit) {
        return this.abort(
          ErrorUri.protocolViolation,
          `a message before WELCOME may be at most ${handshakeLimit} bytes; got ${byteLength}`,
          closeTooBig(byteLength),
        );
      }
    }
    let decoded: unknown;
    try {
      decoded = this.connection.codec.decode(frame);
    } catch (error) {
      return this.abort(
        ErrorUri.protocolViolation,
        `undecodable frame: ${error instanceof Error ? error.message : String(error)}`,
        oversize ? closeTooBig(byteLength) : undefined,
      );
    }
    try {
      const message = validateMessage(decoded, 'router');
      if (oversize && this.state === 'established') this.refuseOversize(message, byteLength);
      else this.dispatch(message);
    } catch (error) {
      // Anything but a ProtocolViolation is a router bug: report it, but still only this session pays.
      if (!(error instanceof ProtocolViolation)) this.host.reportInternalError(error);
      this.abort(ErrorUri.protocolViolation, error instanceof Error ? error.message : 'malformed message', oversize ? closeTooBig(byteLength) : undefined);
    }
  }

  /** Encodes and sends; false when it was not sent (see trySend for why). */
  send(message: readonly unknown[]): boolean {
    return this.trySend(message) === 'sent';
  }

  /** Encodes and sends, unless the session is closed, the payload cannot be encoded or it is over the size limit. */
  trySend(message: readonly unknown[]): SendOutcome {
    if (this.state === 'closed' || this.state === 'shutting-down') return 'closed';
    let frame: string | Uint8Array;
    try {
      frame = this.connection.codec.encode(message);
    } catch {
      return 'unencodable';
    }
    if (frameExceeds(frame, this.host.maxMessageSize)) return 'oversize';
    this.connection.sendFrame(frame);
    return 'sent';
  }

  /**
   * Like send, encoding each message once per serializer (events fan out to many sessions);
   * `encoded` caches the frame per codec, or null when it cannot be sent in that codec.
   */
  sendShared(message: readonly unknown[], encoded: Map<Codec, string | Uint8Array | null>): boolean {
    if (this.state === 'closed' || this.state === 'shutting-down') return false;
    const codec = this.connection.codec;
    let frame = encoded.get(codec);
    if (frame === undefined) {
      try {
        frame = codec.encode(message);
        if (frameExceeds(frame, this.host.maxMessageSize)) frame = null;
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
    this.flow.closed();
    this.leaveRealm();
    this.state = 'closed';
    this.pendingChallenge = undefined;
    this.shutdownDone?.();
  }

  /**
   * Router shutdown: GOODBYE `wamp.close.system_shutdown`, then close the transport once
   * the client answers or `graceMs` passes. The session keeps its place in the realm until
   * then, sending nothing more: the router says GOODBYE to every session before any of them
   * leaves, so no caller hears of a callee leaving instead of the shutdown.
   */
  shutdown(graceMs: number): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    if (this.state !== 'established') {
      this.closeTransport(CLOSE_GOING_AWAY, 'router shutting down');
      return Promise.resolve();
    }
    this.send([MessageType.GOODBYE, { message: 'the router is shutting down' }, CloseReason.systemShutdown]);
    this.state = 'shutting-down';
    // Nothing more is relayed; a peer held back must be read again to hear its GOODBYE answer.
    this.flow.closed();
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
  abort(reason: string, message: string, close: TransportClose = { code: CLOSE_NORMAL, reason }): void {
    if (this.state === 'closed') return;
    this.send([MessageType.ABORT, { message }, reason]);
    this.closeTransport(close.code, close.reason);
  }

  private closeTransport(code: number, reason: string): void {
    clearTimeout(this.handshakeTimer);
    this.flow.closed();
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
        this.requests.take(message[1]);
        return realm.broker.publish(this, message);
      case MessageType.SUBSCRIBE:
        this.requests.take(message[1]);
        return realm.broker.subscribe(this, message);
      case MessageType.UNSUBSCRIBE:
        this.requests.take(message[1]);
        return realm.broker.unsubscribe(this, message);
      case MessageType.REGISTER:
        this.requests.take(message[1]);
        return realm.dealer.register(this, message);
      case MessageType.UNREGISTER:
        this.requests.take(message[1]);
        return realm.dealer.unregister(this, message);
      case MessageType.CALL: {
        // Continuation chunks of a progressive invocation reuse an old id (§6.2); the dealer
        // decides whether a non-new id is legal.
        return realm.dealer.call(this, message, this.requests.takeIfNext(message[1]));
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

  /**
   * An established session's message over maxMessageSize (decoded to find its request: the
   * frame is at most maxFrameSize). The one request fails with payload_size_exceeded and the
   * session goes on; request ids are accounted as if it had been routed. Other message types
   * carry no payload, so an oversize one is abuse, not data: the session is aborted.
   */
  private refuseOversize(message: WampMessage, byteLength: number): void {
    const realm = this.realm!;
    const why = `the message is ${byteLength} bytes, over the router's limit of ${this.host.maxMessageSize}`;
    switch (message[0]) {
      case MessageType.CALL:
        return realm.dealer.refuseOversizeCall(this, message, this.requests.takeIfNext(message[1]), why);
      case MessageType.PUBLISH:
        this.requests.take(message[1]);
        return realm.broker.refuseOversizePublish(this, message, why);
      case MessageType.YIELD:
        return realm.dealer.refuseOversizeYield(this, message, why);
      case MessageType.ERROR:
        return realm.dealer.refuseOversizeInvocationError(this, message, why);
      default:
        return this.abort(ErrorUri.protocolViolation, `message type ${message[0]}: ${why}`, closeTooBig(byteLength));
    }
  }

  private armHandshakeTimer(): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = setTimeout(() => {
      if (this.state === 'authenticating') this.abort(ErrorUri.authenticationFailed, `authentication not completed within ${this.host.handshakeTimeoutMs} ms`);
      else if (this.state === 'awaiting-hello') this.abort(ErrorUri.protocolViolation, `no HELLO within ${this.host.handshakeTimeoutMs} ms`);
    }, this.host.handshakeTimeoutMs);
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
    const proceed = (outcome: AuthStep): void => {
      if (!current()) return;
      if (outcome.kind === 'welcome') {
        if (!isIdentity(outcome.identity))
          return refuse(new TypeError(`the ${authmethod} authenticator returned an identity without string authid and authrole`));
        return this.welcome(realm, authmethod, outcome.identity);
      }
      this.pendingChallenge = { realm, authmethod, step: outcome };
      this.send([MessageType.CHALLENGE, authmethod, outcome.extra]);
    };
    const refuse = (error: unknown): void => {
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
    this.requests.reset();
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
