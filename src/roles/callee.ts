import { from, isObservable, Observable, of, type ObservableInput } from 'rxjs';
import { CANCELED, FEATURE_NOT_SUPPORTED, INVALID_ARGUMENT, NO_SUCH_REGISTRATION, RUNTIME_ERROR } from '../protocol/error-uris.js';
import { WampError } from '../protocol/errors.js';
import * as MessageType from '../protocol/message-type.js';
import {
  withPayload,
  type Args,
  type Dict,
  type ErrorMessage,
  type InterruptMessage,
  type InvocationMessage,
  type RegisteredMessage,
  type UnregisteredMessage,
} from '../protocol/messages.js';
import type { Session } from '../session/session.js';
import { DroppedInputs, DuplexInput } from './duplex-invocation.js';
import { IsolatedSubscriber } from './isolated-subscriber.js';
import { asStreamInput, streamFrom } from './paced.js';
import { Final, toPayload } from './payload.js';
import { STREAM_OVERFLOW, type StreamLimits } from './stream-limits.js';
import type { InvocationDetails, Registration, RegisterOptions } from './types.js';

/** `register`'s handler: a value, a Promise or an Observable (its last value is the result). */
export type InvocationHandler = (args: Args, kwargs: Dict, details: InvocationDetails) => unknown;
/** `registerStream`'s handler: every value is a progressive result; `final(x)` ends the call. */
export type StreamHandler = (args: Args, kwargs: Dict, details: InvocationDetails) => ObservableInput<unknown>;
/**
 * `registerDuplex`'s handler: the call's input as an Observable (each chunk a `next`, the last
 * chunk completes it), the answer as for `registerStream`. `details` are the first chunk's.
 */
export type DuplexHandler = (input$: Observable<unknown>, details: InvocationDetails) => ObservableInput<unknown>;

/**
 * One `register`/`registerStream`/`registerDuplex` subscription as the client keeps it across sessions: the
 * callee role of each session registers it and reports back through `registered`/`refused`.
 */
export type RegistrationRequest = RegistrationBase &
  /** Turns one invocation into the stream of values the callee answers with. */
  (
    | { readonly run: RunHandler; readonly runDuplex?: undefined }
    /** `registerDuplex`: the invocation's chunks as an Observable in, the answer out. */
    | { readonly run?: undefined; readonly runDuplex: RunDuplexHandler }
  );

export type RunHandler = (args: Args, kwargs: Dict, details: InvocationDetails, writable: () => Promise<void>) => Observable<unknown>;
export type RunDuplexHandler = (input$: Observable<unknown>, details: InvocationDetails, writable: () => Promise<void>) => Observable<unknown>;

interface RegistrationBase {
  readonly procedure: string;
  /** REGISTER.Options, already in wire form. */
  readonly wampOptions: Dict;
  /** Values are sent as progressive results when the caller asked for them. */
  readonly streams: boolean;
  /** REGISTERED arrived on this session. */
  registered(registration: Registration): void;
  /** The router refused the REGISTER, or revoked the registration later. */
  refused(error: WampError): void;
}

interface PendingRegister {
  readonly request: RegistrationRequest;
  /** Unsubscribed before REGISTERED arrived: unregister as soon as it does. */
  abandoned: boolean;
  /** The router's id once REGISTERED arrived. */
  registrationId?: number;
}

interface ActiveInvocation {
  finished: boolean;
  /** The handler's stream; stopping it never throws (see IsolatedSubscriber). */
  subscription?: IsolatedSubscriber<unknown>;
  /** A duplex invocation's input (ended with the invocation). */
  readonly input?: DuplexInput;
}

/**
 * The callee role on one session: REGISTER per subscription, one handler stream per
 * INVOCATION (keyed by the router's request id), exactly one final YIELD or ERROR each,
 * and INTERRUPT → the handler stream is unsubscribed and ERROR canceled is sent once.
 */
export class Callee {
  /** Callee features rxwamp implements (HELLO.roles.callee.features). */
  static readonly features: Readonly<Dict> = {
    progressive_call_results: true,
    progressive_call_invocations: true,
    call_canceling: true,
    caller_identification: true,
    pattern_based_registration: true,
    shared_registration: true,
  };

  readonly #pendingRegisters = new Map<number, PendingRegister>();
  readonly #registrations = new Map<number, RegistrationRequest>();
  readonly #invocations = new Map<number, ActiveInvocation>();
  /** Duplex invocations whose input is still open (more chunks to come), by invocation id. */
  readonly #openInputs = new Map<number, DuplexInput>();
  /** Ended invocations whose later chunks are dropped (§6.2). */
  readonly #droppedInputs = new DroppedInputs();

