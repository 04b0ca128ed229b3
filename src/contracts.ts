import type { Observable, ObservableInput } from 'rxjs';
import { INVALID_ARGUMENT } from './protocol/error-uris.js';
import { WampError } from './protocol/errors.js';
import type { Args, Dict } from './protocol/messages.js';
import { fromPayload, type Final } from './roles/payload.js';
import type { CallResult, InvocationDetails, WampEvent } from './roles/types.js';

/**
 * Typed procedure and topic contracts: one declaration that `call$`, `callStream$`,
 * `register`, `registerStream`, `registerDuplex`, `topic$` and `publish` accept in place of the
 * URI, so the compiler checks both sides. Types follow rxwamp's value convention: a progress
 * value, a result or an input chunk `v` travels as `args: [v]`.
 */

/** What a procedure takes and answers. Every key is optional; a missing one stays untyped. */
export interface ProcedureTypes {
  /** The CALL's positional arguments, e.g. `[n: number]`. */
  readonly args?: unknown[];
  /** The CALL's keyword arguments. */
  readonly kwargs?: object;
  /** Each progressive result's value (`args[0]` of a progressive RESULT). */
  readonly progress?: unknown;
  /** The final result's value (`args[0]` of the final RESULT). */
  readonly result?: unknown;
  /** Each chunk of streamed input (`callStream$` / `registerDuplex`). */
  readonly input?: unknown;
}

/** What a topic's events carry. */
export interface TopicTypes {
  /** The EVENT's positional arguments, e.g. `[headline: string]`. */
  readonly args?: unknown[];
  /** The EVENT's keyword arguments. */
  readonly kwargs?: object;
}

/**
 * Run-time checks of what arrives from the wire: plug in zod (`schema.parse`), valibot
 * (`v.parse(schema, …)`), typia (`typia.assert`) or a hand-written function. A check throws to
 * refuse; what it returns is ignored.
 */
export interface ProcedureChecks {
  /** At the callee, before its handler runs: a throw answers the caller `wamp.error.invalid_argument`. */
  readonly args?: (args: Args, kwargs: Dict) => unknown;
  /** At a duplex callee, each input chunk: a throw errors `input$` with `wamp.error.invalid_argument`. */
  readonly input?: (value: unknown) => unknown;
  /** At the caller, each progressive result: a throw errors the call (and cancels it). */
  readonly progress?: (value: unknown) => unknown;
  /** At the caller, the final result: a throw errors the call. */
  readonly result?: (value: unknown) => unknown;
}

/** Run-time checks of a topic's events, as for ProcedureChecks: a check throws to refuse. */
export interface TopicChecks {
  /** At the subscriber, each event: a throw errors the `topic$` subscription. */
  readonly event?: (args: Args, kwargs: Dict) => unknown;
}

/** A call's or a subscriber's data broke its contract's check: `cause` is what the check threw. */
export const CONTRACT_VIOLATION = 'rxwamp.error.contract_violation';

declare const procedureTypes: unique symbol;
declare const topicTypes: unique symbol;
const CONTRACT = Symbol.for('rxwamp.contract');

/** A typed procedure (see `procedure()`). */
export interface Procedure<T extends ProcedureTypes = ProcedureTypes> {
  /** The procedure's URI. */
  readonly uri: string;
  /** The run-time checks given to `procedure()` (none: `{}`). */
  readonly validate: ProcedureChecks;
  /** Type information only; never set. */
  readonly [procedureTypes]?: T;
}

/** A typed topic (see `topic()`). */
export interface Topic<T extends TopicTypes = TopicTypes> {
  /** The topic's URI. */
  readonly uri: string;
  /** The run-time checks given to `topic()` (none: `{}`). */
  readonly validate: TopicChecks;
  /** Type information only; never set. */
  readonly [topicTypes]?: T;
}

/**
 * Declares a procedure once for both sides:
 * `const longop = procedure<{ args: [n: number]; progress: number; result: number }>('com.myapp.longop')`.
 */
export function procedure<T extends ProcedureTypes = ProcedureTypes>(uri: string, options: { readonly validate?: ProcedureChecks } = {}): Procedure<T> {
  return Object.freeze({ uri, validate: { ...options.validate }, [CONTRACT]: 'procedure' });
}

/** Declares a topic once for publishers and subscribers: `topic<{ args: [headline: string] }>('com.myapp.news')`. */
export function topic<T extends TopicTypes = TopicTypes>(uri: string, options: { readonly validate?: TopicChecks } = {}): Topic<T> {
  return Object.freeze({ uri, validate: { ...options.validate }, [CONTRACT]: 'topic' });
}

/** The declared `args` tuple of a contract's types `T`; any args (`unknown[]`) when not declared. */
export type ArgsOf<T> = T extends { readonly args: infer A extends unknown[] } ? A : Args;
/** The declared `kwargs` type of a contract's types `T`; any dict when not declared. */
export type KwargsOf<T> = T extends { readonly kwargs: infer K extends object } ? K : Dict;
/** The declared `progress` value type of a procedure's types `T`; `unknown` when not declared. */
export type ProgressOf<T> = T extends { readonly progress: infer P } ? P : unknown;
/** The declared `result` value type of a procedure's types `T`; `unknown` when not declared. */
export type ResultOf<T> = T extends { readonly result: infer R } ? R : unknown;
/** The declared `input` chunk type of a procedure's types `T`; `unknown` when not declared. */
export type InputOf<T> = T extends { readonly input: infer I } ? I : unknown;

