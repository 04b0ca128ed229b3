import type { Subscriber, TeardownLogic, Unsubscribable } from 'rxjs';
import { WampError } from '../protocol/errors.js';
import * as MessageType from '../protocol/message-type.js';
import { EMPTY_DICT, type Args, type Dict, type ErrorMessage, type ResultMessage } from '../protocol/messages.js';
import type { Session } from '../session/session.js';
import { setTeardown } from './subscriber-teardown.js';
import type { StreamLimits } from './stream-limits.js';
import type { CallOptions, CallResult, CancelMode } from './types.js';

const RECEIVE_PROGRESS: Readonly<Dict> = Object.freeze({ receive_progress: true });

/** A call waiting for its final message: who gets its results, and whether progress was asked for. */
interface TrackedCall {
  readonly subscriber: Subscriber<CallResult>;
  readonly receiveProgress: boolean;
}

/**
 * One `call$` waiting for its final message, and the call's teardown: rxjs calls `unsubscribe`
 * when the subscriber goes away (see setTeardown for how it is handed over).
 */
class PendingCall implements TrackedCall, Unsubscribable {
  readonly #caller: Caller;
  readonly #requestId: number;
  readonly #cancelMode: CancelMode;

  constructor(
    readonly subscriber: Subscriber<CallResult>,
    readonly receiveProgress: boolean,
    caller: Caller,
    requestId: number,
    cancelMode: CancelMode,
  ) {
    this.#caller = caller;
    this.#requestId = requestId;
    this.#cancelMode = cancelMode;
  }

  unsubscribe(): void {
    this.#caller.abandon(this.#requestId, this.#cancelMode);
  }
}

/**
 * The caller role on one session: sends CALL per subscription, turns RESULTs into `next`s,
 * and an early unsubscribe into CANCEL. Only calls still waiting for their final message are
 * kept, keyed by request id.
 */
export class Caller {
  /** Caller features rxwamp implements (HELLO.roles.caller.features). */
  static readonly features: Readonly<Dict> = {
    progressive_call_results: true,
    progressive_call_invocations: true,
    call_canceling: true,
    call_timeout: true,
    caller_identification: true,
  };

  readonly #pendingCalls = new Map<number, TrackedCall>();
  /** Streaming calls still waiting for their first input value: no CALL yet, but they end with the session too. */
  readonly #startingCalls = new Set<Subscriber<CallResult>>();

