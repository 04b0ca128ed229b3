/**
 * The parameter and result types of the client's methods for a procedure or topic given either
 * as a URI (untyped) or as a typed contract. Each method has ONE generic signature over these
 * instead of an overload per form: TypeScript 7 explains a failed overload call with the last
 * overload's error only, which for a wrong contract was "Procedure is not assignable to string"
 * (and, the other way round, "string is not assignable to Procedure" for wrong untyped args).
 * With one signature, TypeScript 5.x and 7 both point at the argument that is wrong.
 */

import type {
  CallPayload,
  InputOf,
  Procedure,
  PublishPayload,
  Topic,
  TypedCallResult,
  TypedDuplexHandler,
  TypedEvent,
  TypedInvocationHandler,
  TypedStreamHandler,
} from './contracts.js';
import type { Args, Dict } from './protocol/messages.js';
import type { DuplexHandler, InvocationHandler, StreamHandler } from './roles/callee.js';
import type { CallOptions, CallResult, PublishOptions, WampEvent } from './roles/types.js';

/** A procedure as the client's methods take it: its URI, or a typed contract from `procedure()`. */
export type ProcedureRef = string | Procedure;

/** A topic as the client's methods take it: its URI, or a typed contract from `topic()`. */
export type TopicRef = string | Topic;

/** `call$`'s parameters after the procedure: the contract's typed args, kwargs and options, or untyped ones for a URI. */
export type CallParams<P extends ProcedureRef> =
  P extends Procedure<infer T> ? CallPayload<T, CallOptions> : [args?: Args, kwargs?: Dict, options?: CallOptions];

/** What `call$` and `callStream$` emit for `P`: typed results for a contract, plain `CallResult`s for a URI. */
export type CallResultFor<P extends ProcedureRef> = P extends Procedure<infer T> ? TypedCallResult<T> : CallResult;

/** The values `callStream$`'s input may carry for `P`: the contract's declared input type, anything for a URI. */
export type CallInputFor<P extends ProcedureRef> = P extends Procedure<infer T> ? InputOf<T> : unknown;

/** `register`'s handler for `P`. */
export type InvocationHandlerFor<P extends ProcedureRef> = P extends Procedure<infer T> ? TypedInvocationHandler<T> : InvocationHandler;

/** `registerStream`'s handler for `P`. */
export type StreamHandlerFor<P extends ProcedureRef> = P extends Procedure<infer T> ? TypedStreamHandler<T> : StreamHandler;

/** `registerDuplex`'s handler for `P`. */
export type DuplexHandlerFor<P extends ProcedureRef> = P extends Procedure<infer T> ? TypedDuplexHandler<T> : DuplexHandler;

/** `publish`'s parameters after the topic: the contract's typed args, kwargs and options, or untyped ones for a URI. */
export type PublishParams<P extends TopicRef> =
  P extends Topic<infer T> ? PublishPayload<T, PublishOptions> : [args?: Args, kwargs?: Dict, options?: PublishOptions];

/** What `topic$` emits for `P`: typed events for a contract, plain `WampEvent`s for a URI. */
export type EventFor<P extends TopicRef> = P extends Topic<infer T> ? TypedEvent<T> : WampEvent;
