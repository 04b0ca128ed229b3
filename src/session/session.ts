import { asSerializationError } from '../codec/codec.js';
import { AUTHENTICATION_FAILED, CLOSE_REALM, GOODBYE_AND_OUT, PROTOCOL_VIOLATION } from '../protocol/error-uris.js';
import { WampConnectionError, WampError } from '../protocol/errors.js';
import { RequestIdCounter } from '../protocol/ids.js';
import * as MessageType from '../protocol/message-type.js';
import { withPayload, type Dict, type ErrorMessage, type ErrorRequestType, type WampMessage } from '../protocol/messages.js';
import { CLIENT_RULES, ProtocolViolation, validateWith } from '../protocol/validate.js';
import type { Transport } from '../transport/transport.js';
import type { Authenticator, ChallengeAnswer } from '../auth/authenticator.js';
import { reportTo, type ErrorContext, type ErrorReporter } from './error-report.js';

export type SessionState = 'establishing' | 'established' | 'shutting-down' | 'closed';

/** What the router told us in WELCOME. */
export interface SessionInfo {
  /** The session id the router assigned (a new one on every connection). */
  readonly id: number;
  /** The realm joined. */
  readonly realm: string;
  /** WELCOME.Details as sent (roles, agent, auth fields, …). */
  readonly details: Dict;
  /** The identity the router granted (WELCOME.Details), when it says. */
  readonly authid?: string;
  /** The role the router granted, when it says. */
  readonly authrole?: string;
  /** The authentication method that admitted the session (e.g. `ticket`), when the router says. */
  readonly authmethod?: string;
  /** Who authenticated the session (e.g. `static`), when the router says. */
  readonly authprovider?: string;
  /** Extra authentication data from WELCOME.Details, when the router sent some. */
  readonly authextra?: Dict;
}

export interface SessionOptions {
  readonly realm: string;
  /** HELLO.Details.roles: each role with the features it really implements. */
  readonly roles: Dict;
  readonly agent: string;
  /** How long close() waits for the router's answering GOODBYE. */
  readonly goodbyeTimeout: number;
  /** Authentication methods offered in HELLO, in preference order (none: anonymous). */
  readonly auth?: readonly Authenticator[];
  /** Told what application code threw where no operation of its own is left to fail (the client's `onError`). */
  readonly onError?: ErrorReporter;
}

type Handler<M> = (message: M) => void;
/** A message type code. */
type MessageCode = WampMessage[0];
type MessageOfType<T extends MessageCode> = Extract<WampMessage, [T, ...unknown[]]>;

/**
 * One WAMP session over one transport (spec §4): the HELLO/WELCOME/ABORT opening, the
 * GOODBYE handshake both ways, the request-id counter, and dispatch of every validated
 * incoming message to the one handler a role registered for its type (O(1) by type; each
 * role then finds its pending entry by request id).
 */
export class Session {
  #state: SessionState = 'establishing';
  readonly #requestIds = new RequestIdCounter();
  /** Indexed by message type (a dense array is the cheapest lookup on the per-message path). */
  readonly #handlers: Array<Handler<never> | undefined> = [];
  readonly #errorHandlers: Array<Handler<ErrorMessage> | undefined> = [];
  readonly #closeListeners: Array<(error: Error) => void> = [];
  #welcome: SessionInfo | undefined;
  #opening: { resolve(info: SessionInfo): void; reject(error: Error): void } | undefined;
  #goodbyeAnswered: (() => void) | undefined;
  #closeError: Error | undefined;

  readonly #transport: Transport;
  readonly #options: SessionOptions;

  constructor(transport: Transport, options: SessionOptions) {
    this.#transport = transport;
    this.#options = options;
    transport.setListener({
      onMessage: (raw) => this.#receive(raw),
      onDecodeError: (error) => this.protocolViolation(`undecodable frame: ${error.message}`),
      onClose: (code, reason) => this.#transportClosed(code, reason),
    });
  }

  get isOpen(): boolean {
    return this.#state === 'established';
  }

  get info(): SessionInfo | undefined {
    return this.#welcome;
  }

  /** Why the session ended (undefined while it is open). */
  get closedWith(): Error | undefined {
    return this.#closeError;
  }

