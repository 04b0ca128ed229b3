/**
 * What the router announces in WELCOME.Details.roles (spec §5). Only features that are
 * implemented and tested here are listed: peers decide what to use from this table.
 */
export const DEALER_FEATURES = {
  /** A callee may answer with several RESULTs before the final one (`receiveProgress`). */
  progressive_call_results: true,
  /** A caller may send its input in several CALL chunks (`callStream$`, `registerDuplex`). */
  progressive_call_invocations: true,
  /** A caller may CANCEL a call (`skip`, `kill`, `killnowait`). */
  call_canceling: true,
  /** The router ends a call at its CALL.Options.timeout with `wamp.error.timeout`. */
  call_timeout: true,
  /** A caller may be disclosed to its callee (`discloseMe`, `discloseCaller`). */
  caller_identification: true,
  /** Registrations may match by prefix or wildcard. */
  pattern_based_registration: true,
  /** Several callees may share a procedure under an invocation policy. */
  shared_registration: true,
} as const;

/** What the router's broker announces in WELCOME.Details.roles.broker.features. */
export const BROKER_FEATURES = {
  /** Subscriptions may match by prefix or wildcard. */
  pattern_based_subscription: true,
  /** A publisher may be left out of its own event (`excludeMe`, on by default). */
  publisher_exclusion: true,
  /** A publisher may be disclosed to subscribers (`discloseMe`). */
  publisher_identification: true,
  /** A publication may name who may or may not receive it (`eligible*`, `exclude*`). */
  subscriber_blackwhite_listing: true,
} as const;

/** WELCOME.Details.roles as the router sends it: the dealer's and the broker's features. */
export const ROUTER_ROLES = {
  /** The dealer role (RPC), with DEALER_FEATURES. */
  dealer: { features: DEALER_FEATURES },
  /** The broker role (pub/sub), with BROKER_FEATURES. */
  broker: { features: BROKER_FEATURES },
} as const;

export const ROUTER_AGENT = 'rxwamp-router/0.1.0';
