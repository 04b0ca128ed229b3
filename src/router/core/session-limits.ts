/**
 * What one session may hold in a realm, so that no client (an anonymous one included) can make
 * the router slow or large for the others. Each refusal fails only the one request, with an
 * ERROR whose URI says what to do; the session and every other session go on.
 */
export interface SessionLimits {
  /**
   * Longest URI, in UTF-16 code units (JavaScript string length), in a CALL, PUBLISH, REGISTER
   * or SUBSCRIBE (default 1024). A longer one is refused with wamp.error.invalid_uri before it is
   * validated or looked up, so no lookup walks more. Real URIs are far shorter; the default is
   * what keeps a session at every limit below about 5 MiB, since each registration, subscription
   * and call in flight holds its URI (4096, the rxwamp client's own limit, made it 16 MiB).
   */
  readonly maxUriLength?: number;
  /** Registrations one session holds at once, shared ones included (default 1000). Over it: rxwamp.error.too_many_registrations. */
  readonly maxRegistrations?: number;
  /** Subscriptions one session holds at once (default 1000). Over it: rxwamp.error.too_many_subscriptions. */
  readonly maxSubscriptions?: number;
  /**
   * Calls one session has in flight as caller, from CALL to their RESULT or ERROR (default
   * 1000). Over it the CALL fails with rxwamp.error.too_many_calls and reaches no callee.
   */
  readonly maxCallsInFlight?: number;
  /**
   * INVOCATIONs one session has not yet answered as callee (default 1000). A call routed to a
   * callee that has this many fails with wamp.error.no_available_callee; the callee is not
   * sent it.
   */
  readonly maxPendingInvocations?: number;
}

/**
 * Every session limit, each set.
 *
 * @inline
 */
export type ResolvedSessionLimits = { readonly [K in keyof SessionLimits]-?: number };

/** The limits a router applies where its options set none (see SessionLimits for each). */
export const DEFAULT_SESSION_LIMITS: ResolvedSessionLimits = {
  maxUriLength: 1024,
  maxRegistrations: 1000,
  maxSubscriptions: 1000,
  maxCallsInFlight: 1000,
  maxPendingInvocations: 1000,
};

/** The refusal URIs of the limits that no wamp.error URI describes. */
export const LimitErrorUri = {
  /** The REGISTER would exceed `maxRegistrations`: unregister something first. */
  tooManyRegistrations: 'rxwamp.error.too_many_registrations',
  /** The SUBSCRIBE would exceed `maxSubscriptions`: unsubscribe something first. */
  tooManySubscriptions: 'rxwamp.error.too_many_subscriptions',
  /** The CALL would exceed `maxCallsInFlight`: wait for a call in flight to end, then retry. */
  tooManyCalls: 'rxwamp.error.too_many_calls',
} as const;

/** `own` over `inherited`, each value checked: a wrong one is a TypeError at construction. */
export function resolveSessionLimits(own: SessionLimits | undefined, inherited: ResolvedSessionLimits = DEFAULT_SESSION_LIMITS): ResolvedSessionLimits {
  const resolved = { ...inherited };
  for (const key of Object.keys(DEFAULT_SESSION_LIMITS) as (keyof SessionLimits)[]) {
    const value: unknown = own?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`router option sessionLimits.${key} must be a positive integer, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  return resolved;
}
