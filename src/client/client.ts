import { map, Observable, tap, throwError, type ObservableInput, type Subscriber as RxSubscriber, type TeardownLogic } from 'rxjs';
import { argsCheck, asContract, eventCheck, inputCheck, resultCheck, type Procedure, type ProcedureChecks, type Topic } from '../contracts.js';
import type {
  CallInputFor,
  CallParams,
  CallResultFor,
  DuplexHandlerFor,
  EventFor,
  InvocationHandlerFor,
  ProcedureRef,
  PublishParams,
  StreamHandlerFor,
  TopicRef,
} from '../contract-params.js';
import type { Args, Dict } from '../protocol/messages.js';
import { callStream } from '../roles/call-stream.js';
import { asStreamInput, type StreamInput } from '../roles/paced.js';
import {
  registerOptions,
  runDuplexHandler,
  runStreamHandler,
  runValueHandler,
  type DuplexHandler,
  type InvocationHandler,
  type RegistrationRequest,
  type RunDuplexHandler,
  type RunHandler,
  type StreamHandler,
} from '../roles/callee.js';
import type { TopicRequest } from '../roles/subscriber.js';
import type { CallOptions, CallResult, Publication, PublishOptions, Registration, RegisterOptions, SubscribeOptions, WampEvent } from '../roles/types.js';
import type { SessionInfo } from '../session/session.js';
import { readCall, readPublish, readRegister, readSubscribe } from './check-input.js';
import { Connection } from './connection.js';
import type { ConnectionState } from './connection-state.js';
import { DesiredSet, type Restorable } from './desired-set.js';
import { openSession, type ActiveSession } from './open-session.js';
import { resolveOptions, type ResolvedOptions, type WampClientOptions } from './options.js';
import { reportTo } from '../session/error-report.js';

/**
 * The rxwamp client. It connects lazily on the first operation and every operation shares
 * that session. A lost connection is re-established with backoff, and every registration and
 * subscription the application still holds is restored on the new session; what cannot
 * survive (pending calls, acknowledged publishes, invocations being served) fails at once
 * with a WampConnectionError.
 */
export class WampClient {
  /**
   * The connection state: replays the current one, then every change (idle, connecting,
   * open, closed, reconnecting). Ready for `| async` in a template.
   */
  readonly state$: Observable<ConnectionState>;
  /** TypeScript-private rather than `#`: the wire specs read the current session's roles through it. */
  private readonly connection: Connection;
  readonly #desired: DesiredSet;

