/**
 * The system under test of the model-based client tests — one WampClient against the router
 * process — and the model of what the application holds, with `settle()`: wait until the
 * system reached what the model says (state$ open or closed, the router's tables, every
 * expected outcome), failing fast on a broken invariant and with a description on timeout.
 */
import { WampClient, WampConnectionError, WampError, type ConnectionState } from '../../src/index.js';
import { resolveOptions } from '../../src/client/options.js';
import type { ModelRouter, RouterState } from './model-router.js';
import { ErrorTrap, HostileError, Recorder, ResourceTracker, SocketCounter } from './probes.js';

/** How long a step may take to settle on loopback before it counts as stuck. */
export const SETTLE_MS = Number(process.env['RXWAMP_MODEL_SETTLE_MS'] ?? 3_000);
const POLL_MS = 5;

export const PROCEDURES = ['model.p0', 'model.p1', 'model.p2', 'model.p3'] as const;
export const TOPICS = ['model.t0', 'model.t1', 'model.t2'] as const;
/** Registered by no one. */
export const NOBODY = 'model.nobody';
/** Published to by the re-entrant state$ listener; nobody subscribes. */
export const REENTRANT_TOPIC = 'model.reentrant';

export type HandlerKind = 'value' | 'stream' | 'duplex' | 'throwing' | 'hanging' | 'hanging-throwing-teardown';

/**
 * What a recorder must show once the step settled. `check` returns undefined when satisfied,
 * `wait:…` while it may still come, anything else is a violation (fails at once).
 */
export type Expectation = (recorder: Recorder) => string | undefined;

export interface Tracked {
  readonly recorder: Recorder;
  expectation: Expectation;
}

export interface ModelRegistration {
  readonly procedure: string;
  readonly kind: HandlerKind;
  readonly tracked: Tracked;
}

export interface ModelTopic {
  readonly topic: string;
  readonly tracked: Tracked;
  /** onSubscribed calls so far for this subscriber. */
  subscribedCalls: number;
  /** Publication payloads this subscriber must have received exactly once. */
  readonly mustReceive: number[];
}

export interface ModelCall {
  readonly procedure: string;
  readonly kind: HandlerKind;
  readonly tracked: Tracked;
}

/** The application as the model sees it. */
export interface Model {
  /** Some operation asked for a session and no close() came since: settled means open. */
  open: boolean;
  /** How many times state$ must have said `open` so far (a reconnect loop shows as more). */
  opens: number;
  readonly registrations: Map<string, ModelRegistration>;
  readonly topics: ModelTopic[];
  /** Calls to a hanging handler, running until a drop, close() or cancel. */
  readonly runningCalls: ModelCall[];
  /** Handler invocations that must have started (a call is served before the next step). */
  handlerRuns: number;
  /** Handler teardowns that must have run. */
  teardowns: number;
  /** Teardowns that threw, and hostile throws with no operation of their own (onError's business). */
  unownedThrows: number;
  /** Our state$ listener threw this many times: rxjs reports each through onUnhandledError. */
  listenerThrows: number;
  publications: number;
}

export function emptyModel(): Model {
  return {
    open: false,
    opens: 0,
    registrations: new Map(),
    topics: [],
    runningCalls: [],
    handlerRuns: 0,
    teardowns: 0,
    unownedThrows: 0,
    listenerThrows: 0,
    publications: 0,
  };
}

/** The shared router process (restarted by the kill command) and the suite's probes. */
export interface Harness {
  router: ModelRouter;
  readonly trap: ErrorTrap;
  readonly resources: ResourceTracker;
}

/** Whether the client has the `onError` option yet (issue #18): probed, not assumed. */
export const ON_ERROR_SUPPORTED: boolean = (() => {
  const probe = () => undefined;
  try {
    const resolved = resolveOptions({ url: 'ws://127.0.0.1:1/ws', realm: 'realm1', onError: probe }) as unknown as Record<string, unknown>;
    return resolved['onError'] === probe;
  } catch {
    return false;
  }
})();

