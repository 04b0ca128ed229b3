import { Observable, type Subscriber } from 'rxjs';
import { CLOSE_REALM } from '../protocol/error-uris.js';
import { isRetryableReason, WampConnectionError, WampError } from '../protocol/errors.js';
import type { Session } from '../session/session.js';
import { backoffDelay } from './backoff.js';
import { routerFeatures, type ConnectionState, type ConnectionStatus } from './connection-state.js';
import type { ActiveSession } from './open-session.js';
import type { ReconnectOptions } from './options.js';

/** What the connection needs from the client around it. */
export interface ConnectionHooks {
  /**
   * One attempt: open a transport to the endpoint `url` and join; abort on `signal`. `ended` is
   * told when the session ends, before anything else on it hears of it.
   */
  open(url: string, signal: AbortSignal, ended: (session: Session, error: Error) => void): Promise<ActiveSession>;
  /** A session opened: restore what the application holds (send REGISTER/SUBSCRIBE), telling no one yet. */
  opened(active: ActiveSession): void;
  /** The client gave up, or close() was called: end what the application holds (through `notify`). */
  closed(error: Error, deliberate: boolean): void;
  /** Application code threw back at a notification (a teardown in a state$ chain, an ended Observable's): goes to onError. */
  report(error: unknown): void;
}

interface Waiter {
  ready(active: ActiveSession): void;
  failed(error: Error): void;
  /** Stopped waiting (the operation was unsubscribed): never told anything. */
  gone: boolean;
}

/**
 * Which status may follow which. Every change of state is one of these (`moveTo` refuses
 * anything else); what causes each is the method named beside it.
 */
const TRANSITIONS: { readonly [From in ConnectionStatus]: readonly ConnectionStatus[] } = {
  idle: ['connecting', 'closed'], //              ensureConnecting | close
  connecting: ['connecting', 'open', 'reconnecting', 'closed'], // attemptFailed (next endpoint) | attemptOpened | attemptFailed (retry) | attemptFailed, close
  open: ['closed'], //                             sessionEnded (willRetry or not) | close
  closed: ['connecting', 'reconnecting'], //       ensureConnecting | sessionEnded (closed willRetry → reconnecting)
  reconnecting: ['connecting', 'closed'], //       the retry timer | close
};

const IDLE: ConnectionState = { status: 'idle' };

/**
 * The client's one connection state machine (DESIGN.md "Connection lifecycle"):
 *
 * idle → connecting → open → closed (willRetry) → reconnecting → connecting → open …
 *
 * With several endpoints, the attempts go round them: each failed attempt moves on to the next
 * endpoint at once (connecting → connecting), and a round in which every endpoint failed ends
 * the first connection, or waits the backoff before the next round. A lost session moves on to
 * the next endpoint too, so the one that just failed is tried last.
 *
 * It owns the current session, the attempt in progress, the retry timer and the operations
 * waiting for a session. Two rules make it safe for application code to call the client from
 * anywhere, `state$` listeners included:
 *
 * - A transition runs to its end before anyone hears of it: socket, session, the desired set
 *   re-attached, timers set or cleared. A step asked for while one runs (from code the step
 *   called: a debug listener, say) waits for it to end.
 * - Application code is only run afterwards, from one queue, in order: state$ listeners, then
 *   the operations and held Observables the transition affects. What a listener starts (a
 *   close(), a call) is a new transition; what it tells is queued behind what is being told.
 *
 * So there is at most one attempt or session at a time (at most one socket), and the retry
 * timer is cleared by every transition out of the state that set it.
 */
export class Connection {
  #current_: ConnectionState = IDLE;
  /**
   * Counts the endpoints tried: the attempt in progress or the open session is on
   * `#urls[#at % #urls.length]` (after a lost session, the next round's first).
   */
  #at = 0;
  /** #at when the current round of attempts started: the round is over once #at is a whole list further. */
  #first = 0;
  #active: ActiveSession | undefined;
  /** Aborts the attempt in progress (close() while connecting). */
  #attempt: AbortController | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The GOODBYE of the session close() ended: a new attempt waits for it (one socket at a time). */
  #closing: Promise<void> | undefined;
  readonly #waiters = new Set<Waiter>();
  #transitioning = false;
  /** Steps asked for while a transition ran. */
  readonly #nextSteps: Array<() => void> = [];
  /** Application code to run once the transitions in progress are done, in order. */
  readonly #notifications: Array<() => void> = [];
  #notifying = false;
  readonly #stateListeners = new Set<Subscriber<ConnectionState>>();
  /** The state the listeners heard last (what a new subscriber is told first). */
  #told: ConnectionState = IDLE;