  /**
   * Creates the client without connecting: the first operation (or `connect()`) does. Throws
   * a TypeError naming the option that is wrong (e.g. a `url` that is not `ws(s)://` or `http(s)://`).
   */
  constructor(options: WampClientOptions) {
    let settings: ResolvedOptions;
    try {
      settings = resolveOptions(options);
    } catch (error) {
      if (error instanceof TypeError) throw error;
      throw new TypeError(`invalid WampClient options: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.#desired = new DesiredSet((notification) => this.connection.notify(notification));
    this.connection = new Connection(settings.urls, settings.reconnect, {
      open: (url, signal, ended) => openSession(settings, url, signal, ended),
      opened: (active) => this.#desired.attachAll(active),
      closed: (error, deliberate) => this.#desired.endAll(error, deliberate),
      report: (error) => reportTo(settings.onError, error, { source: 'callback' }),
    });
    this.state$ = this.connection.state$;
  }

  /** The current connection state (what `state$` last emitted). */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** The joined session's id, realm and WELCOME details, while one is open. */
  get session(): SessionInfo | undefined {
    return this.connection.current?.session.info;
  }

  /** Opens the session now (operations do so by themselves when needed); resolves once it is open. */
  connect(): Promise<SessionInfo> {
    return new Promise<SessionInfo>((resolve, reject) => {
      this.connection.whenOpen((active) => resolve(active.session.info!), reject);
    });
  }

  /**
   * Calls a procedure. Cold: each subscription sends its own CALL. Emits each progressive
   * result (`progress: true`), then the final one (`progress: false`), then completes; an
   * ERROR from the router or callee arrives as a WampError, a lost connection as a
   * WampConnectionError. Unsubscribing before the final result sends CANCEL with
   * `options.cancelMode` (default `kill`).
   */
  call$<P extends ProcedureRef>(procedure: P, ...payload: CallParams<P>): Observable<CallResultFor<P>>;
  call$(procedure: string | Procedure, args?: Args, kwargs?: Dict, options?: CallOptions): Observable<CallResult> {
    const contract = asContract<Procedure>(procedure, 'procedure');
    let input: ReturnType<typeof readCall>;
    try {
      input = readCall(contract ? contract.uri : procedure, args, kwargs, options);
    } catch (error) {
      return throwError(() => error);
    }
    const call$ = this.#onSession<CallResult>(({ caller }, subscriber) => caller.call(subscriber, input.procedure, input.args, input.kwargs, input.options));
    return contract ? checkedResults(call$, contract.validate) : call$;
  }

  /**
   * Calls a procedure with streamed input (progressive call invocations): the first value of
   * `input` sends the CALL, every further value a CALL chunk under the same request id, and
   * completion the last chunk. Results arrive as with `call$` while input is still going out.
   * An error of `input` cancels the call; so does unsubscribing, which also unsubscribes
   * `input`. When the callee answers before the input ended, `input` is unsubscribed and
   * nothing more is sent. An async iterable (a generator, a Node stream) is pulled only as the
   * connection can take it (`streamHighWaterMark`). Errors with `wamp.error.feature_not_supported`,
   * sending nothing, when the router did not announce progressive call invocations.
   */
  callStream$<P extends ProcedureRef>(procedure: P, input: ObservableInput<CallInputFor<P>>, options?: CallOptions): Observable<CallResultFor<P>>;
  callStream$(procedure: string | Procedure, input: ObservableInput<unknown>, options?: CallOptions): Observable<CallResult> {
    const contract = asContract<Procedure>(procedure, 'procedure');
    let checked: ReturnType<typeof readCall>;
    let source: StreamInput;
    try {
      checked = readCall(contract ? contract.uri : procedure, undefined, undefined, options);
      source = readInput(input);
    } catch (error) {
      return throwError(() => error);
    }
    const call$ = this.#onSession<CallResult>(({ caller }, subscriber) => callStream(caller, subscriber, checked.procedure, source, checked.options));
    return checkedResults(call$, contract?.validate);
  }

  /**
   * Registers a procedure whose handler returns a value, a Promise or an Observable (its last
   * value is the result). Subscribe → REGISTER; emits a Registration once registered, and again
   * (with the new id) each time it is restored after a reconnect; unsubscribe → UNREGISTER.
   * Completes on `close()`; errors if the router refuses or revokes it, or the client gives up.
   *
   * Nothing is registered until the returned Observable is subscribed, and only for as long as
   * it stays subscribed: calling `register(...)` alone does nothing, and callers get
   * `wamp.error.no_such_procedure`.
   */
  register<P extends ProcedureRef>(procedure: P, handler: InvocationHandlerFor<P>, options?: RegisterOptions): Observable<Registration>;
  register(procedure: string | Procedure, handler: InvocationHandler, options?: RegisterOptions): Observable<Registration> {
    return this.#registration(procedure, handler, options, 'value');
  }

  /**
   * Registers a procedure answered by an Observable: each value is a progressive result (when
   * the caller asked for them), `final(x)` the final one; INTERRUPT unsubscribes it. Otherwise
   * like `register`: it registers only while the returned Observable is subscribed (until then
   * callers get `wamp.error.no_such_procedure`).
   */
  registerStream<P extends ProcedureRef>(procedure: P, handler: StreamHandlerFor<P>, options?: RegisterOptions): Observable<Registration>;
  registerStream(procedure: string | Procedure, handler: StreamHandler, options?: RegisterOptions): Observable<Registration> {
    return this.#registration(procedure, handler, options, 'stream');
  }

  /**
   * Registers a procedure that takes streamed input (progressive call invocations): the
   * handler gets the call's input as an Observable — each INVOCATION chunk a `next`, the last
   * chunk completes it — and answers as with `registerStream`. INTERRUPT unsubscribes the
   * answer and errors `input$` with `wamp.error.canceled`; once the callee answered, `input$`
   * completes and later chunks are dropped. A plain call is one chunk. Otherwise like `register`:
   * it registers only while the returned Observable is subscribed.
   */
  registerDuplex<P extends ProcedureRef>(procedure: P, handler: DuplexHandlerFor<P>, options?: RegisterOptions): Observable<Registration>;
  registerDuplex(procedure: string | Procedure, handler: DuplexHandler, options?: RegisterOptions): Observable<Registration> {
    return this.#registration(procedure, handler, options, 'duplex');
  }

  /**
   * Publishes an event. Resolves once sent, or with the publication id once the router
   * answered when `options.acknowledge` is set (a refusal then rejects with a WampError).
   * Bad input rejects with a TypeError; nothing is thrown synchronously.
   */
  publish<P extends TopicRef>(topic: P, ...payload: PublishParams<P>): Promise<Publication | undefined>;
  async publish(topic: string | Topic, args?: Args, kwargs?: Dict, options?: PublishOptions): Promise<Publication | undefined> {
    const input = readPublish(asContract<Topic>(topic, 'topic')?.uri ?? topic, args, kwargs, options);
    return new Promise<Publication | undefined>((resolve, reject) => {
      this.connection.whenOpen(({ publisher }) => {
        publisher.publish(input.topic, input.args, input.kwargs, input.options).then(resolve, reject);
      }, reject);
    });
  }

  /**
   * The events of a topic. Subscribe → SUBSCRIBE (shared with other subscribers of the same
   * topic and match), each EVENT a `next`; `options.onSubscribed` tells when the router
   * subscription is in place. Restored after a reconnect; completes on `close()`; errors if
   * the router refuses or revokes it, or the client gives up. Unsubscribe → UNSUBSCRIBE once
   * no other local subscriber shares it.
   *
   * Nothing is subscribed until the returned Observable is: calling `topic$(...)` alone does
   * nothing, and events published meanwhile are not kept for later.
   */
  topic$<P extends TopicRef>(topic: P, options?: SubscribeOptions): Observable<EventFor<P>>;
  topic$(topic: string | Topic, options?: SubscribeOptions): Observable<WampEvent> {
    const contract = asContract<Topic>(topic, 'topic');
    let input: ReturnType<typeof readSubscribe>;
    try {
      input = readSubscribe(contract ? contract.uri : topic, options);
    } catch (error) {
      return throwError(() => error);
    }
    const check = eventCheck(contract?.validate);
    return this.#held<WampEvent>((listener, established) => {
      const request: TopicRequest = {
        topic: input.topic,
        match: input.match,
        event: check
          ? (event) => {
              try {
                check(event.args, event.kwargs);
              } catch (error) {
                return listener.error(error);
              }
              listener.next(event);
            }
          : (event) => listener.next(event),
        subscribed: (subscription) => {
          established();
          try {
            input.onSubscribed?.(subscription);
          } catch (error) {
            listener.error(error); // this topic$ alone: it unsubscribes, nothing else is touched
          }
        },
        refused: (error) => listener.error(error),
      };
      return (active) => active.subscriber.listen(request);
    });
  }

  /**
   * Ends the session with the GOODBYE handshake, or stops connecting or a reconnect backoff
   * at once. Pending operations fail with WampConnectionError `closed`; registrations and
   * subscriptions complete. A later operation connects again.
   */
  close(): Promise<void> {
    return this.connection.close();
  }

  #registration(
    procedure: string | Procedure,
    handler: InvocationHandler | StreamHandler | DuplexHandler,
    options: RegisterOptions | undefined,
    kind: 'value' | 'stream' | 'duplex',
  ): Observable<Registration> {
    const contract = asContract<Procedure>(procedure, 'procedure');
    let input: ReturnType<typeof readRegister>;
    try {
      input = readRegister(contract ? contract.uri : procedure, handler, options);
    } catch (error) {
      return throwError(() => error);
    }
    const answer = handlerRuns(handler, kind, contract?.validate);
    return this.#held<Registration>((subscriber, established) => {
      const request: RegistrationRequest = {
        procedure: input.procedure,
        wampOptions: registerOptions(input.options),
        ...answer,
        streams: kind !== 'value',
        registered: (registration) => {
          established();
          subscriber.next(registration);
        },
        refused: (error) => subscriber.error(error),
      };
      return (active) => active.callee.register(request);
    });
  }

  /**
   * An Observable for something the application holds across sessions (a registration or a
   * subscription): kept in the desired set while subscribed, restored on every new session.
   * `setUp` builds the per-subscriber request and returns how to attach it to a session.
   */
  #held<T>(setUp: (subscriber: RxSubscriber<T>, established: () => void) => (active: ActiveSession) => () => void): Observable<T> {
    return new Observable<T>((subscriber) => {
      let wasEstablished = false;
      const attach = setUp(subscriber, () => {
        wasEstablished = true;
      });
      const item: Restorable = {
        attach,
        // close() completes what was in place; what never got in place (and any give-up) errors.
        end: (error, deliberate) => {
          if (deliberate && wasEstablished) subscriber.complete();
          else subscriber.error(error);
        },
      };
      const remove = this.#desired.add(item, this.connection.current);
      if (!this.connection.current) this.connection.ensureConnecting();
      subscriber.add(remove);
    });
  }

  /**
   * An Observable that starts `use` on the open session for each subscriber, connecting first
   * if needed (unsubscribing meanwhile cancels it). Roles work on this one subscriber
   * directly, so every value passes through a single Rx subscriber.
   */
  #onSession<T>(use: (active: ActiveSession, subscriber: RxSubscriber<T>) => TeardownLogic): Observable<T> {
    return new Observable<T>((subscriber) => {
      const open = this.connection.current;
      if (open) return start(open, subscriber, use);
      // Started later: its teardown is added then (run at once by rxjs if the operation
      // already ended while starting, e.g. a streaming call whose input failed at once).
      return this.connection.whenOpen(
        (active) => {
          subscriber.add(start(active, subscriber, use));
        },
        (error) => subscriber.error(error),
      );
    });
  }
}

/** The run functions of a registration, with the contract's checks of what arrives in front of the handler. */
function handlerRuns(
  handler: InvocationHandler | StreamHandler | DuplexHandler,
  kind: 'value' | 'stream' | 'duplex',
  checks: ProcedureChecks | undefined,
): { run: RunHandler } | { runDuplex: RunDuplexHandler } {
  if (kind === 'duplex') {
    const check = inputCheck(checks);
    const duplex = handler as DuplexHandler;
    const checked: DuplexHandler = check ? (input$, details) => duplex(input$.pipe(tap(check)), details) : duplex;
    return { runDuplex: runDuplexHandler(checked) };
  }
  const check = argsCheck(checks);
  const plain = handler as InvocationHandler;
  const checked: InvocationHandler = check
    ? (args, kwargs, details) => {
        check(args, kwargs);
        return plain(args, kwargs, details);
      }
    : plain;
  return { run: kind === 'stream' ? runStreamHandler(checked as StreamHandler) : runValueHandler(checked) };
}

/** A call's results through its contract's checks (the untyped path stays as it is). */
function checkedResults(call$: Observable<CallResult>, checks: ProcedureChecks | undefined): Observable<CallResult> {
  const check = resultCheck(checks);
  return check ? call$.pipe(map(check)) : call$;
}

/**
 * `callStream$`'s input, read once before connecting: an async iterable (pulled as the
 * connection drains) or an Observable of anything else rxjs can subscribe to. Whatever cannot
 * be read as either (a getter or Proxy that throws included) is a TypeError.
 */
function readInput(input: unknown): StreamInput {
  try {
    return asStreamInput(input as ObservableInput<unknown>);
  } catch (error) {
    throw new TypeError(`input must be an Observable or another ObservableInput${error instanceof TypeError ? `: ${error.message}` : ''}`, { cause: error });
  }
}

/** Runs one operation on a session; whatever it throws errors that operation alone. */
function start<T>(
  active: ActiveSession,
  subscriber: RxSubscriber<T>,
  use: (active: ActiveSession, subscriber: RxSubscriber<T>) => TeardownLogic,
): TeardownLogic {
  try {
    return use(active, subscriber);
  } catch (error) {
    subscriber.error(error);
    return undefined;
  }
}