  /** Resolves when the connection can take more (async iterables are pulled on it). */
  readonly #writable: () => Promise<void>;

  readonly #session: Session;
  readonly #limits: StreamLimits;

  constructor(session: Session, limits: StreamLimits) {
    this.#session = session;
    this.#limits = limits;
    this.#writable = () => session.whenWritable(limits.streamHighWaterMark);
    session.route(MessageType.REGISTERED, (message) => this.#onRegistered(message));
    session.route(MessageType.UNREGISTERED, (message) => this.#onUnregistered(message));
    session.route(MessageType.INVOCATION, (message) => this.#onInvocation(message));
    session.route(MessageType.INTERRUPT, (message) => this.#onInterrupt(message));
    session.routeError(MessageType.REGISTER, (message) => this.#onRegisterError(message));
    // An UNREGISTER refused (e.g. the router already dropped it) leaves nothing to undo.
    session.routeError(MessageType.UNREGISTER, () => undefined);
    session.onClose((error) => this.#stopAll(error));
  }

  /** Invocations still running (for tests and diagnostics). */
  get activeInvocationCount(): number {
    return this.#invocations.size;
  }

  /** Duplex invocations still expecting input chunks (for tests and diagnostics). */
  get openInputCount(): number {
    return this.#openInputs.size;
  }

  /**
   * Sends REGISTER for the request and returns the teardown (UNREGISTER). Throws, sending
   * nothing, when the session has ended or the message cannot be sent.
   */
  register(request: RegistrationRequest): () => void {
    const pending: PendingRegister = { request, abandoned: false };
    const requestId = this.#session.sendRequest([MessageType.REGISTER, 0, request.wampOptions, request.procedure]);
    this.#pendingRegisters.set(requestId, pending);
    return () => {
      if (this.#pendingRegisters.has(requestId)) {
        pending.abandoned = true;
        return;
      }
      const { registrationId } = pending;
      if (registrationId !== undefined && this.#registrations.get(registrationId) === request) {
        this.#registrations.delete(registrationId);
        this.#unregister(registrationId);
      }
    };
  }

  #unregister(registrationId: number): void {
    if (!this.#session.isOpen) return;
    try {
      this.#session.sendRequest([MessageType.UNREGISTER, 0, registrationId]);
    } catch {
      /* the session is ending: the router drops the registration with it */
    }
  }

  #onRegistered([, requestId, registrationId]: RegisteredMessage): void {
    const pending = this.#pendingRegisters.get(requestId);
    if (pending === undefined) return;
    this.#pendingRegisters.delete(requestId);
    if (pending.abandoned) return this.#unregister(registrationId);
    pending.registrationId = registrationId;
    this.#registrations.set(registrationId, pending.request);
    pending.request.registered({ id: registrationId, procedure: pending.request.procedure });
  }

  #onRegisterError([, , requestId, details, uri, args, kwargs]: ErrorMessage): void {
    const pending = this.#pendingRegisters.get(requestId);
    if (pending === undefined) return;
    this.#pendingRegisters.delete(requestId);
    if (!pending.abandoned) pending.request.refused(new WampError(uri, { details, args, kwargs }));
  }

  /** `[67, id]` acknowledges our UNREGISTER; `[67, 0, {registration}]` is a revocation (§6.8). */
  #onUnregistered([, requestId, details]: UnregisteredMessage): void {
    if (requestId !== 0 || details === undefined) return;
    const registrationId = details['registration'];
    const request = typeof registrationId === 'number' ? this.#registrations.get(registrationId) : undefined;
    if (request === undefined) return;
    this.#registrations.delete(registrationId as number);
    const reason = typeof details['reason'] === 'string' ? `: ${details['reason']}` : '';
    request.refused(
      new WampError('wamp.error.registration_revoked', { details, message: `registration of ${request.procedure} revoked by the router${reason}` }),
    );
  }

  #onInvocation([, requestId, registrationId, details, args, kwargs]: InvocationMessage): void {
    const more = details['progress'] === true;
    // A further chunk of a duplex invocation, or one of an invocation that already ended (dropped).
    if ((this.#openInputs.size > 0 || this.#droppedInputs.size > 0) && this.#continueInput(requestId, more, args, kwargs)) return;
    const entry = this.#registrations.get(registrationId);
    if (entry === undefined) {
      // Unregistered while this invocation was on its way.
      this.#sendError(requestId, new WampError(NO_SUCH_REGISTRATION, { args: [`no registration ${registrationId}`] }));
      return;
    }
    const invocationDetails = details as InvocationDetails;
    if (entry.runDuplex) return this.#startDuplex(requestId, entry, entry.runDuplex, invocationDetails, more, args, kwargs);
    if (more) {
      // Streamed input for a procedure registered without registerDuplex: refused, the rest dropped.
      this.#droppedInputs.add(requestId);
      this.#sendError(
        requestId,
        new WampError(FEATURE_NOT_SUPPORTED, {
          args: [`${entry.procedure} takes no streamed input (not registered with registerDuplex)`],
        }),
      );
      return;
    }
    let source: Observable<unknown>;
    try {
      source = entry.run(args, kwargs, invocationDetails, this.#writable);
    } catch (error) {
      this.#sendError(requestId, error);
      return;
    }
    this.#runInvocation(requestId, entry.procedure, source, entry.streams && invocationDetails.receive_progress === true);
  }

  /**
   * A new duplex invocation: the handler gets the input as an Observable, then the first chunk
   * (unless it is an empty last one); later chunks arrive through continueInput.
   */
  #startDuplex(
    requestId: number,
    entry: RegistrationRequest,
    run: RunDuplexHandler,
    details: InvocationDetails,
    more: boolean,
    args: Args,
    kwargs: Dict,
  ): void {
    const input = new DuplexInput();
    if (more) this.#openInputs.set(requestId, input);
    let source: Observable<unknown>;
    try {
      source = run(input.input$, details, this.#writable);
    } catch (error) {
      this.#endInput(requestId, input, { error });
      this.#sendError(requestId, error);
      return;
    }
    this.#runInvocation(requestId, entry.procedure, source, details.receive_progress === true, input);
    input.chunk(args, kwargs, more); // what its subscribers throw back, dispatch reports
  }

  /** A chunk for an invocation already running (returns true), or already ended (dropped, true); false: a new invocation. */
  #continueInput(requestId: number, more: boolean, args: Args, kwargs: Dict): boolean {
    const input = this.#openInputs.get(requestId);
    if (input === undefined) return this.#droppedInputs.drops(requestId, more);
    if (!more) this.#openInputs.delete(requestId);
    input.chunk(args, kwargs, more);
    return true;
  }

  /**
   * A duplex invocation ended before (or as) its input did: later chunks are dropped, and the
   * input completes (the callee answered) or errors (interrupted, session lost).
   */
  #endInput(requestId: number, input: DuplexInput, how: { error?: unknown }): void {
    if (this.#openInputs.delete(requestId)) this.#droppedInputs.add(requestId);
    // Its subscribers are application code: what they throw back is reported, and the
    // invocation's answer (sent after this) still goes out.
    try {
      if ('error' in how) input.fail(how.error);
      else input.complete();
    } catch (error) {
      this.#session.report(error, { source: 'callback' });
    }
  }

  /**
   * Answers one invocation from its stream. With progress, every value goes out at once as a
   * progressive YIELD and completion sends an empty final; without, the last value is the
   * one result. `final(x)` ends the call with x either way.
   */
  #runInvocation(requestId: number, procedure: string, source: Observable<unknown>, progressive: boolean, input?: DuplexInput): void {
    const invocation: ActiveInvocation = input ? { finished: false, input } : { finished: false };
    this.#invocations.set(requestId, invocation);
    let lastValue: unknown;
    const finish = (): boolean => {
      if (invocation.finished) return false;
      invocation.finished = true;
      this.#invocations.delete(requestId);
      if (input) this.#endInput(requestId, input, {});
      return true;
    };
    // Made before the handler's stream is subscribed, so it can be stopped at once, even in the
    // middle of a synchronous emission: nothing after a final() or a failed send is taken. Its
    // teardowns are the handler's: what they throw is reported, never thrown into dispatch.
    const subscriber: IsolatedSubscriber<unknown> = new IsolatedSubscriber<unknown>(
      {
        next: (value) => {
          if (invocation.finished) return;
          if (value instanceof Final) {
            finish();
            this.#sendYield(requestId, value.value, false);
            subscriber.unsubscribe();
          } else if (progressive) {
            if (!this.#sendYield(requestId, value, true)) {
              finish();
              subscriber.unsubscribe();
            } else if (this.#session.bufferedAmount > this.#limits.streamBufferLimit) {
              // A push source that outruns the connection: fail this call, clearly, before
              // memory does (async iterables are paced and never get here).
              finish();
              subscriber.unsubscribe();
              this.#sendError(
                requestId,
                new WampError(STREAM_OVERFLOW, {
                  args: [`the callee's stream produced faster than the connection could send: over ${this.#limits.streamBufferLimit} bytes waiting`],
                }),
              );
            }
          } else {
            lastValue = value;
          }
        },
        error: (error: unknown) => {
          if (finish()) this.#sendError(requestId, error);
        },
        complete: () => {
          if (finish()) this.#sendYield(requestId, progressive ? undefined : lastValue, false);
        },
      },
      (error) => this.#session.report(error, { source: 'teardown', uri: procedure }),
    );
    invocation.subscription = subscriber;
    source.subscribe(subscriber);
  }

  /** Sends a YIELD; when the value cannot be serialized, answers ERROR instead and returns false. */
  #sendYield(requestId: number, value: unknown, progress: boolean): boolean {
    const { args, kwargs } = toPayload(value);
    try {
      this.#session.send(withPayload([MessageType.YIELD, requestId, progress ? { progress: true } : {}, args, kwargs]));
      return true;
    } catch (error) {
      // Too large: the caller learns payload_size_exceeded; unserializable: invalid_argument.
      this.#sendError(
        requestId,
        error instanceof WampError
          ? error
          : new WampError(INVALID_ARGUMENT, {
              args: [`result could not be serialized: ${(error as Error).message}`],
            }),
      );
      return false;
    }
  }

  #sendError(requestId: number, error: unknown): void {
    const wampError = error instanceof WampError ? error : new WampError(RUNTIME_ERROR, { args: [error instanceof Error ? error.message : String(error)] });
    if (!this.#session.isOpen) return;
    try {
      this.#session.send(withPayload([MessageType.ERROR, MessageType.INVOCATION, requestId, {}, wampError.uri, wampError.args, wampError.kwargs]));
    } catch {
      // The error's own args could not be serialized (or are too large): send the URI alone.
      try {
        this.#session.send([MessageType.ERROR, MessageType.INVOCATION, requestId, {}, wampError.uri]);
      } catch {
        /* the session ended meanwhile: the router answers the caller */
      }
    }
  }

  /** Both modes: stop the stream (its teardown runs) and answer canceled once (digest §6.3). */
  #onInterrupt([, requestId]: InterruptMessage): void {
    const invocation = this.#invocations.get(requestId);
    if (invocation === undefined || invocation.finished) return; // already answered: ignore
    invocation.finished = true;
    this.#invocations.delete(requestId);
    invocation.subscription?.unsubscribe();
    const canceled = new WampError(CANCELED, { message: 'invocation interrupted' });
    if (invocation.input) this.#endInput(requestId, invocation.input, { error: canceled });
    this.#sendError(requestId, canceled);
  }

  /**
   * The session ended: every invocation being served is torn down (its teardown runs; the
   * router answers its caller). Registrations belong to the client, which restores or ends them.
   */
  #stopAll(error: Error): void {
    const invocations = [...this.#invocations];
    this.#invocations.clear();
    this.#openInputs.clear();
    this.#droppedInputs.clear();
    this.#pendingRegisters.clear();
    this.#registrations.clear();
    for (const [requestId, invocation] of invocations) {
      invocation.finished = true;
      invocation.subscription?.unsubscribe(); // an IsolatedSubscriber: never throws
      if (invocation.input) this.#endInput(requestId, invocation.input, { error });
    }
  }
}

