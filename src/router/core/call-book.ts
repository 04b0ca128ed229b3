import type { Dict } from '../../protocol/index.js';
import type { Registration } from './registrations.js';
import type { RoutedSession } from './routed-session.js';

/** One call in flight: the caller's CALL and the callee's INVOCATION, one id each (§6.2). */
export interface ActiveCall {
  readonly caller: RoutedSession;
  readonly callerRequestId: number;
  readonly procedure: string;
  readonly callee: RoutedSession;
  readonly invocationId: number;
  readonly registration: Registration;
  /** INVOCATION.Details every chunk carries, frozen from the first CALL (§6.2). */
  readonly invocationDetails: Dict;
  /** The caller asked for progress and the callee can stream (announced results and canceling, §6.1). */
  readonly progressToCaller: boolean;
  /** The callee announced call_canceling: it gets INTERRUPTs; otherwise cancel falls back to skip. */
  readonly calleeCancels: boolean;
  /** Progressive invocation still open: more CALL chunks may come (§6.2). */
  callerStreaming: boolean;
  /** CANCEL mode kill was sent on: the callee's answer is the one terminating message. */
  killRequested: boolean;
  /** CALL.Options.timeout in ms (0: none); measured from the CALL, then between results (§6.1). */
  readonly timeoutMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** How many finished progressive-invocation call ids each caller remembers, to drop late chunks quietly. */
const GRACE_IDS_PER_CALLER = 1024;

/**
 * Active calls of one realm, indexed by (caller, CALL id) and by (callee, INVOCATION id)
 * so every CALL, CANCEL, YIELD and ERROR finds its call in O(1).
 */
export class CallBook {
  private readonly byCaller = new Map<RoutedSession, Map<number, ActiveCall>>();
  private readonly byCallee = new Map<RoutedSession, Map<number, ActiveCall>>();
  /** Per caller: ids of progressive-invocation calls that ended, in insertion order (the §6.2 grace table). */
  private readonly finishedStreams = new Map<RoutedSession, Set<number>>();

  /** Every call in flight, by caller. */
  *all(): Generator<ActiveCall> {
    for (const calls of this.byCaller.values()) yield* calls.values();
  }

  add(call: ActiveCall): void {
    indexed(this.byCaller, call.caller).set(call.callerRequestId, call);
    indexed(this.byCallee, call.callee).set(call.invocationId, call);
  }

  byCallerRequest(caller: RoutedSession, requestId: number): ActiveCall | undefined {
    return this.byCaller.get(caller)?.get(requestId);
  }

  byInvocation(callee: RoutedSession, invocationId: number): ActiveCall | undefined {
    return this.byCallee.get(callee)?.get(invocationId);
  }

  /** How many calls the caller has in flight (SessionLimits.maxCallsInFlight). O(1). */
  callCountOf(caller: RoutedSession): number {
    return this.byCaller.get(caller)?.size ?? 0;
  }

  /** How many invocations the callee has not answered (SessionLimits.maxPendingInvocations). O(1). */
  invocationCountOf(callee: RoutedSession): number {
    return this.byCallee.get(callee)?.size ?? 0;
  }

  /** Calls the session made (as caller), as a snapshot. */
  callsOf(caller: RoutedSession): ActiveCall[] {
    return [...(this.byCaller.get(caller)?.values() ?? [])];
  }

  /** Invocations the session is serving (as callee), as a snapshot. */
  invocationsOf(callee: RoutedSession): ActiveCall[] {
    return [...(this.byCallee.get(callee)?.values() ?? [])];
  }

  /** Whether this caller's id belongs to a progressive-invocation call that already ended. */
  recentlyFinishedStream(caller: RoutedSession, requestId: number): boolean {
    return this.finishedStreams.get(caller)?.has(requestId) ?? false;
  }

  /** Forgets the call (and stops its timer); false when it was already gone. */
  remove(call: ActiveCall): boolean {
    const calls = this.byCaller.get(call.caller);
    if (calls?.get(call.callerRequestId) !== call) return false;
    clearTimeout(call.timer);
    call.timer = undefined;
    calls.delete(call.callerRequestId);
    if (calls.size === 0) this.byCaller.delete(call.caller);
    const invocations = this.byCallee.get(call.callee);
    invocations?.delete(call.invocationId);
    if (invocations?.size === 0) this.byCallee.delete(call.callee);
    if (call.callerStreaming) this.rememberFinishedStream(call.caller, call.callerRequestId);
    return true;
  }

  /** Late chunks of this progressive-invocation call will be dropped quietly (§6.2). */
  rememberFinishedStream(caller: RoutedSession, requestId: number): void {
    const finished = indexed(this.finishedStreams, caller, () => new Set<number>());
    finished.add(requestId);
    if (finished.size > GRACE_IDS_PER_CALLER) finished.delete(finished.values().next().value!);
  }

  forgetSession(session: RoutedSession): void {
    this.finishedStreams.delete(session);
  }
}

function indexed<K, V>(map: Map<K, V>, key: K, create: () => V = () => new Map() as V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}
