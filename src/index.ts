/**
 * rxwamp: an RxJS-native WAMP v2 client for Node 20 and browsers. Every call is an Observable
 * (progressive results arrive as `next`, unsubscribing sends CANCEL), and registrations and
 * subscriptions are Observables that hold their place on the router while subscribed, across
 * reconnects. Start with {@link WampClient}.
 *
 * @module rxwamp
 */
export { WampClient } from './client/client.js';
export type { WampClientOptions, ReconnectOptions, TlsOptions, TransportFactory } from './client/options.js';
export type { Authenticator, ChallengeAnswer, HelloAuth, Secret } from './auth/authenticator.js';
export type { ConnectionState, ConnectionStatus, RouterFeatures } from './client/connection-state.js';
export { ready, type Held } from './client/ready.js';
export type { SessionInfo } from './session/session.js';
export type { ErrorContext, ErrorReporter } from './session/error-report.js';
export type {
  CallOptions,
  CallResult,
  CancelMode,
  InvocationDetails,
  InvokePolicy,
  Registration,
  RegisterOptions,
  Publication,
  PublishOptions,
  SubscribeOptions,
  SubscriptionInfo,
  WampEvent,
} from './roles/types.js';
export type { DuplexHandler, InvocationHandler, StreamHandler } from './roles/callee.js';
export {
  procedure,
  topic,
  CONTRACT_VIOLATION,
  type Procedure,
  type ProcedureTypes,
  type ProcedureChecks,
  type Topic,
  type TopicTypes,
  type TopicChecks,
  type ArgsOf,
  type KwargsOf,
  type ProgressOf,
  type ResultOf,
  type InputOf,
  type ProgressResult,
  type FinalResult,
  type TypedCallResult,
  type TypedEvent,
  type TypedInvocationHandler,
  type TypedStreamHandler,
  type TypedDuplexHandler,
  type CallPayload,
  type PublishPayload,
} from './contracts.js';
export type {
  ProcedureRef,
  TopicRef,
  CallParams,
  CallResultFor,
  CallInputFor,
  InvocationHandlerFor,
  StreamHandlerFor,
  DuplexHandlerFor,
  PublishParams,
  EventFor,
} from './contract-params.js';
export { final, Final, payload, Payload } from './roles/payload.js';
export { WampError, WampConnectionError, type ConnectionErrorCode } from './protocol/errors.js';
export { ErrorUri, CloseReason } from './protocol/error-uris.js';
export { SerializationError, type Serializer, type SerializerName } from './codec/codec.js';
export type { WebSocketConstructor, WebSocketLike } from './transport/websocket.js';
export type { DebugListener, MessageDirection } from './transport/debug.js';
export type { Args, Dict } from './protocol/messages.js';