  /**
   * Sends HELLO; resolves on WELCOME, rejects with a WampError on ABORT, and with a
   * WampConnectionError `timeout` with `timeoutMessage` (dropping the connection) when no
   * answer comes within `timeoutMs` (0: no limit).
   */
  open(timeoutMs: number, timeoutMessage: string): Promise<SessionInfo> {
    return new Promise<SessionInfo>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.#end(new WampConnectionError('timeout', timeoutMessage));
              this.#transport.abort('no WELCOME');
            }, timeoutMs)
          : undefined;
      this.#opening = {
        resolve: (info) => {
          clearTimeout(timer);
          resolve(info);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      void this.#sendHello();
    });
  }

  /** HELLO with the auth methods' details, asked for afresh on every join (secrets may be refreshed). */
  async #sendHello(): Promise<void> {
    const details: Dict = { roles: this.#options.roles, agent: this.#options.agent };
    const methods = this.#options.auth ?? [];
    try {
      if (methods.length > 0) Object.assign(details, await helloAuth(methods));
    } catch (error) {
      return void this.#cannotAuthenticate(`could not prepare ${methods.map((m) => m.method).join(', ')} for HELLO: ${errorText(error)}`);
    }
    if (this.#state !== 'establishing') return; // timed out or closed meanwhile
    try {
      this.#transport.send([MessageType.HELLO, this.#options.realm, details]);
    } catch (error) {
      this.#end(error instanceof Error ? error : new Error(String(error)));
      this.#transport.abort('HELLO could not be sent');
    }
  }

  /** Answers a CHALLENGE with the offered method's AUTHENTICATE (several rounds may come). */
  async #answerChallenge(method: string, extra: Dict): Promise<void> {
    const authenticator = this.#options.auth?.find((candidate) => candidate.method === method);
    if (authenticator === undefined) {
      // The spec's answer to a challenge for a method this client never offered: ABORT.
      const offered = this.#options.auth?.map((candidate) => candidate.method).join(', ') || 'none';
      try {
        this.#transport.send([MessageType.ABORT, { message: `${method} was not offered` }, AUTHENTICATION_FAILED]);
      } catch {
        /* ignore */
      }
      this.#end(
        new WampError(AUTHENTICATION_FAILED, { message: `${AUTHENTICATION_FAILED}: the router sent a ${method} challenge, but the client offered ${offered}` }),
      );
      this.#transport.close(1000);
      return;
    }
    let answer: ChallengeAnswer;
    try {
      answer = await authenticator.answer(extra);
    } catch (error) {
      return void this.#cannotAuthenticate(`could not answer the ${method} challenge: ${errorText(error)}`);
    }
    if (this.#state !== 'establishing') return;
    try {
      this.#transport.send([MessageType.AUTHENTICATE, answer.signature, answer.extra ?? {}]);
    } catch (error) {
      this.#cannotAuthenticate(`could not send AUTHENTICATE: ${errorText(error)}`);
    }
  }

  /** Gives up joining because this side cannot authenticate (never with the secret in the message). */
  #cannotAuthenticate(message: string): void {
    if (this.#state !== 'establishing') return;
    try {
      this.#transport.send([MessageType.ABORT, { message: 'the client cannot authenticate' }, CANNOT_AUTHENTICATE]);
    } catch {
      /* ignore */
    }
    this.#end(new WampError(CANNOT_AUTHENTICATE, { message: `${CANNOT_AUTHENTICATE}: ${message}` }));
    this.#transport.close(1000);
  }

  /**
   * Sends a new request under the next request id (one counter for every request type,
   * §1.5), which it writes into element 1 of `message`, and returns that id. The id is only
   * taken once the message encoded, so a payload that cannot be serialized throws here and
   * leaves no gap in the sequence.
   */
  sendRequest(message: unknown[]): number {
    this.#assertOpen();
    return this.#sendNextRequest(message);
  }

  /** sendRequest for a message whose last two elements are its args and kwargs (see withPayload). */
  sendRequestWithPayload(message: unknown[]): number {
    this.#assertOpen();
    try {
      withPayload(message);
    } catch (error) {
      throw asSerializationError(error); // the payload could not even be read (a hostile Proxy)
    }
    return this.#sendNextRequest(message);
  }

  #sendNextRequest(message: unknown[]): number {
    const requestId = this.#requestIds.peek();
    message[1] = requestId;
    this.#transport.send(message);
    this.#requestIds.next();
    return requestId;
  }

  /**
   * Sends a message; throws (nothing sent) SerializationError if it cannot be encoded, WampError
   * payload_size_exceeded if it is too large, and the session's WampConnectionError once it ended.
   */
  send(message: readonly unknown[]): void {
    this.#assertOpen();
    this.#transport.send(message);
  }

  /**
   * Application code threw where no operation of its own is left to fail: the roles report it
   * here, and so does dispatch for whatever a role's handling let through. Never rethrown.
   */
  report(error: unknown, context: ErrorContext): void {
    if (this.#options.onError) reportTo(this.#options.onError, error, context);
  }

  /** Operations find out here, not by silence, that the session is gone. */
  #assertOpen(): void {
    if (this.#state === 'established') return;
    throw this.#closeError ?? new WampConnectionError('closed', `the session is ${this.#state}`);
  }

  /** Bytes sent but not yet written out by the connection (what a fast producer piles up). */
  get bufferedAmount(): number {
    return this.#transport.bufferedAmount;
  }

  /** Resolves once at most `highWaterMark` bytes wait to be written, or the connection ended. */
  whenWritable(highWaterMark: number): Promise<void> {
    return this.#transport.whenWritable(highWaterMark);
  }

  /** Whether the router announced `feature` for `role` (dealer or broker) in WELCOME. */
  routerSupports(role: 'dealer' | 'broker', feature: string): boolean {
    const roles = this.#welcome?.details['roles'] as Record<string, { features?: Dict } | undefined> | undefined;
    return roles?.[role]?.features?.[feature] === true;
  }

  /** A role takes the incoming messages of one type. */
  route<T extends MessageCode>(type: T, handler: Handler<MessageOfType<T>>): void {
    this.#handlers[type] = handler;
  }

  /** A role takes the ERRORs that answer one of its request types. */
  routeError(requestType: ErrorRequestType, handler: Handler<ErrorMessage>): void {
    this.#errorHandlers[requestType] = handler;
  }

  /** Called once when the session ends, with the reason every pending operation should fail with. */
  onClose(listener: (error: Error) => void): void {
    if (this.#state === 'closed') listener(this.#closeError!);
    else this.#closeListeners.push(listener);
  }

  /**
   * GOODBYE handshake (§4.5); resolves when the router answered or after goodbyeTimeout (then
   * the connection is dropped). Pending operations fail with `error`.
   */
  close(reason: string = CLOSE_REALM, error: Error): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    if (this.#state !== 'established') {
      this.#end(error);
      this.#transport.abort('closed before the session was established');
      return Promise.resolve();
    }
    this.#state = 'shutting-down';
    return new Promise<void>((resolve) => {
      const finish = (answered: boolean): void => {
        clearTimeout(timer);
        this.#goodbyeAnswered = undefined;
        this.#end(error);
        // A router that did not answer GOODBYE would not answer the closing handshake either.
        if (answered) this.#transport.close(1000);
        else this.#transport.abort('no answer to GOODBYE');
        resolve();
      };
      const timer = setTimeout(() => finish(false), this.#options.goodbyeTimeout);
      this.#goodbyeAnswered = () => finish(true);
      try {
        this.#transport.send([MessageType.GOODBYE, {}, reason]);
      } catch {
        finish(false);
      }
    });
  }

  /** Ends the session because the peer broke the protocol (§4.7). */
  protocolViolation(message: string): void {
    if (this.#state === 'closed') return;
    try {
      this.#transport.send([MessageType.ABORT, { message }, PROTOCOL_VIOLATION]);
    } catch {
      /* the transport may already be gone */
    }
    this.#end(new WampConnectionError('protocol-violation', `protocol violation: ${message}`, { reason: PROTOCOL_VIOLATION, details: { message } }));
    this.#transport.close(1002, 'protocol violation');
  }

  #receive(raw: unknown): void {
    if (this.#state === 'closed') return;
    let message: WampMessage;
    try {
      message = validateWith(raw, CLIENT_RULES);
    } catch (error) {
      // Nothing a router sends may throw out of the socket's event handler (that would crash
      // a Node process): a frame that is not valid WAMP ends this session.
      return this.protocolViolation(error instanceof ProtocolViolation ? error.message : `a message could not be read: ${errorText(error)}`);
    }
    try {
      this.#dispatch(message);
    } catch (error) {
      // The router is blamed only for what it sent. Anything else that got this far is
      // application code the roles ran (a handler, a teardown, an observer chain): it is
      // reported, and the session and every other operation go on.
      if (error instanceof ProtocolViolation) this.protocolViolation(error.message);
      else this.report(error, { source: 'callback' });
    }
  }

  #dispatch(message: WampMessage): void {
    const type = message[0];
    switch (this.#state) {
      case 'establishing':
        return this.#receiveWhileEstablishing(message);
      case 'shutting-down':
        // While waiting for the answering GOODBYE everything else is ignored (§4.5).
        if (type === MessageType.GOODBYE || type === MessageType.ABORT) this.#goodbyeAnswered?.();
        return;
      case 'established':
        break;
    }
    if (type === MessageType.ERROR) {
      const handler = this.#errorHandlers[message[1]];
      if (handler) handler(message);
      return;
    }
    const handler = this.#handlers[type] as Handler<WampMessage> | undefined;
    if (handler) return handler(message);
    switch (type) {
      case MessageType.GOODBYE:
        return this.#goodbyeFromRouter(message[1], message[2]);
      case MessageType.ABORT:
        this.#end(
          new WampConnectionError('router-closed', `the router aborted the session: ${describeReason(message[2], message[1])}`, {
            reason: message[2],
            details: message[1],
          }),
        );
        return this.#transport.close(1000);
      case MessageType.WELCOME:
      case MessageType.CHALLENGE:
        return this.protocolViolation(`${type === MessageType.WELCOME ? 'WELCOME' : 'CHALLENGE'} received on an established session`);
      default:
        // A message for a role this client did not announce.
        return this.protocolViolation(`unexpected message type ${type} for the roles this client announced`);
    }
  }

  #receiveWhileEstablishing(message: WampMessage): void {
    switch (message[0]) {
      case MessageType.WELCOME:
        this.#state = 'established';
        this.#welcome = welcomeInfo(message[1], this.#options.realm, message[2]);
        this.#opening?.resolve(this.#welcome);
        this.#opening = undefined;
        return;
      case MessageType.ABORT: {
        const error = new WampError(message[2], { details: message[1], args: message[3], kwargs: message[4] });
        this.#end(error);
        this.#transport.close(1000);
        return;
      }
      case MessageType.CHALLENGE:
        void this.#answerChallenge(message[1], message[2]);
        return;
      default:
        this.protocolViolation(`message type ${message[0]} received before WELCOME`);
    }
  }

  #goodbyeFromRouter(details: Dict, reason: string): void {
    try {
      this.#transport.send([MessageType.GOODBYE, {}, GOODBYE_AND_OUT]);
    } catch {
      /* ignore */
    }
    this.#end(new WampConnectionError('router-closed', `the router closed the session: ${describeReason(reason, details)}`, { reason, details }));
    this.#transport.close(1000);
  }

  #transportClosed(code: number, reason: string): void {
    if (this.#state === 'shutting-down') this.#goodbyeAnswered?.();
    this.#end(new WampConnectionError('lost', `connection lost (code ${code}${reason ? `: ${reason}` : ''})`, { closeCode: code }));
  }

  /** Moves to closed once, failing the opening attempt and telling every role. */
  #end(error: Error): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#closeError = error;
    this.#opening?.reject(error);
    this.#opening = undefined;
    const listeners = this.#closeListeners.splice(0);
    for (const listener of listeners) {
      // Each listener fails its own operations, whose observers are application code: one that
      // throws must not keep the others (the connection's among them) from hearing of the end.
      try {
        listener(error);
      } catch (thrown) {
        this.report(thrown, { source: 'callback' });
      }
    }
  }
}

