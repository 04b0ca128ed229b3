/** Error and close-reason URIs used by rxwamp (spec §3.2, §3.3). */
export const ErrorUri = {
  invalidUri: 'wamp.error.invalid_uri',
  noSuchProcedure: 'wamp.error.no_such_procedure',
  procedureAlreadyExists: 'wamp.error.procedure_already_exists',
  noSuchRegistration: 'wamp.error.no_such_registration',
  noSuchSubscription: 'wamp.error.no_such_subscription',
  invalidArgument: 'wamp.error.invalid_argument',
  canceled: 'wamp.error.canceled',
  protocolViolation: 'wamp.error.protocol_violation',
  notAuthorized: 'wamp.error.not_authorized',
  noSuchRealm: 'wamp.error.no_such_realm',
  timeout: 'wamp.error.timeout',
  runtimeError: 'wamp.error.runtime_error',
  featureNotSupported: 'wamp.error.feature_not_supported',
  payloadSizeExceeded: 'wamp.error.payload_size_exceeded',
  optionNotAllowed: 'wamp.error.option_not_allowed',
  noAvailableCallee: 'wamp.error.no_available_callee',
  noMatchingAuthMethod: 'wamp.error.no_matching_auth_method',
  authenticationFailed: 'wamp.error.authentication_failed',
  authenticationDenied: 'wamp.error.authentication_denied',
  noSuchPrincipal: 'wamp.error.no_such_principal',
} as const;

export const CloseReason = {
  systemShutdown: 'wamp.close.system_shutdown',
  closeRealm: 'wamp.close.close_realm',
  goodbyeAndOut: 'wamp.close.goodbye_and_out',
  killed: 'wamp.close.killed',
  normal: 'wamp.close.normal',
} as const;
