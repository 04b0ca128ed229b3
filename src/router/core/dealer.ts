import {
  ErrorUri,
  MessageType,
  ProtocolViolation,
  withPayload,
  type CallMessage,
  type CancelMessage,
  type Dict,
  type ErrorMessage,
  type RegisterMessage,
  type UnregisterMessage,
  type YieldMessage,
} from '../../protocol/index.js';
import { CallBook, type ActiveCall } from './call-book.js';
import { boolOption, oneOfOption } from './options.js';
import { INVOKE_POLICIES, RegistrationTable, type RegisteredCallee } from './registrations.js';
import { MAX_TIMER_MS } from './router-options.js';
import type { Permits, RoutedSession, SendOutcome } from './routed-session.js';
import { DEFAULT_SESSION_LIMITS, LimitErrorUri, type ResolvedSessionLimits } from './session-limits.js';
import type { RealmView } from './realm-view.js';
import { refuseUri } from './uri-checks.js';

const MATCH_POLICIES = ['exact', 'prefix', 'wildcard'] as const;
const CANCEL_MODES = ['skip', 'kill', 'killnowait'] as const;
type CancelMode = (typeof CANCEL_MODES)[number];

/**
 * The dealer of one realm: registrations, and each call from CALL to its one terminating
 * RESULT or ERROR, including progressive results and invocations (§6.1, §6.2), canceling
 * (§6.3), timeouts (§6.4) and peers leaving mid-call.
 */
export class Dealer {
  private readonly registrations = new RegistrationTable();
  private readonly calls = new CallBook();