/** How `register`'s handler answers: a value, a Promise or an Observable (its last value is the result). */
export function runValueHandler(handler: InvocationHandler): RunHandler {
  return (args, kwargs, details) => {
    const output = handler(args, kwargs, details);
    return isObservable(output) || isPromiseLike(output) ? from(output as ObservableInput<unknown>) : of(output);
  };
}

/**
 * How `registerStream`'s handler answers: every value of its Observable (or other
 * ObservableInput). An async iterable is pulled one value at a time, as the connection can
 * take them.
 */
export function runStreamHandler(handler: StreamHandler): RunHandler {
  return (args, kwargs, details, writable) => {
    return answerStream(handler(args, kwargs, details), writable);
  };
}

/** How `registerDuplex`'s handler answers: like registerStream's, from the call's input. */
export function runDuplexHandler(handler: DuplexHandler): RunDuplexHandler {
  return (input$, details, writable) => answerStream(handler(input$, details), writable);
}

/** A stream handler's output as an Observable: async iterables paced by the connection. */
function answerStream(output: ObservableInput<unknown>, writable: () => Promise<void>): Observable<unknown> {
  return streamFrom(asStreamInput(output), writable);
}

/** REGISTER.Options for the application's options. */
export function registerOptions(options: RegisterOptions): Dict {
  const wampOptions: Dict = {};
  if (options.match && options.match !== 'exact') wampOptions['match'] = options.match;
  if (options.invoke && options.invoke !== 'single') wampOptions['invoke'] = options.invoke;
  if (options.discloseCaller) wampOptions['disclose_caller'] = true;
  return wampOptions;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