export class System {
  readonly client: WampClient;
  readonly sockets = new SocketCounter();
  readonly states: ConnectionState[] = [];
  readonly tracked: Tracked[] = [];
  readonly onErrorCalls: Array<{ error: unknown; context: unknown }> = [];
  handlerRuns = 0;
  teardowns = 0;

  constructor(readonly harness: Harness) {
    const options = {
      url: harness.router.url,
      realm: harness.router.realm,
      WebSocket: this.sockets.WebSocket,
      reconnect: { initialDelay: 5, factor: 1.5, maxDelay: 40, maxAttempts: 1_000, jitter: 0 },
      connectTimeout: 5_000,
      goodbyeTimeout: 1_000,
      onError: (error: unknown, context: unknown) => {
        this.onErrorCalls.push({ error, context });
      },
    };
    this.client = new WampClient(options);
    this.client.state$.subscribe((state) => this.states.push(state));
  }

  get router(): ModelRouter {
    return this.harness.router;
  }

  get opens(): number {
    return this.states.filter((state) => state.status === 'open').length;
  }

  /** Subscribes the recorder's observer and keeps it for the checks. */
  track(recorder: Recorder, expectation: Expectation): Tracked {
    const tracked: Tracked = { recorder, expectation };
    this.tracked.push(tracked);
    return tracked;
  }

  async routerState(): Promise<RouterState> {
    return this.harness.resources.quietly(() => this.router.state());
  }

  pause(ms = POLL_MS): Promise<void> {
    return new Promise((resolve) => this.harness.resources.quietly(() => setTimeout(resolve, ms)));
  }