function describeReason(reason: string, details: Dict): string {
  return typeof details['message'] === 'string' ? `${reason} (${details['message']})` : reason;
}

/** Autobahn's ABORT reason when the client itself cannot run the method (digest §9.1). */
const CANNOT_AUTHENTICATE = 'wamp.error.cannot_authenticate';

/** HELLO's auth fields from the offered methods: every method, the first authid/authrole given, authextra merged (first wins). */
async function helloAuth(methods: readonly Authenticator[]): Promise<Dict> {
  // hello() may answer at once or with a Promise (an async token lookup); Promise.all takes both.
  const hellos = await Promise.all(methods.map((method) => Promise.resolve(method.hello())));
  const details: Dict = { authmethods: methods.map((method) => method.method) };
  const authid = hellos.find((hello) => hello.authid !== undefined)?.authid;
  const authrole = hellos.find((hello) => hello.authrole !== undefined)?.authrole;
  if (authid !== undefined) details['authid'] = authid;
  if (authrole !== undefined) details['authrole'] = authrole;
  const authextra = Object.assign({}, ...hellos.map((hello) => hello.authextra ?? {}).reverse()) as Dict;
  if (Object.keys(authextra).length > 0) details['authextra'] = authextra;
  return details;
}

function welcomeInfo(id: number, realm: string, details: Dict): SessionInfo {
  const text = (key: string) => (typeof details[key] === 'string' ? { [key]: details[key] } : {});
  const authextra = details['authextra'];
  return {
    id,
    realm,
    details,
    ...text('authid'),
    ...text('authrole'),
    ...text('authmethod'),
    ...text('authprovider'),
    ...(typeof authextra === 'object' && authextra !== null && !Array.isArray(authextra) ? { authextra: authextra as Dict } : {}),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : 'an unknown error';
}
