import { Observable, throwError, type Subscriber as RxSubscriber, type TeardownLogic } from 'rxjs';
import { CloseReason } from '../protocol/error-uris.js';
import { WampConnectionError } from '../protocol/errors.js';
import type { Args, Dict } from '../protocol/messages.js';
import { Callee, type InvocationHandler, type StreamHandler } from '../roles/callee.js';
import { Caller } from '../roles/caller.js';
import { Publisher } from '../roles/publisher.js';
import { Subscriber } from '../roles/subscriber.js';
import type {
  CallOptions, CallResult, Publication, PublishOptions, Registration, RegisterOptions, SubscribeOptions, WampEvent,
} from '../roles/types.js';
import { Session, type SessionInfo } from '../session/session.js';
import { openWebSocket } from '../transport/websocket.js';
import { checkCall, checkPublish, checkRegister, checkSubscribe } from './check-input.js';
import { DEFAULT_SERIALIZERS, VERSION, type WampClientOptions } from './options.js';

/** One joined session and the roles working on it. */
interface ActiveSession {
  readonly session: Session;
  readonly caller: Caller;
  readonly callee: Callee;
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
}

/**
 * The rxwamp client. It connects lazily on the first operation and every operation shares
 * that session; when the session ends, operations pending on it fail and the next operation
 * opens a new one.
 */
export class WampClient {
  private readonly options: WampClientOptions;
  private current: ActiveSession | undefined;
  private connecting: Promise<ActiveSession> | undefined;

  constructor(options: WampClientOptions) {
    if (typeof options?.url !== 'string' || options.url.length === 0) throw new TypeError('options.url must be a WebSocket URL');
    if (typeof options.realm !== 'string' || options.realm.length === 0) throw new TypeError('options.realm must be a realm URI');
    this.options = options;
  }

  /** The joined session's id, realm and WELCOME details, while one is open. */
  get session(): SessionInfo | undefined {
    return this.current?.session.isOpen ? this.current.session.info : undefined;
  }

  /** Opens the session now (operations do so by themselves when needed). */
  async connect(): Promise<SessionInfo> {
    return (await this.activeSession()).session.info!;
  }

  /**
   * Calls a procedure. Cold: each subscription sends its own CALL. Emits each progressive
   * result (`progress: true`), then the final one (`progress: false`), then completes; an
   * ERROR from the router or callee arrives as a WampError. Unsubscribing before the final
   * result sends CANCEL with `options.cancelMode` (default `kill`).
   */
  call$(procedure: string, args?: Args, kwargs?: Dict, options: CallOptions = {}): Observable<CallResult> {
    const invalid = checkCall(procedure, args, kwargs, options);
    if (invalid) return throwError(() => new TypeError(invalid));
    return this.withSession<CallResult>(({ caller }, subscriber) => caller.call(subscriber, procedure, args ?? undefined, kwargs ?? undefined, options));
  }

  /**
   * Registers a procedure whose handler returns a value, a Promise or an Observable (its last
   * value is the result). Subscribe → REGISTER, emits once registered; unsubscribe → UNREGISTER.
   */
  register(procedure: string, handler: InvocationHandler, options: RegisterOptions = {}): Observable<Registration> {
    const invalid = checkRegister(procedure, handler, options);
    if (invalid) return throwError(() => new TypeError(invalid));
    return this.withSession<Registration>(({ callee }, subscriber) => callee.register(subscriber, procedure, handler, options));
  }

  /**
   * Registers a procedure answered by an Observable: each value is a progressive result (when
   * the caller asked for progress), `final(x)` the final one; INTERRUPT unsubscribes it.
   */
  registerStream(procedure: string, handler: StreamHandler, options: RegisterOptions = {}): Observable<Registration> {
    const invalid = checkRegister(procedure, handler, options);
    if (invalid) return throwError(() => new TypeError(invalid));
    return this.withSession<Registration>(({ callee }, subscriber) => callee.registerStream(subscriber, procedure, handler, options));
  }