  /**
   * Waits until the system is where the model says, then checks every invariant. Throws at once
   * on a violation, or after SETTLE_MS with what was still missing.
   */
  async settle(model: Model, step: string, timeoutMs = SETTLE_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const violations = this.violations(model);
      if (violations.length > 0) throw new Error(`after ${step}: ${violations.join('\n')}`);
      const missing = await this.missing(model);
      if (missing.length === 0) break;
      if (Date.now() > deadline) throw new Error(`after ${step}: did not settle within ${timeoutMs} ms:\n  ${missing.join('\n  ')}\n${this.describe()}`);
      await this.pause();
    }
  }

  /** Broken invariants: nothing later can mend them. */
  violations(model: Model): string[] {
    const found: string[] = [];
    // 1. At most one open or connecting socket per client, ever.
    if (this.sockets.violations.length > 0) found.push(`invariant 1 (one socket per client): ${this.sockets.violations.join('; ')}`);
    if (this.sockets.active.length > 1) found.push(`invariant 1 (one socket per client): ${this.sockets.active.length} sockets open or connecting`);
    // 3. Every Observable ends at most once; nothing after the end.
    for (const { recorder } of this.tracked) {
      if (recorder.endings.length > 1)
        found.push(`invariant 3: ${recorder.label} ended ${recorder.endings.length} times (${recorder.endings.map(describeEnding).join(', ')})`);
      if (recorder.afterEnd > 0) found.push(`invariant 3: ${recorder.label} got ${recorder.afterEnd} notification(s) after it ended`);
    }
    // 4. No uncaught exception, no unhandled rejection; rxjs reports only our listener's throws.
    const trap = this.harness.trap;
    for (const error of trap.uncaught) found.push(`invariant 4: uncaught exception: ${describeError(error)}`);
    for (const reason of trap.unhandledRejections) found.push(`invariant 4: unhandled rejection: ${describeError(reason)}`);
    for (const error of trap.rxjsReported) {
      if (!(error instanceof HostileError && error.where === 'state$ listener'))
        found.push(`invariant 4: rxjs reported an unhandled error that is not our state$ listener's: ${describeError(error)}`);
    }
    if (trap.rxjsReported.length > model.listenerThrows)
      found.push(`invariant 4: rxjs reported ${trap.rxjsReported.length} errors, our state$ listener threw ${model.listenerThrows} times`);
    // Hostile throws reach onError at most once each (exactly once, once settled: see missing()).
    if (this.onErrorCalls.length > model.unownedThrows)
      found.push(
        `onError was called ${this.onErrorCalls.length} times for ${model.unownedThrows} throw(s) without an operation: ${this.onErrorCalls.map((c) => describeError(c.error)).join('; ')}`,
      );
    if (this.handlerRuns > model.handlerRuns) found.push(`${this.handlerRuns} handler invocations ran, ${model.handlerRuns} expected`);
    if (this.teardowns > model.teardowns) found.push(`${this.teardowns} handler teardowns ran, ${model.teardowns} expected`);
    if (this.opens > model.opens) found.push(`state$ said open ${this.opens} times, ${model.opens} expected (a reconnect nobody asked for, or a loop)`);
    // Expectations that can no longer be met.
    for (const { recorder, expectation } of this.tracked) {
      const problem = expectation(recorder);
      if (problem !== undefined && !problem.startsWith('wait:')) found.push(`${recorder.label}: ${problem}`);
    }
    return found;
  }

  /** What has not happened yet; empty once settled. */
  async missing(model: Model): Promise<string[]> {
    const missing: string[] = [];
    for (const { recorder, expectation } of this.tracked) {
      const problem = expectation(recorder);
      if (problem !== undefined) missing.push(`${recorder.label}: ${problem}`);
    }
    if (this.handlerRuns < model.handlerRuns) missing.push(`${this.handlerRuns} of ${model.handlerRuns} handler invocations started`);
    if (this.teardowns < model.teardowns) missing.push(`${this.teardowns} of ${model.teardowns} handler teardowns ran`);
    if (this.harness.trap.rxjsReported.length < model.listenerThrows)
      missing.push(`rxjs reported ${this.harness.trap.rxjsReported.length} of our state$ listener's ${model.listenerThrows} throws`);
    if (ON_ERROR_SUPPORTED && this.onErrorCalls.length < model.unownedThrows)
      missing.push(`onError told of ${this.onErrorCalls.length} of ${model.unownedThrows} throws without an operation`);
    if (this.opens < model.opens) missing.push(`state$ said open ${this.opens} of ${model.opens} times`);
    for (const topic of model.topics) {
      if (model.open && topic.subscribedCalls === 0) missing.push(`onSubscribed not yet called for ${topic.tracked.recorder.label}`);
    }
    const state = this.client.state;
    const routerState = await this.routerState();
    if (model.open) {
      if (state.status !== 'open') missing.push(`state is ${describeState(state)}, open expected`);
      const session = this.client.session?.id;
      if (session === undefined || !routerState.sessions.includes(session))
        missing.push(`the router has no session ${session} (it has ${routerState.sessions.join(', ') || 'none'})`);
      if (routerState.connections !== 1) missing.push(`the router holds ${routerState.connections} connections, 1 expected`);
      if (this.sockets.active.length !== 1) missing.push(`${this.sockets.active.length} sockets open or connecting, 1 expected`);
      // 2. The router's registrations and subscriptions for this session are what the application holds.
      if (session !== undefined) missing.push(...compareTables(model, routerState, session));
    } else {
      if (!(state.status === 'idle' || (state.status === 'closed' && !state.willRetry)))
        missing.push(`state is ${describeState(state)}, closed or idle expected`);
      if (routerState.connections !== 0) missing.push(`the router holds ${routerState.connections} connections, none expected`);
      if (this.sockets.live.size !== 0) missing.push(`${this.sockets.live.size} sockets not closed yet`);
      // 5. Closed: no socket, no timer, no handle left by the client.
      const leaks = this.harness.resources.leaks();
      if (leaks.length > 0) missing.push(`invariant 5: left behind after close:\n    ${leaks.join('\n    ').replaceAll('\n', '\n      ')}`);
    }
    return missing;
  }

  describe(): string {
    const states = this.states.map(describeState).join(' → ');
    return `  state$: ${states}\n  sockets created: ${this.sockets.created}, live: ${this.sockets.live.size}\n  onError: ${this.onErrorCalls.map((c) => describeError(c.error)).join('; ') || 'none'}`;
  }
}