  /** `permits`: the realm's authorizer, asked for every REGISTER and new CALL; `limits`: the realm's per-session limits. */
  constructor(
    private readonly permits: Permits = () => true,
    private readonly limits: ResolvedSessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  register(session: RoutedSession, [, requestId, options, procedure]: RegisterMessage): void {
    const match = oneOfOption(options, 'match', MATCH_POLICIES) ?? 'exact';
    const invoke = oneOfOption(options, 'invoke', INVOKE_POLICIES) ?? 'single';
    const discloseCaller = boolOption(options, 'disclose_caller') === true;
    const refused = refuseUri(procedure, match, true, this.limits.maxUriLength);
    if (refused) {
      session.send([MessageType.ERROR, MessageType.REGISTER, requestId, { message: refused.message }, refused.uri]);
      return;
    }
    if (!this.permits(session, 'register', procedure, match)) {
      session.send([MessageType.ERROR, MessageType.REGISTER, requestId, { message: `not authorized to register "${procedure}"` }, ErrorUri.notAuthorized]);
      return;
    }
    const outcome = this.registrations.register(session, procedure, match, invoke, discloseCaller, this.limits.maxRegistrations);
    if ('error' in outcome) {
      session.send([MessageType.ERROR, MessageType.REGISTER, requestId, outcome.message === undefined ? {} : { message: outcome.message }, outcome.error]);
    } else {
      session.send([MessageType.REGISTERED, requestId, outcome.registration.id]);
    }
  }

  unregister(session: RoutedSession, [, requestId, registrationId]: UnregisterMessage): void {
    if (this.registrations.unregister(session, registrationId)) {
      session.send([MessageType.UNREGISTERED, requestId]);
    } else {
      session.send([MessageType.ERROR, MessageType.UNREGISTER, requestId, {}, ErrorUri.noSuchRegistration]);
    }
  }

  /** A CALL: a new call when its id is the next in sequence, else maybe a progressive-invocation chunk. */
  call(caller: RoutedSession, message: CallMessage, isNewRequest: boolean): void {
    if (isNewRequest) this.startCall(caller, message);
    else this.continueCall(caller, message);
  }

  cancel(caller: RoutedSession, [, requestId, options]: CancelMessage): void {
    // Crossbar treats a CANCEL without mode as killnowait; so do we (§6.3 defines no default).
    const requested: CancelMode = oneOfOption(options, 'mode', CANCEL_MODES) ?? 'killnowait';
    const call = this.calls.byCallerRequest(caller, requestId);
    // Unknown or finished calls, and a second CANCEL after kill: nothing to do (as Crossbar).
    if (!call || call.killRequested) return;
    // A callee that cannot be interrupted is skipped (§6.3).
    const mode = call.calleeCancels ? requested : 'skip';
    if (mode === 'kill') {
      call.killRequested = true;
      call.callee.send([MessageType.INTERRUPT, call.invocationId, { mode: 'kill', reason: ErrorUri.canceled }]);
      return;
    }
    this.calls.remove(call);
    if (mode === 'killnowait') call.callee.send([MessageType.INTERRUPT, call.invocationId, { mode: 'killnowait', reason: ErrorUri.canceled }]);
    caller.send([MessageType.ERROR, MessageType.CALL, call.callerRequestId, {}, ErrorUri.canceled]);
  }

  yield(callee: RoutedSession, [, invocationId, options, args, kwargs]: YieldMessage): void {
    const call = this.calls.byInvocation(callee, invocationId);
    // A late YIELD (skip, killnowait, timeout, caller gone) is dropped (§6.3).
    if (!call) return;
    if (boolOption(options, 'progress') === true) {
      if (!this.takesProgress(call)) return;
      this.armTimeout(call);
      const outcome = call.caller.trySend(withPayload([MessageType.RESULT, call.callerRequestId, { progress: true }, args, kwargs]));
      // A caller that does not keep up holds the callee back (FlowGate): the router stops reading it.
      call.caller.flow.relayedFrom(callee.flow);
      // A progressive result is never skipped: one that cannot reach the caller ends the call.
      if (outcome === 'oversize' || outcome === 'unencodable') this.failCall(call, ...undeliverable(outcome, 'a progressive result'), true);
      return;
    }
    this.calls.remove(call);
    this.answerUndelivered(call, call.caller.trySend(withPayload([MessageType.RESULT, call.callerRequestId, {}, args, kwargs])), 'the result');
    call.caller.flow.relayedFrom(callee.flow);
  }

  /** The callee's ERROR for an INVOCATION, relayed with URI, args and kwargs intact (§3.4). */
  invocationError(callee: RoutedSession, [, , invocationId, , uri, args, kwargs]: ErrorMessage): void {
    const call = this.calls.byInvocation(callee, invocationId);
    if (!call) return;
    this.calls.remove(call);
    const outcome = call.caller.trySend(withPayload([MessageType.ERROR, MessageType.CALL, call.callerRequestId, {}, uri, args, kwargs]));
    this.answerUndelivered(call, outcome, "the callee's error");
    call.caller.flow.relayedFrom(callee.flow);
  }

  /**
   * A CALL over maxMessageSize: only this call fails (payload_size_exceeded). A refused first
   * chunk of a progressive invocation is remembered so its later chunks are dropped quietly;
   * a refused later chunk ends the call, interrupting the callee.
   */
  refuseOversizeCall(caller: RoutedSession, [, requestId, options]: CallMessage, isNewRequest: boolean, why: string): void {
    if (isNewRequest) {
      if (boolOption(options, 'progress') === true) this.calls.rememberFinishedStream(caller, requestId);
      caller.send([MessageType.ERROR, MessageType.CALL, requestId, { message: why }, ErrorUri.payloadSizeExceeded]);
      return;
    }
    const call = this.streamingCall(caller, requestId);
    // After a kill CANCEL chunks are dropped (see continueCall): the callee's answer ends the call.
    if (call && !call.killRequested) this.failCall(call, ErrorUri.payloadSizeExceeded, `a progressive call chunk: ${why}`, true);
  }

  /** A YIELD over maxMessageSize fails its call for the caller; the callee's session goes on. */
  refuseOversizeYield(callee: RoutedSession, [, invocationId, options]: YieldMessage, why: string): void {
    const call = this.calls.byInvocation(callee, invocationId);
    if (!call) return;
    const progress = boolOption(options, 'progress') === true;
    if (progress && !this.takesProgress(call)) return;
    // A streaming callee is told to stop; a final YIELD has ended the invocation anyway.
    this.failCall(call, ErrorUri.payloadSizeExceeded, `the callee's result: ${why}`, progress);
  }

  /** A callee's ERROR over maxMessageSize: its caller gets payload_size_exceeded instead. */
  refuseOversizeInvocationError(callee: RoutedSession, [, , invocationId]: ErrorMessage, why: string): void {
    const call = this.calls.byInvocation(callee, invocationId);
    if (call) this.failCall(call, ErrorUri.payloadSizeExceeded, `the callee's error: ${why}`, false);
  }

  /** Caller gone → INTERRUPT killnowait to its callees; callee gone → its callers get canceled (§6.3). */
  /** The registrations and calls in flight, as a snapshot (rxwamp/testing's router view). */
  view(): Pick<RealmView, 'registrations' | 'calls'> {
    return {
      registrations: [...this.registrations.all()].map((registration) => ({
        id: registration.id,
        procedure: registration.uri,
        match: registration.match,
        invoke: registration.invoke,
        callees: registration.callees.map((callee) => callee.session.id),
      })),
      calls: [...this.calls.all()].map((call) => ({
        procedure: call.procedure,
        caller: call.caller.id,
        callerRequestId: call.callerRequestId,
        callee: call.callee.id,
        invocationId: call.invocationId,
        progressive: call.progressToCaller,
        callerStreaming: call.callerStreaming,
        cancelRequested: call.killRequested,
      })),
    };
  }

  sessionLeft(session: RoutedSession): void {
    for (const call of this.calls.callsOf(session)) {
      if (this.calls.remove(call) && call.calleeCancels && call.callee !== session) {
        call.callee.send([MessageType.INTERRUPT, call.invocationId, { mode: 'killnowait', reason: ErrorUri.canceled }]);
      }
    }
    for (const call of this.calls.invocationsOf(session)) {
      if (this.calls.remove(call)) {
        call.caller.send([MessageType.ERROR, MessageType.CALL, call.callerRequestId, { message: 'the callee left' }, ErrorUri.canceled]);
      }
    }
    this.calls.forgetSession(session);
    this.registrations.removeSession(session);
  }

  private startCall(caller: RoutedSession, [, requestId, options, procedure, args, kwargs]: CallMessage): void {
    const streamsArguments = boolOption(options, 'progress') === true;
    const fail = (uri: string, message: string) => {
      // The caller may have sent more chunks of a refused streamed call before our ERROR
      // reaches it: those are dropped quietly, like any ended call's (§6.2).
      if (streamsArguments) this.calls.rememberFinishedStream(caller, requestId);
      caller.send([MessageType.ERROR, MessageType.CALL, requestId, { message }, uri]);
    };
    const receiveProgress = boolOption(options, 'receive_progress') === true;
    const discloseMe = boolOption(options, 'disclose_me') === true;
    const timeoutMs = callTimeout(options['timeout']);
    if (typeof timeoutMs === 'string') return void fail(ErrorUri.invalidArgument, timeoutMs);

    const refused = refuseUri(procedure, 'exact', false, this.limits.maxUriLength);
    if (refused) return void fail(refused.uri, refused.message);
    if (this.calls.callCountOf(caller) >= this.limits.maxCallsInFlight) {
      return void fail(LimitErrorUri.tooManyCalls, `this session already has ${this.limits.maxCallsInFlight} calls in flight, the router's limit`);
    }
    if (!this.permits(caller, 'call', procedure, 'exact')) return void fail(ErrorUri.notAuthorized, `not authorized to call "${procedure}"`);
    const registration = this.registrations.match(procedure);
    if (!registration) {
      // The usual cause with rxwamp: register() was called but its Observable never subscribed.
      return void fail(
        ErrorUri.noSuchProcedure,
        `no callee has registered "${procedure}" (an rxwamp callee's register(), registerStream() or registerDuplex() Observable registers only while it is subscribed)`,
      );
    }
    const picked = this.calleeWithRoom(registration.pickCallee(), registration.callees);
    if (!picked) return void fail(ErrorUri.noAvailableCallee, `the callee has ${this.limits.maxPendingInvocations} invocations unanswered, the router's limit`);
    const { session: callee, discloseCaller } = picked;
    const calleeCancels = callee.supports('callee', 'call_canceling');
    // Progressive invocations need a callee that can take them and be interrupted (§6.2).
    // The caller's own announcement is not required: wampy 8 streams without announcing it.
    if (streamsArguments && !(calleeCancels && callee.supports('callee', 'progressive_call_invocations'))) {
      return void fail(ErrorUri.featureNotSupported, 'the callee does not support progressive call invocations');
    }

    const invocationDetails: Dict = {};
    if (registration.match !== 'exact') invocationDetails['procedure'] = procedure;
    if (discloseMe || discloseCaller) {
      invocationDetails['caller'] = caller.id;
      invocationDetails['caller_authid'] = caller.identity?.authid;
      invocationDetails['caller_authrole'] = caller.identity?.authrole;
    }
    // A callee streaming results must also be cancelable (§6.1); otherwise it gets no progress flag.
    const progressToCaller = receiveProgress && calleeCancels && callee.supports('callee', 'progressive_call_results');
    if (progressToCaller) invocationDetails['receive_progress'] = true;

    const call: ActiveCall = {
      caller,
      callerRequestId: requestId,
      procedure,
      callee,
      invocationId: callee.nextInvocationId(),
      registration,
      invocationDetails,
      progressToCaller,
      calleeCancels,
      callerStreaming: streamsArguments,
      killRequested: false,
      timeoutMs,
      timer: undefined,
    };
    this.calls.add(call);
    this.armTimeout(call);
    this.sendInvocation(call, streamsArguments, args, kwargs, true);
  }

  private continueCall(caller: RoutedSession, [, requestId, options, procedure, args, kwargs]: CallMessage): void {
    const call = this.streamingCall(caller, requestId);
    if (!call) return;
    if (procedure !== call.procedure) throw new ProtocolViolation(`progressive CALL ${requestId} changed procedure from "${call.procedure}" to "${procedure}"`);
    // After a kill CANCEL the callee is being interrupted: further chunks are dropped.
    const more = boolOption(options, 'progress') === true;
    call.callerStreaming = more;
    if (call.killRequested) return;
    this.sendInvocation(call, more, args, kwargs, false);
  }

  /**
   * The open progressive-invocation call a CALL with an already used id continues; undefined
   * for a chunk of a call that already ended (dropped without reply, §6.2). Any other old id
   * is out of sequence.
   */
  private streamingCall(caller: RoutedSession, requestId: number): ActiveCall | undefined {
    const call = this.calls.byCallerRequest(caller, requestId);
    if (!call) {
      if (this.calls.recentlyFinishedStream(caller, requestId)) return undefined;
      throw new ProtocolViolation(`CALL request id ${requestId} is out of sequence`);
    }
    if (!call.callerStreaming) throw new ProtocolViolation(`CALL request id ${requestId} reuses the id of a call in progress`);
    return call;
  }

  /** Sends one INVOCATION (or chunk); one the callee cannot be sent ends the call for the caller. */
  private sendInvocation(call: ActiveCall, moreChunks: boolean, args: unknown[], kwargs: Dict, firstChunk: boolean): void {
    const details = moreChunks ? { ...call.invocationDetails, progress: true } : call.invocationDetails;
    const outcome = call.callee.trySend(withPayload([MessageType.INVOCATION, call.invocationId, call.registration.id, details, args, kwargs]));
    // Likewise a callee that does not read its INVOCATIONs holds back the caller sending them.
    call.callee.flow.relayedFrom(call.caller.flow);
    if (outcome === 'sent') return;
    const [uri, message] = outcome === 'closed' ? [ErrorUri.canceled, 'the callee left'] : undeliverable(outcome, 'the arguments');
    // A callee that got earlier chunks is mid-invocation and must be told to stop.
    this.failCall(call, uri, message, !firstChunk);
  }

  /**
   * The picked callee, or when it has maxPendingInvocations unanswered, the first other callee
   * of a shared registration that has room (a scan only when the picked one is full).
   */
  private calleeWithRoom(picked: RegisteredCallee, callees: readonly RegisteredCallee[]): RegisteredCallee | undefined {
    const hasRoom = (callee: RegisteredCallee) => this.calls.invocationCountOf(callee.session) < this.limits.maxPendingInvocations;
    return hasRoom(picked) ? picked : callees.find(hasRoom);
  }

  /** Progress the caller did not ask for, or after a kill CANCEL (the caller waits for exactly one terminating message), is dropped. */
  private takesProgress(call: ActiveCall): boolean {
    return call.progressToCaller && !call.killRequested;
  }

  /** Ends a call early: the caller gets its one terminating ERROR; the callee, when asked and able, an INTERRUPT. */
  private failCall(call: ActiveCall, uri: string, message: string, interruptCallee: boolean): void {
    if (!this.calls.remove(call)) return;
    if (interruptCallee && call.calleeCancels) call.callee.send([MessageType.INTERRUPT, call.invocationId, { mode: 'killnowait', reason: uri }]);
    call.caller.send([MessageType.ERROR, MessageType.CALL, call.callerRequestId, { message }, uri]);
  }

  /** (Re)starts the dealer-side timeout: on expiry the callee is interrupted and the caller gets wamp.error.timeout (§6.4). */
  private armTimeout(call: ActiveCall): void {
    if (call.timeoutMs <= 0) return;
    clearTimeout(call.timer);
    call.timer = setTimeout(() => {
      if (!this.calls.remove(call)) return;
      if (call.calleeCancels) call.callee.send([MessageType.INTERRUPT, call.invocationId, { mode: 'killnowait', reason: ErrorUri.timeout }]);
      call.caller.send([MessageType.ERROR, MessageType.CALL, call.callerRequestId, {}, ErrorUri.timeout]);
    }, call.timeoutMs);
  }

  /** The callee's terminating answer (the call already removed) did not reach the caller: it still gets one terminating message. */
  private answerUndelivered(call: ActiveCall, outcome: SendOutcome, what: string): void {
    if (outcome !== 'oversize' && outcome !== 'unencodable') return;
    const [uri, message] = undeliverable(outcome, what);
    call.caller.send([MessageType.ERROR, MessageType.CALL, call.callerRequestId, { message }, uri]);
  }
}

/** The error URI and message for a payload that could not be sent on. */
function undeliverable(outcome: 'oversize' | 'unencodable', what: string): [uri: string, message: string] {
  return outcome === 'oversize'
    ? [ErrorUri.payloadSizeExceeded, `${what}, encoded for its receiver, is over the router's message size limit`]
    : [ErrorUri.invalidArgument, `${what} cannot be encoded in its receiver's serializer`];
}

/**
 * CALL.Options.timeout in ms (0: none), or why it is refused. setTimeout fires a delay of
 * 2^31 ms or more at once (Node clamps it, with a warning), so such a timeout would expire
 * the call immediately; it is refused (wamp.error.invalid_argument) rather than clamped, so
 * the caller learns its timeout is not honoured instead of getting a different one.
 */
function callTimeout(value: unknown): number | string {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    return `option "timeout" must be a non-negative integer (ms), got ${String(value)}`;
  if (value > MAX_TIMER_MS) return `option "timeout" must be at most ${MAX_TIMER_MS} ms, got ${value}`;
  return value;
}
