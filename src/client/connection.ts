import { BehaviorSubject, type Observable } from 'rxjs';
import { CLOSE_REALM } from '../protocol/error-uris.js';
import { isRetryableReason, WampConnectionError, WampError } from '../protocol/errors.js';
import { backoffDelay } from './backoff.js';
import { routerFeatures, type ConnectionState } from './connection-state.js';
import type { ActiveSession } from './open-session.js';
import type { ReconnectOptions } from './options.js';

/** What the connection needs from the client around it. */
export interface ConnectionHooks {
  /** One attempt: open a transport and join; abort on `signal`. */
  open(signal: AbortSignal): Promise<ActiveSession>;
  /** A session opened: restore what the application holds, before waiting operations start. */
  opened(active: ActiveSession): void;
  /** The client gave up, or close() was called: end what the application holds. */
  closed(error: Error, deliberate: boolean): void;
}

interface Waiter {
  ready(active: ActiveSession): void;
  failed(error: Error): void;
}

/**
 * The client's one connection state machine (DESIGN.md "Connection lifecycle"):
 *
 * idle → connecting → open → (lost) → reconnecting → connecting → open …
 *
 * It owns the current session, the attempt in progress, the backoff timer and the operations
 * waiting for a session. Every way out of a state is a method here; nothing else changes state.
 */
export class Connection {
  private readonly stateSubject = new BehaviorSubject<ConnectionState>({ status: 'idle' });
  /** The state as an Observable: replays the current state, then every change. */
  readonly state$: Observable<ConnectionState> = this.stateSubject.asObservable();
  private active: ActiveSession | undefined;
  /** Aborts the attempt in progress (close() while connecting). */
  private attemptAbort: AbortController | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly reconnect: Required<ReconnectOptions> | false, private readonly hooks: ConnectionHooks) {}

  get state(): ConnectionState {
    return this.stateSubject.value;
  }

  /** The open session, if there is one right now. */
  get current(): ActiveSession | undefined {
    const active = this.active;
    return active !== undefined && active.session.isOpen ? active : undefined;
  }

  /**
   * Runs `ready` with the open session, now or once one opens (connecting first when idle or
   * closed); runs `failed` if the client gives up first. Returns a function that stops waiting.
   */
  whenOpen(ready: (active: ActiveSession) => void, failed: (error: Error) => void): () => void {
    const open = this.current;
    if (open) {
      ready(open);
      return noop;
    }
    const waiter: Waiter = { ready, failed };
    this.waiters.add(waiter);
    this.ensureConnecting();
    return () => this.waiters.delete(waiter);
  }

  /** Starts connecting unless a session is open or on its way. */
  ensureConnecting(): void {
    const { status } = this.state;
    if (status === 'idle' || status === 'closed') void this.connect(1, false);
  }

  /**
   * Ends everything: stops a backoff or an attempt at once, fails waiting operations, and ends
   * the open session with the GOODBYE handshake. Nothing is retried afterwards; a new
   * operation connects again.
   */
  async close(): Promise<void> {
    const error = new WampConnectionError('closed', 'the client was closed');
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attemptAbort?.abort(error);
    this.attemptAbort = undefined;
    const active = this.active;
    this.active = undefined;
    this.giveUp(error, true);
    if (active) await active.session.close(CLOSE_REALM, error);
  }

  private async connect(attempt: number, reconnecting: boolean): Promise<void> {
    this.retryTimer = undefined;
    const abort = new AbortController();
    this.attemptAbort = abort;
    this.setState({ status: 'connecting', attempt });
    let active: ActiveSession;
    try {
      active = await this.hooks.open(abort.signal);
    } catch (error) {
      if (this.attemptAbort !== abort) return; // close() took over
      this.attemptAbort = undefined;
      return this.attemptFailed(asError(error), attempt, reconnecting);
    }
    if (this.attemptAbort !== abort) {
      void active.session.close(CLOSE_REALM, abort.signal.reason as Error);
      return;
    }
    this.attemptAbort = undefined;
    if (!active.session.isOpen) {
      // It ended between WELCOME and here.
      return this.attemptFailed(active.session.closedWith ?? new WampConnectionError('lost', 'the session ended while opening'), attempt, reconnecting);
    }
    this.active = active;
    active.session.onClose((error) => this.sessionEnded(active, error));
    const info = active.session.info!;
    this.setState({ status: 'open', session: info, routerFeatures: routerFeatures(info) });
    this.hooks.opened(active);
    for (const waiter of [...this.waiters]) {
      if (this.current !== active) break; // the session ended during a restore or an earlier waiter
      this.waiters.delete(waiter);
      try {
        waiter.ready(active);
      } catch (error) {
        waiter.failed(asError(error));
      }
    }
  }

  private attemptFailed(error: Error, attempt: number, reconnecting: boolean): void {
    // The first connection is not retried: its operations fail, and `retry()` on them (or the
    // next operation) connects again. After a session was open, the backoff keeps trying.
    if (reconnecting && this.reconnect && isRetryable(error) && attempt < this.reconnect.maxAttempts) {
      return this.scheduleReconnect(attempt + 1, error);
    }
    this.giveUp(error, false);
  }

  private sessionEnded(active: ActiveSession, error: Error): void {
    if (this.active !== active) return; // close() ended it
    this.active = undefined;
    const willRetry = this.reconnect !== false && this.reconnect.maxAttempts > 0 && isRetryable(error);
    if (!willRetry) return this.giveUp(error, false);
    this.setState({ status: 'closed', error, willRetry: true });
    this.scheduleReconnect(1, error);
  }

  private scheduleReconnect(attempt: number, error: Error): void {
    const delay = backoffDelay(attempt, this.reconnect as Required<ReconnectOptions>);
    this.setState({ status: 'reconnecting', attempt, delay, error });
    this.retryTimer = setTimeout(() => void this.connect(attempt, true), delay);
  }

  /** Moves to closed for good: waiting operations fail, held registrations and subscriptions end. */
  private giveUp(error: Error, deliberate: boolean): void {
    this.setState({ status: 'closed', error, willRetry: false });
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter.failed(error);
    this.hooks.closed(error, deliberate);
  }

  private setState(state: ConnectionState): void {
    this.stateSubject.next(state);
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

function noop(): void { /* nothing was waiting */ }