  constructor(
    readonly session: Session,
    readonly limits: StreamLimits,
  ) {
    session.route(MessageType.RESULT, (message) => this.#onResult(message));
    session.routeError(MessageType.CALL, (message) => this.#onError(message));
    session.onClose((error) => this.#failAll(error));
  }

  /** Number of calls waiting for their final result (for tests and diagnostics). */
  get pendingCount(): number {
    return this.#pendingCalls.size;
  }

  /**
   * Starts one call for the client's subscriber (no Observable of its own, so each result
   * passes through a single Rx subscriber) and returns its teardown. Arguments are assumed
   * valid: the client checks them before connecting.
   */
  call(subscriber: Subscriber<CallResult>, procedure: string, args: Args | undefined, kwargs: Dict | undefined, options: CallOptions): TeardownLogic {
    const session = this.session;
    const receiveProgress = this.receivesProgress(options);
    const wampOptions = this.wampOptions(options, receiveProgress);
    let requestId: number;
    try {
      requestId = session.sendRequestWithPayload([MessageType.CALL, 0, wampOptions, procedure, args, kwargs]);
    } catch (error) {
      subscriber.error(error);
      return undefined;
    }
    const pending = new PendingCall(subscriber, receiveProgress, this, requestId, options.cancelMode ?? 'kill');
    this.#pendingCalls.set(requestId, pending);
    // Bound rather than a closure: no context object to keep alive with each pending call.
    return setTeardown(subscriber, pending.unsubscribe.bind(pending)) ? undefined : pending;
  }

  /** Whether a call asks for progressive results: as told, else whenever the router announced them. */
  receivesProgress(options: CallOptions): boolean {
    return options.receiveProgress ?? this.session.routerSupports('dealer', 'progressive_call_results');
  }

  /** CALL.Options for the application's options (the two common ones shared, not built per call). */
  wampOptions(options: CallOptions, receiveProgress: boolean): Readonly<Dict> {
    const timed = options.timeout !== undefined && options.timeout > 0;
    if (!timed && !options.discloseMe) return receiveProgress ? RECEIVE_PROGRESS : EMPTY_DICT;
    const wampOptions: Dict = {};
    if (receiveProgress) wampOptions['receive_progress'] = true;
    if (timed) wampOptions['timeout'] = options.timeout;
    if (options.discloseMe) wampOptions['disclose_me'] = true;
    return wampOptions;
  }

  /**
   * A streaming call before its first CALL: it fails with the session like any pending call
   * (its input may not come until after a reconnect, and must not go to a dead session), until
   * `started` (its first CALL went out, or it ended).
   */
  starting(subscriber: Subscriber<CallResult>): void {
    this.#startingCalls.add(subscriber);
  }

  started(subscriber: Subscriber<CallResult>): void {
    this.#startingCalls.delete(subscriber);
  }

  /** A call started elsewhere (a streaming call's first CALL) waits here for its RESULTs and ERROR. */
  track(requestId: number, subscriber: Subscriber<CallResult>, receiveProgress: boolean): void {
    this.#pendingCalls.set(requestId, { subscriber, receiveProgress });
  }

  /** Unsubscribed: forget the call; tell the router if the call is still running. */
  abandon(requestId: number, mode: CancelMode): void {
    if (!this.#pendingCalls.delete(requestId)) return; // already ended
    const session = this.session;
    if (!session.isOpen || !session.routerSupports('dealer', 'call_canceling')) return;
    try {
      // Whatever the router answers later for this id finds no entry and is dropped.
      session.send([MessageType.CANCEL, requestId, { mode }]);
    } catch {
      // The connection is going (its socket already closing): the router drops the call with
      // the session. An unsubscribe must never throw for that.
    }
  }

  #onResult(message: ResultMessage): void {
    const requestId = message[1];
    const pending = this.#pendingCalls.get(requestId);
    if (pending === undefined) return; // late result of a cancelled call
    const details = message[2];
    const progress = details['progress'] === true;
    // A progressive result we never asked for is ignored (digest §6.1, best practice).
    if (progress && !pending.receiveProgress) return;
    // Validation leaves RESULT's payload slots as they came (see ResultMessage).
    const result: CallResult = { progress, args: message[3] ?? [], kwargs: message[4] ?? {}, details };
    if (progress) return pending.subscriber.next(result);
    this.#pendingCalls.delete(requestId);
    try {
      pending.subscriber.next(result);
    } finally {
      // Even when the application's chain threw back at us (the session reports it): the call
      // is over and its Observable must end.
      pending.subscriber.complete();
    }
  }

  #onError(message: ErrorMessage): void {
    const [, , requestId, details, uri, args, kwargs] = message;
    const pending = this.#pendingCalls.get(requestId);
    if (pending === undefined) return;
    this.#pendingCalls.delete(requestId);
    pending.subscriber.error(new WampError(uri, { details, args, kwargs }));
  }

  #failAll(error: Error): void {
    const subscribers = [...this.#pendingCalls.values()].map((call) => call.subscriber);
    subscribers.push(...this.#startingCalls);
    this.#pendingCalls.clear();
    this.#startingCalls.clear();
    for (const subscriber of subscribers) {
      // Each call's observers are application code: one that throws back must not spare the rest.
      try {
        subscriber.error(error);
      } catch (thrown) {
        this.session.report(thrown, { source: 'teardown' });
      }
    }
  }
}