/** `[v]` for a declared value type; any args when it is not declared. */
type ValueArgs<V> = unknown extends V ? Args : [V];

/** A progressive result of a typed call: `args[0]` is the declared progress value. */
export interface ProgressResult<P> extends CallResult {
  /** Always true: a progressive result. */
  readonly progress: true;
  /** `[value]`, the declared progress value (any args when none is declared). */
  readonly args: ValueArgs<P>;
}

/** The final result of a typed call: `args[0]` is the declared result (as the callee promised; `validate.result` checks it). */
export interface FinalResult<R> extends CallResult {
  /** Always false: the final result. */
  readonly progress: false;
  /** `[value]`, the declared result value (any args when none is declared). */
  readonly args: ValueArgs<R>;
}

/** What a typed `call$` / `callStream$` emits; narrow on `progress`. */
export type TypedCallResult<T extends ProcedureTypes> = ProgressResult<ProgressOf<T>> | FinalResult<ResultOf<T>>;

/** A typed topic's event. */
export interface TypedEvent<T extends TopicTypes> extends Omit<WampEvent, 'args' | 'kwargs'> {
  /** The event's positional arguments, as the topic declares them. */
  readonly args: ArgsOf<T>;
  /** The event's keyword arguments, as the topic declares them. */
  readonly kwargs: KwargsOf<T>;
}

/** A value, or `final(value)`. */
type Answer<R> = R | Final<R>;

/** `register`'s handler for a typed procedure: its result, a Promise of it, or an Observable whose last value is it. */
export type TypedInvocationHandler<T extends ProcedureTypes> = (
  args: ArgsOf<T>,
  kwargs: KwargsOf<T>,
  details: InvocationDetails,
) => Answer<ResultOf<T>> | PromiseLike<Answer<ResultOf<T>>> | Observable<Answer<ResultOf<T>>>;

/** `registerStream`'s handler for a typed procedure: progress values, then `final(result)`. */
export type TypedStreamHandler<T extends ProcedureTypes> = (
  args: ArgsOf<T>,
  kwargs: KwargsOf<T>,
  details: InvocationDetails,
) => ObservableInput<ProgressOf<T> | Final<ResultOf<T>>>;

/** `registerDuplex`'s handler for a typed procedure: typed input chunks in, progress values and `final(result)` out. */
export type TypedDuplexHandler<T extends ProcedureTypes> = (
  input$: Observable<InputOf<T>>,
  details: InvocationDetails,
) => ObservableInput<ProgressOf<T> | Final<ResultOf<T>>>;

/** The CALL payload parameters for a typed procedure: args required unless the declared tuple may be empty. */
export type CallPayload<T extends ProcedureTypes, O> =
  [] extends ArgsOf<T> ? [args?: ArgsOf<T>, kwargs?: KwargsOf<T>, options?: O] : [args: ArgsOf<T>, kwargs?: KwargsOf<T>, options?: O];

/** The PUBLISH payload parameters for a typed topic. */
export type PublishPayload<T extends TopicTypes, O> =
  [] extends ArgsOf<T> ? [args?: ArgsOf<T>, kwargs?: KwargsOf<T>, options?: O] : [args: ArgsOf<T>, kwargs?: KwargsOf<T>, options?: O];

// ---------------------------------------------------------------- run time (internal)

/** The contract `value` is, if it is one of this kind (a string, or a hostile object, is not). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the contract type that `kind` checks
export function asContract<C extends Procedure | Topic>(value: unknown, kind: 'procedure' | 'topic'): C | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return (value as { [CONTRACT]?: unknown })[CONTRACT] === kind ? (value as C) : undefined;
  } catch {
    return undefined; // a Proxy or getter that throws: the URI check says what is wrong
  }
}

/** A check that throws what it threw wrapped as the contract violation (a WampError with `uri`). */
function guard<A extends unknown[]>(check: ((...args: A) => unknown) | undefined, what: string, uri = CONTRACT_VIOLATION): ((...args: A) => void) | undefined {
  return (
    check &&
    ((...args) => {
      try {
        check(...args);
      } catch (error) {
        const text = `${what} failed its contract check: ${error instanceof Error ? error.message : String(error)}`;
        throw new WampError(uri, { message: `${uri}: ${text}`, args: [text], cause: error });
      }
    })
  );
}

/** A caller's check of each RESULT's value (progress or final); throws the contract violation. */
export function resultCheck(checks: ProcedureChecks | undefined): ((result: CallResult) => CallResult) | undefined {
  const progress = guard(checks?.progress, 'a progressive result');
  const final = guard(checks?.result, 'the result');
  return (
    (progress || final) &&
    ((result) => {
      (result.progress ? progress : final)?.(fromPayload(result.args, result.kwargs));
      return result;
    })
  );
}

/** A callee's check of the CALL arguments; throws `wamp.error.invalid_argument` (sent to the caller). */
export const argsCheck = (checks: ProcedureChecks | undefined) => guard(checks?.args, 'the arguments', INVALID_ARGUMENT);

/** A duplex callee's check of each input chunk; throws `wamp.error.invalid_argument`. */
export const inputCheck = (checks: ProcedureChecks | undefined) => guard(checks?.input, 'an input chunk', INVALID_ARGUMENT);

/** A subscriber's check of each event; throws the contract violation. */
export const eventCheck = (checks: TopicChecks | undefined) => guard(checks?.event, 'an event');
