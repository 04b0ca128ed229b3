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

export const ErrorUri = {
  invalidUri: INVALID_URI,
  noSuchProcedure: NO_SUCH_PROCEDURE,
  procedureAlreadyExists: PROCEDURE_ALREADY_EXISTS,
  noSuchRegistration: NO_SUCH_REGISTRATION,
  noSuchSubscription: NO_SUCH_SUBSCRIPTION,
  invalidArgument: INVALID_ARGUMENT,
  canceled: CANCELED,
  protocolViolation: PROTOCOL_VIOLATION,
  notAuthorized: NOT_AUTHORIZED,
  noSuchRealm: NO_SUCH_REALM,
  timeout: TIMEOUT,
  runtimeError: RUNTIME_ERROR,
  featureNotSupported: FEATURE_NOT_SUPPORTED,
  payloadSizeExceeded: PAYLOAD_SIZE_EXCEEDED,
  optionNotAllowed: OPTION_NOT_ALLOWED,
  noAvailableCallee: NO_AVAILABLE_CALLEE,
  noMatchingAuthMethod: NO_MATCHING_AUTH_METHOD,
  authenticationFailed: AUTHENTICATION_FAILED,
  authenticationDenied: AUTHENTICATION_DENIED,
  noSuchPrincipal: NO_SUCH_PRINCIPAL,
} as const;

export const CloseReason = {
  systemShutdown: SYSTEM_SHUTDOWN,
  closeRealm: CLOSE_REALM,
  goodbyeAndOut: GOODBYE_AND_OUT,
  killed: KILLED,
  normal: NORMAL,
} as const;