  /**
   * Publishes an event. Resolves once sent, or with the publication id once the router
   * answered when `options.acknowledge` is set (a refusal then rejects with a WampError).
   */
  async publish(topic: string, args?: Args, kwargs?: Dict, options: PublishOptions = {}): Promise<Publication | undefined> {
    const invalid = checkPublish(topic, args, kwargs, options);
    if (invalid) throw new TypeError(invalid);
    const { publisher } = await this.activeSession();
    return publisher.publish(topic, args ?? undefined, kwargs ?? undefined, options);
  }

  /**
   * The events of a topic. Subscribe → SUBSCRIBE (errors if the router refuses), each EVENT a
   * `next`; unsubscribe → UNSUBSCRIBE once no other local subscriber shares the subscription.
   */
  topic$(topic: string, options: SubscribeOptions = {}): Observable<WampEvent> {
    const invalid = checkSubscribe(topic, options);
    if (invalid) return throwError(() => new TypeError(invalid));
    return this.withSession<WampEvent>(({ subscriber: role }, listener) => role.events(listener, topic, options));
  }

  /** Ends the session with the GOODBYE handshake. Later operations connect again. */
  async close(): Promise<void> {
    const pending = this.connecting;
    const active = this.current ?? (pending ? await pending.catch(() => undefined) : undefined);
    this.current = undefined;
    this.connecting = undefined;
    if (active) await active.session.close(CloseReason.closeRealm);
  }

  /**
   * An Observable that starts `use` on the open session for each subscriber, connecting first
   * if needed (unsubscribing meanwhile cancels it). Roles work on this one subscriber
   * directly, so every value passes through a single Rx subscriber.
   */
  private withSession<T>(use: (active: ActiveSession, subscriber: RxSubscriber<T>) => TeardownLogic): Observable<T> {
    return new Observable<T>((subscriber) => {
      const open = this.current;
      if (open && open.session.isOpen) return use(open, subscriber);
      let teardown: TeardownLogic;
      let unsubscribed = false;
      this.activeSession().then(
        (active) => {
          if (unsubscribed) return;
          // The session may have ended between WELCOME and this callback.
          if (!active.session.isOpen) subscriber.error(active.session.closedWith ?? new WampConnectionError('the session is closing'));
          else teardown = use(active, subscriber);
        },
        (error: unknown) => { if (!unsubscribed) subscriber.error(error); },
      );
      return () => {
        unsubscribed = true;
        if (typeof teardown === 'function') teardown();
        else teardown?.unsubscribe();
      };
    });
  }

  private activeSession(): Promise<ActiveSession> {
    if (this.current?.session.isOpen) return Promise.resolve(this.current);
    this.connecting ??= this.open().then(
      (active) => {
        this.connecting = undefined;
        this.current = active;
        active.session.onClose(() => { if (this.current === active) this.current = undefined; });
        return active;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  private async open(): Promise<ActiveSession> {
    const options = this.options;
    const transport = await openWebSocket({
      url: options.url,
      serializers: options.serializers ?? DEFAULT_SERIALIZERS,
      connectTimeout: options.connectTimeout ?? 10_000,
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    });
    const session = new Session(transport, {
      realm: options.realm,
      agent: options.agent ?? `rxwamp/${VERSION}`,
      goodbyeTimeout: options.goodbyeTimeout ?? 2_000,
      roles: {
        caller: { features: Caller.features },
        callee: { features: Callee.features },
        publisher: { features: Publisher.features },
        subscriber: { features: Subscriber.features },
      },
    });
    const active: ActiveSession = {
      session,
      caller: new Caller(session),
      callee: new Callee(session),
      publisher: new Publisher(session),
      subscriber: new Subscriber(session),
    };
    await session.open(options.connectTimeout ?? 10_000);
    return active;
  }
}
