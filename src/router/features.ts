/**
 * What the router announces in WELCOME.Details.roles (spec §5). Only features that are
 * implemented and tested here are listed: peers decide what to use from this table.
 */
export const DEALER_FEATURES = {
  progressive_call_results: true,
  progressive_call_invocations: true,
  call_canceling: true,
  call_timeout: true,
  caller_identification: true,
  pattern_based_registration: true,
  shared_registration: true,
} as const;

export const BROKER_FEATURES = {
  pattern_based_subscription: true,
  publisher_exclusion: true,
  publisher_identification: true,
  subscriber_blackwhite_listing: true,
} as const;

export const ROUTER_ROLES = {
  dealer: { features: DEALER_FEATURES },
  broker: { features: BROKER_FEATURES },
} as const;

export const ROUTER_AGENT = 'rxwamp-router/0.1.0';
