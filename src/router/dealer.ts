import {
  ErrorUri, MessageType, ProtocolViolation, withPayload,
  type CallMessage, type CancelMessage, type Dict, type ErrorMessage, type RegisterMessage,
  type UnregisterMessage, type YieldMessage,
} from '../protocol/index.js';
import { CallBook, type ActiveCall } from './call-book.js';
import { boolOption, nonNegativeIntOption, oneOfOption } from './options.js';
import { INVOKE_POLICIES, RegistrationTable } from './registrations.js';
import type { Permits } from './realm.js';
import type { RouterSession } from './router-session.js';
import { refuseUri } from './uri-checks.js';

const MATCH_POLICIES = ['exact', 'prefix', 'wildcard'] as const;
const CANCEL_MODES = ['skip', 'kill', 'killnowait'] as const;
type CancelMode = typeof CANCEL_MODES[number];

/**
 * The dealer of one realm: registrations, and each call from CALL to its one terminating
 * RESULT or ERROR, including progressive results and invocations (§6.1, §6.2), canceling
 * (§6.3), timeouts (§6.4) and peers leaving mid-call.
 */
export class Dealer {
  private readonly registrations = new RegistrationTable();
  private readonly calls = new CallBook();

  /** `permits`: the realm's authorizer, asked for every REGISTER and new CALL. */
  constructor(private readonly permits: Permits = () => true) {}

  register(session: RouterSession, [, requestId, options, procedure]: RegisterMessage): void {
    const match = oneOfOption(options, 'match', MATCH_POLICIES) ?? 'exact';
    const invoke = oneOfOption(options, 'invoke', INVOKE_POLICIES) ?? 'single';
    const discloseCaller = boolOption(options, 'disclose_caller') === true;
    const refused = refuseUri(procedure, match, true);
    if (refused) {
      session.send([MessageType.ERROR, MessageType.REGISTER, requestId, { message: refused.message }, refused.uri]);
      return;
    }
    if (!this.permits(session, 'register', procedure, match)) {
      session.send([MessageType.ERROR, MessageType.REGISTER, requestId, { message: `not authorized to register "${procedure}"` }, ErrorUri.notAuthorized]);
      return;
    }
    const outcome = this.registrations.register(session, procedure, match, invoke, discloseCaller);
    if ('error' in outcome) {
      session.send([MessageType.ERROR, MessageType.REGISTER, requestId, {}, outcome.error]);
    } else {
      session.send([MessageType.REGISTERED, requestId, outcome.registration.id]);
    }
  }

  unregister(session: RouterSession, [, requestId, registrationId]: UnregisterMessage): void {
    if (this.registrations.unregister(session, registrationId)) {
      session.send([MessageType.UNREGISTERED, requestId]);
    } else {
      session.send([MessageType.ERROR, MessageType.UNREGISTER, requestId, {}, ErrorUri.noSuchRegistration]);
    }
  }

  /** A CALL: a new call when its id is the next in sequence, else maybe a progressive-invocation chunk. */
  call(caller: RouterSession, message: CallMessage, isNewRequest: boolean): void {
    if (isNewRequest) this.startCall(caller, message);
    else this.continueCall(caller, message);
  }

