import { from, isObservable, Observable, of, Subject, takeUntil, type ObservableInput, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs';
import { ErrorUri } from '../protocol/error-uris.js';
import { WampError } from '../protocol/errors.js';
import {
  MessageType, withPayload,
  type Args, type Dict, type ErrorMessage, type InterruptMessage, type InvocationMessage,
  type RegisteredMessage, type UnregisteredMessage,
} from '../protocol/messages.js';
import type { Session } from '../session/session.js';
import { Final, toPayload } from './payload.js';
import type { InvocationDetails, Registration, RegisterOptions } from './types.js';

/** `register`'s handler: a value, a Promise or an Observable (its last value is the result). */
export type InvocationHandler = (args: Args, kwargs: Dict, details: InvocationDetails) => unknown;
/** `registerStream`'s handler: every value is a progressive result; `final(x)` ends the call. */
export type StreamHandler = (args: Args, kwargs: Dict, details: InvocationDetails) => ObservableInput<unknown>;

interface RegistrationEntry {
  readonly procedure: string;
  readonly subscriber: Subscriber<Registration>;
  /** Turns one invocation into the stream of values the callee answers with. */
  readonly run: (args: Args, kwargs: Dict, details: InvocationDetails) => Observable<unknown>;
  /** Values are sent as progressive results when the caller asked for them. */
  readonly streams: boolean;
  registrationId?: number;
  /** Unsubscribed before REGISTERED arrived: unregister as soon as it does. */
  abandoned?: boolean;
}

interface ActiveInvocation {
  finished: boolean;
  subscription?: Subscription;
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
    call_canceling: true,
    caller_identification: true,
    pattern_based_registration: true,
    shared_registration: true,
  };

  private readonly pendingRegisters = new Map<number, RegistrationEntry>();
  private readonly registrations = new Map<number, RegistrationEntry>();
  private readonly invocations = new Map<number, ActiveInvocation>();

  constructor(private readonly session: Session) {
    session.route(MessageType.REGISTERED, (message) => this.onRegistered(message));
    session.route(MessageType.UNREGISTERED, (message) => this.onUnregistered(message));
    session.route(MessageType.INVOCATION, (message) => this.onInvocation(message));
    session.route(MessageType.INTERRUPT, (message) => this.onInterrupt(message));
    session.routeError(MessageType.REGISTER, (message) => this.onRegisterError(message));
    // An UNREGISTER refused (e.g. the router already dropped it) leaves nothing to undo.
    session.routeError(MessageType.UNREGISTER, () => undefined);
    session.onClose((error) => this.closeAll(error));
  }

  /** Invocations still running (for tests and diagnostics). */
  get activeInvocationCount(): number {
    return this.invocations.size;
  }

  /** Registers for the client's subscriber; returns the teardown (UNREGISTER). */
  register(subscriber: Subscriber<Registration>, procedure: string, handler: InvocationHandler, options: RegisterOptions): TeardownLogic {
    return this.registerEntry(subscriber, procedure, options, false, (args, kwargs, details) => {
      const output = handler(args, kwargs, details);
      return isObservable(output) || isPromiseLike(output) ? from(output as ObservableInput<unknown>) : of(output);
    });
  }

  registerStream(subscriber: Subscriber<Registration>, procedure: string, handler: StreamHandler, options: RegisterOptions): TeardownLogic {
    return this.registerEntry(subscriber, procedure, options, true, (args, kwargs, details) => from(handler(args, kwargs, details)));
  }

  private registerEntry(subscriber: Subscriber<Registration>, procedure: string, options: RegisterOptions, streams: boolean, run: RegistrationEntry['run']): TeardownLogic {
    const entry: RegistrationEntry = { procedure, subscriber, run, streams };
    const requestId = this.session.sendRequest((id) => [MessageType.REGISTER, id, registerOptions(options), procedure]);
    this.pendingRegisters.set(requestId, entry);
    return () => {
      if (this.pendingRegisters.has(requestId)) {
        entry.abandoned = true;
        return;
      }
      const registrationId = entry.registrationId;
      if (registrationId !== undefined && this.registrations.get(registrationId) === entry) {
        this.registrations.delete(registrationId);
        this.unregister(registrationId);
      }
    };
  }

  private unregister(registrationId: number): void {
    if (this.session.isOpen) this.session.sendRequest((id) => [MessageType.UNREGISTER, id, registrationId]);
  }

  private onRegistered([, requestId, registrationId]: RegisteredMessage): void {
    const entry = this.pendingRegisters.get(requestId);
    if (entry === undefined) return;
    this.pendingRegisters.delete(requestId);
    if (entry.abandoned) return this.unregister(registrationId);
    entry.registrationId = registrationId;
    this.registrations.set(registrationId, entry);
    entry.subscriber.next({ id: registrationId, procedure: entry.procedure });
  }

  private onRegisterError([, , requestId, details, uri, args, kwargs]: ErrorMessage): void {
    const entry = this.pendingRegisters.get(requestId);
    if (entry === undefined) return;
    this.pendingRegisters.delete(requestId);
    if (!entry.abandoned) entry.subscriber.error(new WampError(uri, { details, args, kwargs }));
  }

  /** `[67, id]` acknowledges our UNREGISTER; `[67, 0, {registration}]` is a revocation (§6.8). */
  private onUnregistered([, requestId, details]: UnregisteredMessage): void {
    if (requestId !== 0 || details === undefined) return;
    const registrationId = details['registration'];
    const entry = typeof registrationId === 'number' ? this.registrations.get(registrationId) : undefined;
    if (entry === undefined) return;
    this.registrations.delete(registrationId as number);
    const reason = typeof details['reason'] === 'string' ? `: ${details['reason']}` : '';
    entry.subscriber.error(new WampError('wamp.error.registration_revoked', { details, message: `registration of ${entry.procedure} revoked by the router${reason}` }));
  }

  private onInvocation([, requestId, registrationId, details, args, kwargs]: InvocationMessage): void {
    const entry = this.registrations.get(registrationId);
    if (entry === undefined) {
      // Unregistered while this invocation was on its way.
      this.sendError(requestId, new WampError(ErrorUri.noSuchRegistration, { args: [`no registration ${registrationId}`] }));
      return;
    }
    const invocationDetails = details as InvocationDetails;
    let source: Observable<unknown>;
    try {
      source = entry.run(args, kwargs, invocationDetails);
    } catch (error) {
      this.sendError(requestId, error);
      return;
    }
    this.runInvocation(requestId, source, entry.streams && invocationDetails.receive_progress === true);
  }

  /**
   * Answers one invocation from its stream. With progress, every value goes out at once as a
   * progressive YIELD and completion sends an empty final; without, the last value is the
   * one result. `final(x)` ends the call with x either way.
   */
  private runInvocation(requestId: number, source: Observable<unknown>, progressive: boolean): void {
    const invocation: ActiveInvocation = { finished: false };
    this.invocations.set(requestId, invocation);
    // Stops the handler's stream at once, even in the middle of a synchronous emission,
    // so nothing after a final() or a failed send is subscribed to.
    const stop = new Subject<void>();
    let lastValue: unknown;
    const finish = (): boolean => {
      if (invocation.finished) return false;
      invocation.finished = true;
      this.invocations.delete(requestId);
      return true;
    };
    invocation.subscription = source.pipe(takeUntil(stop)).subscribe({
      next: (value) => {
        if (invocation.finished) return;
        if (value instanceof Final) {
          finish();
          this.sendYield(requestId, value.value, false);
          stop.next();
        } else if (progressive) {
          if (!this.sendYield(requestId, value, true)) {
            finish();
            stop.next();
          }
        } else {
          lastValue = value;
        }
      },
      error: (error: unknown) => {
        if (finish()) this.sendError(requestId, error);
      },
      complete: () => {
        if (finish()) this.sendYield(requestId, progressive ? undefined : lastValue, false);
      },
    });
  }

  /** Sends a YIELD; when the value cannot be serialized, answers ERROR instead and returns false. */
  private sendYield(requestId: number, value: unknown, progress: boolean): boolean {
    const { args, kwargs } = toPayload(value);
    try {
      this.session.send(withPayload([MessageType.YIELD, requestId, progress ? { progress: true } : {}], args, kwargs));
      return true;
    } catch (error) {
      this.sendError(requestId, new WampError(ErrorUri.invalidArgument, {
        args: [`result could not be serialized: ${(error as Error).message}`],
      }));
      return false;
    }
  }

  private sendError(requestId: number, error: unknown): void {
    const wampError = error instanceof WampError
      ? error
      : new WampError(ErrorUri.runtimeError, { args: [error instanceof Error ? error.message : String(error)] });
    if (!this.session.isOpen) return;
    try {
      this.session.send(withPayload([MessageType.ERROR, MessageType.INVOCATION, requestId, {}, wampError.uri], wampError.args, wampError.kwargs));
    } catch {
      // The error's own args could not be serialized: send the URI alone.
      this.session.send([MessageType.ERROR, MessageType.INVOCATION, requestId, {}, wampError.uri]);
    }
  }

  /** Both modes: stop the stream (its teardown runs) and answer canceled once (digest §6.3). */
  private onInterrupt([, requestId]: InterruptMessage): void {
    const invocation = this.invocations.get(requestId);
    if (invocation === undefined || invocation.finished) return; // already answered: ignore
    invocation.finished = true;
    this.invocations.delete(requestId);
    invocation.subscription?.unsubscribe();
    this.sendError(requestId, new WampError(ErrorUri.canceled, { message: 'invocation interrupted' }));
  }

  private closeAll(error: Error): void {
    const invocations = [...this.invocations.values()];
    this.invocations.clear();
    for (const invocation of invocations) {
      invocation.finished = true;
      invocation.subscription?.unsubscribe();
    }
    const entries = [...this.pendingRegisters.values(), ...this.registrations.values()];
    this.pendingRegisters.clear();
    this.registrations.clear();
    // close() ends registrations cleanly; losing the session is an error for them.
    const deliberate = this.session.closedByClient;
    for (const entry of entries) {
      if (entry.abandoned) continue;
      if (deliberate) entry.subscriber.complete();
      else entry.subscriber.error(error);
    }
  }
}

function registerOptions(options: RegisterOptions): Dict {
  const wampOptions: Dict = {};
  if (options.match && options.match !== 'exact') wampOptions['match'] = options.match;
  if (options.invoke && options.invoke !== 'single') wampOptions['invoke'] = options.invoke;
  if (options.discloseCaller) wampOptions['disclose_caller'] = true;
  return wampOptions;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
