/**
 * Error and close-reason URIs used by rxwamp (spec §3.2, §3.3). Each is also its own constant,
 * so a bundle takes only the ones its code uses (the objects are for applications and the router).
 */

export const INVALID_URI = 'wamp.error.invalid_uri';
export const NO_SUCH_PROCEDURE = 'wamp.error.no_such_procedure';
export const PROCEDURE_ALREADY_EXISTS = 'wamp.error.procedure_already_exists';
export const NO_SUCH_REGISTRATION = 'wamp.error.no_such_registration';
export const NO_SUCH_SUBSCRIPTION = 'wamp.error.no_such_subscription';
export const INVALID_ARGUMENT = 'wamp.error.invalid_argument';
export const CANCELED = 'wamp.error.canceled';
export const PROTOCOL_VIOLATION = 'wamp.error.protocol_violation';
export const NOT_AUTHORIZED = 'wamp.error.not_authorized';
export const NO_SUCH_REALM = 'wamp.error.no_such_realm';
export const TIMEOUT = 'wamp.error.timeout';
export const RUNTIME_ERROR = 'wamp.error.runtime_error';
export const FEATURE_NOT_SUPPORTED = 'wamp.error.feature_not_supported';
export const PAYLOAD_SIZE_EXCEEDED = 'wamp.error.payload_size_exceeded';
export const OPTION_NOT_ALLOWED = 'wamp.error.option_not_allowed';
export const NO_AVAILABLE_CALLEE = 'wamp.error.no_available_callee';
export const NO_MATCHING_AUTH_METHOD = 'wamp.error.no_matching_auth_method';
export const AUTHENTICATION_FAILED = 'wamp.error.authentication_failed';
export const AUTHENTICATION_DENIED = 'wamp.error.authentication_denied';
export const NO_SUCH_PRINCIPAL = 'wamp.error.no_such_principal';

export const SYSTEM_SHUTDOWN = 'wamp.close.system_shutdown';
export const CLOSE_REALM = 'wamp.close.close_realm';
export const GOODBYE_AND_OUT = 'wamp.close.goodbye_and_out';
export const KILLED = 'wamp.close.killed';
export const NORMAL = 'wamp.close.normal';

/**
 * The WAMP error URIs rxwamp and its router send or expect, by name, to compare with
 * `WampError.uri` (or `WampConnectionError.reason` for a refused join):
 * `if (error.uri === ErrorUri.noSuchProcedure) …`.
 */
export const ErrorUri = {
  /** `wamp.error.invalid_uri`: a procedure, topic or realm URI that is malformed or too long. */
  invalidUri: INVALID_URI,
  /** `wamp.error.no_such_procedure`: no callee has registered the procedure called. */
  noSuchProcedure: NO_SUCH_PROCEDURE,
  /** `wamp.error.procedure_already_exists`: another session already registered the procedure (without a shared `invoke` policy). */
  procedureAlreadyExists: PROCEDURE_ALREADY_EXISTS,
  /** `wamp.error.no_such_registration`: an UNREGISTER or INVOCATION for a registration that is gone. */
  noSuchRegistration: NO_SUCH_REGISTRATION,
  /** `wamp.error.no_such_subscription`: an UNSUBSCRIBE for a subscription that is gone. */
  noSuchSubscription: NO_SUCH_SUBSCRIPTION,
  /** `wamp.error.invalid_argument`: the callee (or its contract's `validate.args`) refused the arguments. */
  invalidArgument: INVALID_ARGUMENT,
  /** `wamp.error.canceled`: the call was cancelled (by its caller, or because its callee or caller left). */
  canceled: CANCELED,
  /** `wamp.error.protocol_violation`: a peer sent a malformed or unexpected message; the session is aborted. */
  protocolViolation: PROTOCOL_VIOLATION,
  /** `wamp.error.not_authorized`: the router's authorizer refused this CALL, REGISTER, PUBLISH or SUBSCRIBE. */
  notAuthorized: NOT_AUTHORIZED,
  /** `wamp.error.no_such_realm`: the router does not serve the realm asked for (an ABORT; not retried). */
  noSuchRealm: NO_SUCH_REALM,
  /** `wamp.error.timeout`: the router ended a call at its `timeout` (CallOptions.timeout). */
  timeout: TIMEOUT,
  /** `wamp.error.runtime_error`: the callee's handler threw something that is not a WampError. */
  runtimeError: RUNTIME_ERROR,
  /** `wamp.error.feature_not_supported`: the router or callee does not offer what the call needs (e.g. progressive call invocations). */
  featureNotSupported: FEATURE_NOT_SUPPORTED,
  /** `wamp.error.payload_size_exceeded`: a message was larger than `maxMessageSize`; only that operation fails. */
  payloadSizeExceeded: PAYLOAD_SIZE_EXCEEDED,
  /** `wamp.error.option_not_allowed`: the router does not allow an option the request set. */
  optionNotAllowed: OPTION_NOT_ALLOWED,
  /** `wamp.error.no_available_callee`: the procedure is registered, but no callee can take the call now. */
  noAvailableCallee: NO_AVAILABLE_CALLEE,
  /** `wamp.error.no_matching_auth_method`: the router accepts none of the authentication methods the client offered (an ABORT; not retried). */
  noMatchingAuthMethod: NO_MATCHING_AUTH_METHOD,
  /** `wamp.error.authentication_failed`: authentication could not be completed (an ABORT; not retried). */
  authenticationFailed: AUTHENTICATION_FAILED,
  /** `wamp.error.authentication_denied`: the credentials were wrong; what rxwamp's router sends for a bad ticket, secret or key (an ABORT; not retried). */
  authenticationDenied: AUTHENTICATION_DENIED,
  /** `wamp.error.no_such_principal`: the authentication method needs an authid and none was given (an ABORT; not retried). */
  noSuchPrincipal: NO_SUCH_PRINCIPAL,
} as const;

/**
 * The WAMP close reasons of GOODBYE, by name, to compare with `WampConnectionError.reason`.
 * After `systemShutdown` the client reconnects; after the others it does not.
 */
export const CloseReason = {
  /** `wamp.close.system_shutdown`: the router is shutting down (the client reconnects with backoff). */
  systemShutdown: SYSTEM_SHUTDOWN,
  /** `wamp.close.close_realm`: the session leaves the realm; what the client sends on `close()`. */
  closeRealm: CLOSE_REALM,
  /** `wamp.close.goodbye_and_out`: the answer to a GOODBYE. */
  goodbyeAndOut: GOODBYE_AND_OUT,
  /** `wamp.close.killed`: the router ended this session on purpose (not retried). */
  killed: KILLED,
  /** `wamp.close.normal`: a peer ended the session normally (not retried). */
  normal: NORMAL,
} as const;