  /** The state as an Observable: replays the last state told, then every change, in order. */
  readonly state$: Observable<ConnectionState> = new Observable<ConnectionState>((subscriber) => {
    this.#stateListeners.add(subscriber);
    subscriber.next(this.#told);
    return () => this.#stateListeners.delete(subscriber);
  });

  readonly #urls: readonly string[];
  readonly #reconnect: Required<ReconnectOptions> | false;
  readonly #hooks: ConnectionHooks;

  /** `urls`: the endpoints, never empty (resolveOptions refuses an empty list). */
  constructor(urls: readonly string[], reconnect: Required<ReconnectOptions> | false, hooks: ConnectionHooks) {
    this.#urls = urls;
    this.#reconnect = reconnect;
    this.#hooks = hooks;
  }

  /** Where the machine is now (listeners may not have heard of it yet). */
  get state(): ConnectionState {
    return this.#current_;
  }

  /** The open session, if there is one right now. */
  get current(): ActiveSession | undefined {
    return this.#active?.session.isOpen ? this.#active : undefined;
  }

  /**
   * Runs `ready` with the open session, now or once one opens (connecting first when idle or
   * closed); runs `failed` if the client gives up first. Returns a function that stops waiting.
   */
  whenOpen(ready: (active: ActiveSession) => void, failed: (error: Error) => void): () => void {
    const open = this.current;
    // Waiters still queued for this session go first.
    if (open && this.#waiters.size === 0) {
      ready(open);
      return noop;
    }
    const waiter: Waiter = { ready, failed, gone: false };
    this.#waiters.add(waiter);
    if (!open) this.ensureConnecting();
    return () => {
      waiter.gone = true;
      this.#waiters.delete(waiter);
    };
  }

  /** Starts connecting unless a session is open or on its way. */
  ensureConnecting(): void {
    this.#step(() => {
      const { status } = this.#current_;
      // A new connection (the first, or after close() or giving up) starts at the first endpoint.
      if (status === 'idle' || status === 'closed') {
        this.#at = this.#first = 0;
        this.#startAttempt(1, false);
      }
    });
  }

  /**
   * Runs `notification` (application code) once the transition in progress is done and what
   * it tells was told; at once when there is none.
   */
  notify(notification: () => void): void {
    this.#notifications.push(notification);
    if (!this.#transitioning) this.#drain();
  }

  /**
   * Ends everything: stops a backoff or an attempt at once, fails waiting operations, and ends
   * the open session with the GOODBYE handshake. Nothing is retried afterwards; a new
   * operation connects again.
   */
  close(): Promise<void> {
    return new Promise<void>((resolve) => this.#step(() => resolve(this.#shutDown())));
  }

  /** Returns the GOODBYE handshake to wait for, if a session was open. */
  #shutDown(): Promise<void> | undefined {
    if (this.#current_.status === 'closed') return;
    const error = new WampConnectionError('closed', 'the client was closed');
    this.#attempt?.abort(error);
    this.#attempt = undefined;
    const active = this.#active;
    this.#active = undefined;
    this.#giveUp(error, true);
    if (!active) return;
    const goodbye = active.session.close(CLOSE_REALM, error);
    this.#closing = goodbye;
    void goodbye.then(() => {
      if (this.#closing === goodbye) this.#closing = undefined;
    });
    return goodbye;
  }

  /** Starts an attempt of round `attempt` on the endpoint at #at. */
  #startAttempt(attempt: number, reconnecting: boolean): void {
    this.#clearRetryTimer();
    const abort = new AbortController();
    const url = this.#urls[this.#at % this.#urls.length]!;
    this.#attempt = abort;
    this.#moveTo({ status: 'connecting', attempt, url });
    const open = () => this.#hooks.open(url, abort.signal, (session, error) => this.#step(() => this.#sessionEnded(session, error)));
    (this.#closing ? this.#closing.then(open) : open()).then(
      (active) => this.#step(() => this.#attemptOpened(abort, active, attempt, reconnecting, url)),
      (error: unknown) => this.#step(() => this.#attemptFailed(abort, asError(error), attempt, reconnecting)),
    );
  }

  #attemptOpened(abort: AbortController, active: ActiveSession, attempt: number, reconnecting: boolean, url: string): void {
    if (this.#attempt !== abort) {
      void active.session.close(CLOSE_REALM, abort.signal.reason as Error); // close() took over
      return;
    }
    if (!active.session.isOpen) {
      // It ended between WELCOME and here.
      return this.#attemptFailed(abort, active.session.closedWith ?? new WampConnectionError('lost', 'the session ended while opening'), attempt, reconnecting);
    }
    this.#attempt = undefined;
    this.#active = active;
    // The desired set is re-attached before anyone hears `open`: a listener that registers
    // in reaction to it adds to the set, and is attached once.
    this.#hooks.opened(active);
    const info = active.session.info!;
    this.#moveTo({ status: 'open', url, session: info, routerFeatures: routerFeatures(info) });
    this.#notifications.push(() => this.#serveWaiters());
  }

  #attemptFailed(abort: AbortController, error: Error, attempt: number, reconnecting: boolean): void {
    if (this.#attempt !== abort) return; // close() took over
    this.#attempt = undefined;
    // Trouble on the way to one endpoint moves on to the next at once, until each was tried in
    // this round (a refusal to let us in is not retried, on this endpoint or another). The first
    // connection is not retried after its round: its operations fail, and `retry()` on them (or
    // the next operation) connects again. After a session was open, the backoff keeps trying.
    if (isRetryable(error)) {
      if (++this.#at - this.#first < this.#urls.length) return this.#startAttempt(attempt, reconnecting);
      if (reconnecting && this.#reconnect && attempt < this.#reconnect.maxAttempts) return this.#scheduleReconnect(attempt + 1, error);
    }
    this.#giveUp(error, false);
  }

  #sessionEnded(session: Session, error: Error): void {
    if (this.#active?.session !== session) return; // close() ended it, or it never opened
    this.#active = undefined;
    this.#at++; // the next round starts after the endpoint just lost, which comes last
    const willRetry = this.#reconnect && this.#reconnect.maxAttempts > 0 && isRetryable(error);
    if (!willRetry) return this.#giveUp(error, false);
    this.#moveTo({ status: 'closed', error, willRetry: true });
    this.#scheduleReconnect(1, error);
  }

  #scheduleReconnect(attempt: number, error: Error): void {
    const delay = backoffDelay(attempt, this.#reconnect as Required<ReconnectOptions>);
    this.#first = this.#at; // the next round starts where this one did
    this.#moveTo({ status: 'reconnecting', attempt, delay, error });
    const timer = setTimeout(
      () =>
        this.#step(() => {
          if (this.#retryTimer !== timer) return; // a later transition cleared it
          this.#retryTimer = undefined;
          this.#startAttempt(attempt, true);
        }),
      delay,
    );
    this.#retryTimer = timer;
  }

  /** Moves to closed for good: waiting operations fail, held registrations and subscriptions end. */
  #giveUp(error: Error, deliberate: boolean): void {
    this.#clearRetryTimer();
    this.#moveTo({ status: 'closed', error, willRetry: false });
    // Those waiting now fail; whoever starts waiting while this is told waits for a new attempt.
    const waiting = [...this.#waiters];
    this.#waiters.clear();
    this.#hooks.closed(error, deliberate);
    this.#notifications.push(() => {
      for (const waiter of waiting) if (!waiter.gone) waiter.failed(error);
    });
  }

  #clearRetryTimer(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  /** Starts the operations waiting for a session, in the order they came, while it stays open. */
  #serveWaiters(): void {
    for (const waiter of this.#waiters) {
      const open = this.current;
      if (!open) return; // ended meanwhile: they wait for the next one
      this.#waiters.delete(waiter);
      waiter.ready(open);
    }
  }

  #moveTo(next: ConnectionState): void {
    const from = this.#current_.status;
    if (!TRANSITIONS[from].includes(next.status)) throw new Error(`rxwamp: no transition from ${from} to ${next.status}`);
    this.#current_ = next;
    this.#notifications.push(() => this.#tell(next));
  }

  /**
   * Tells every state$ listener, each on its own. A listener's own throw is caught and
   * reported by rxjs (as for any subscriber); what still comes back (a teardown in an operator
   * chain that ended) is reported, and does not keep the rest from hearing.
   */
  #tell(state: ConnectionState): void {
    this.#told = state;
    for (const listener of [...this.#stateListeners]) {
      try {
        listener.next(state);
      } catch (error) {
        this.#hooks.report(error);
      }
    }
  }

  /**
   * One step of the machine. Steps never overlap: one asked for while another runs waits for
   * it to end. Afterwards, what the steps made known is told.
   */
  #step(work: () => void): void {
    if (this.#transitioning) {
      this.#nextSteps.push(work);
      return;
    }
    this.#transitioning = true;
    try {
      work();
      for (let next = this.#nextSteps.shift(); next; next = this.#nextSteps.shift()) next();
    } finally {
      this.#transitioning = false;
    }
    this.#drain();
  }

  /** Runs the queued notifications in order; re-entered, it leaves what was added to the loop running. */
  #drain(): void {
    if (this.#notifying) return;
    this.#notifying = true;
    try {
      for (let next = this.#notifications.shift(); next; next = this.#notifications.shift()) {
        try {
          next();
        } catch (error) {
          this.#hooks.report(error);
        }
      }
    } finally {
      this.#notifying = false;
    }
  }
}

/** Whether trying again may help: connection trouble yes, a router's refusal to let us in no. */
function isRetryable(error: Error): boolean {
  if (error instanceof WampConnectionError) return error.retryable;
  if (error instanceof WampError) return isRetryableReason(error.uri);
  return false; // a TypeError from bad options will not get better
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function noop(): void {
  /* nothing was waiting */
}