function compareTables(model: Model, routerState: RouterState, session: number): string[] {
  const problems: string[] = [];
  const held = [...model.registrations.keys()].sort();
  const registered = routerState.registrations
    .filter((r) => r.session === session)
    .map((r) => r.procedure)
    .sort();
  if (JSON.stringify(held) !== JSON.stringify(registered))
    problems.push(`invariant 2: the application holds registrations [${held.join(', ')}], the router has [${registered.join(', ')}] for session ${session}`);
  const topics = [...new Set(model.topics.map((t) => t.topic))].sort();
  const subscribed = routerState.subscriptions
    .filter((s) => s.sessions.includes(session))
    .map((s) => `${s.topic}${s.match === 'exact' ? '' : ` (${s.match})`}`)
    .sort();
  if (JSON.stringify(topics) !== JSON.stringify(subscribed))
    problems.push(`invariant 2: the application holds subscriptions [${topics.join(', ')}], the router has [${subscribed.join(', ')}] for session ${session}`);
  return problems;
}

export function describeState(state: ConnectionState): string {
  switch (state.status) {
    case 'closed':
      return `closed(${state.willRetry ? 'willRetry' : 'final'}: ${describeError(state.error)})`;
    case 'reconnecting':
      return `reconnecting(${state.attempt})`;
    case 'connecting':
      return `connecting(${state.attempt})`;
    case 'open':
      return `open(${state.session.id})`;
    default:
      return state.status;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof WampConnectionError) return `WampConnectionError ${error.code}: ${error.message}`;
  if (error instanceof WampError) return `WampError ${error.uri}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function describeEnding(ending: { kind: string; error?: unknown }): string {
  return ending.kind === 'error' ? `error ${describeError(ending.error)}` : 'complete';
}

// ---- expectations ----

/** Held by the application: neither errors nor completes. */
export const stillHeld: Expectation = (r) => (r.ended ? `should still be held, but ${describeEnding(r.endings[0]!)}` : undefined);

/** A registration held while the client is open: registered at least once, never ended. */
export function registered(model: Model): Expectation {
  return (r) => {
    if (r.ended) return `registration should still be held, but ${describeEnding(r.endings[0]!)}`;
    if (model.open && r.values.length === 0) return 'wait: not registered yet';
    return undefined;
  };
}

/** Ends exactly once, either way (what close() does to held Observables). */
export const endsOnce: Expectation = (r) => (r.ended ? undefined : 'wait: not ended yet');

/** Ends once with an error satisfying `test`. */
export function errorsWith(what: string, test: (error: unknown) => boolean): Expectation {
  return (r) => {
    if (!r.ended) return 'wait: no error yet';
    const ending = r.endings[0]!;
    if (ending.kind !== 'error') return `should error with ${what}, but completed (values ${JSON.stringify(r.values)})`;
    return test(ending.error) ? undefined : `should error with ${what}, but errored with ${describeError(ending.error)}`;
  };
}

export const wampError = (uri: string) => errorsWith(uri, (e) => e instanceof WampError && e.uri === uri);
export const connectionError = (...codes: string[]) =>
  errorsWith(`WampConnectionError ${codes.join('|')}`, (e) => e instanceof WampConnectionError && codes.includes(e.code));

/** Completes once, after values satisfying `test`. */
export function completesWith(what: string, test: (values: unknown[]) => boolean): Expectation {
  return (r) => {
    if (!r.ended) return 'wait: not complete yet';
    const ending = r.endings[0]!;
    if (ending.kind !== 'complete') return `should complete with ${what}, but errored with ${describeError(ending.error)}`;
    return test(r.values) ? undefined : `should complete with ${what}, but got ${JSON.stringify(r.values)}`;
  };
}

/** Unsubscribed by the test: nothing more may be expected (invariant 3 still counts endings). */
export const nothingExpected: Expectation = () => undefined;