  cancel(caller: RouterSession, [, requestId, options]: CancelMessage): void {
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

  yield(callee: RouterSession, [, invocationId, options, args, kwargs]: YieldMessage): void {
    const call = this.calls.byInvocation(callee, invocationId);
    // A late YIELD (skip, killnowait, timeout, caller gone) is dropped (§6.3).
    if (!call) return;
    if (boolOption(options, 'progress') === true) {
      // Progress the caller did not ask for, or after a kill CANCEL (the caller waits for exactly one
      // terminating message), is dropped.
      if (!call.progressToCaller || call.killRequested) return;
      this.armTimeout(call);
      call.caller.send(withPayload([MessageType.RESULT, call.callerRequestId, { progress: true }], args, kwargs));
      return;
    }
    this.calls.remove(call);
    if (!call.caller.send(withPayload([MessageType.RESULT, call.callerRequestId, {}], args, kwargs))) {
      this.payloadUndeliverable(call);
    }
  }

  /** The callee's ERROR for an INVOCATION, relayed with URI, args and kwargs intact (§3.4). */
  invocationError(callee: RouterSession, [, , invocationId, , uri, args, kwargs]: ErrorMessage): void {
    const call = this.calls.byInvocation(callee, invocationId);
    if (!call) return;
    this.calls.remove(call);
    if (!call.caller.send(withPayload([MessageType.ERROR, MessageType.CALL, call.callerRequestId, {}, uri], args, kwargs))) {
      this.payloadUndeliverable(call);
    }
  }

  /** Caller gone → INTERRUPT killnowait to its callees; callee gone → its callers get canceled (§6.3). */
  sessionLeft(session: RouterSession): void {
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

  private startCall(caller: RouterSession, [, requestId, options, procedure, args, kwargs]: CallMessage): void {
    const fail = (uri: string, message: string) =>
      caller.send([MessageType.ERROR, MessageType.CALL, requestId, { message }, uri]);
    const streamsArguments = boolOption(options, 'progress') === true;
    const receiveProgress = boolOption(options, 'receive_progress') === true;
    const discloseMe = boolOption(options, 'disclose_me') === true;
    const timeoutMs = nonNegativeIntOption(options, 'timeout') ?? 0;

    const refused = refuseUri(procedure, 'exact', false);
    if (refused) return void fail(refused.uri, refused.message);
    if (!this.permits(caller, 'call', procedure, 'exact')) return void fail(ErrorUri.notAuthorized, `not authorized to call "${procedure}"`);
    const registration = this.registrations.match(procedure);
    if (!registration) return void fail(ErrorUri.noSuchProcedure, `no callee registered for "${procedure}"`);
    const { session: callee, discloseCaller } = registration.pickCallee();
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
      caller, callerRequestId: requestId, procedure, callee, invocationId: callee.nextInvocationId(), registration,
      invocationDetails, progressToCaller, calleeCancels, callerStreaming: streamsArguments, killRequested: false,
      timeoutMs, timer: undefined,
    };
    this.calls.add(call);
    this.armTimeout(call);
    this.sendInvocation(call, streamsArguments, args, kwargs);
  }

  private continueCall(caller: RouterSession, [, requestId, options, procedure, args, kwargs]: CallMessage): void {
    const call = this.calls.byCallerRequest(caller, requestId);
    if (!call) {
      // A chunk for a call that already ended is dropped without reply (§6.2); any other old id is out of sequence.
      if (this.calls.recentlyFinishedStream(caller, requestId)) return;
      throw new ProtocolViolation(`CALL request id ${requestId} is out of sequence`);
    }
    if (!call.callerStreaming) throw new ProtocolViolation(`CALL request id ${requestId} reuses the id of a call in progress`);
    if (procedure !== call.procedure) throw new ProtocolViolation(`progressive CALL ${requestId} changed procedure from "${call.procedure}" to "${procedure}"`);
    // After a kill CANCEL the callee is being interrupted: further chunks are dropped.
    const more = boolOption(options, 'progress') === true;
    call.callerStreaming = more;
    if (call.killRequested) return;
    this.sendInvocation(call, more, args, kwargs);
  }

  private sendInvocation(call: ActiveCall, moreChunks: boolean, args: unknown[], kwargs: Dict): void {
    const details = moreChunks ? { ...call.invocationDetails, progress: true } : call.invocationDetails;
    const sent = call.callee.send(withPayload([MessageType.INVOCATION, call.invocationId, call.registration.id, details], args, kwargs));
    if (!sent && this.calls.remove(call)) {
      call.caller.send([MessageType.ERROR, MessageType.CALL, call.callerRequestId, { message: 'the arguments cannot be encoded for the callee' }, ErrorUri.invalidArgument]);
    }
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

  /** The callee's answer could not be encoded for the caller's serializer: the caller still gets one terminating message. */
  private payloadUndeliverable(call: ActiveCall): void {
    call.caller.send([MessageType.ERROR, MessageType.CALL, call.callerRequestId, { message: "the callee's answer cannot be encoded for the caller" }, ErrorUri.invalidArgument]);
  }
}
