import type { MatchPolicy } from '../../protocol/index.js';

/** A session joined to a realm, as the router admitted it. */
export interface SessionView {
  /** WELCOME.Session. */
  readonly id: number;
  /** The identity its authenticator admitted it with. */
  readonly authid: string;
  /** Its role, as its authenticator assigned it. */
  readonly authrole: string;
  /** The authentication method that admitted it, e.g. `anonymous` or `ticket`. */
  readonly authmethod: string;
}

/** One registration: a procedure URI with its match policy, and the callees sharing it in the order they registered. */
export interface RegistrationView {
  /** The registration id (REGISTERED.Registration). */
  readonly id: number;
  /** The procedure URI (a pattern for prefix and wildcard registrations). */
  readonly procedure: string;
  /** The match policy it was registered with. */
  readonly match: MatchPolicy;
  /** The invocation policy (REGISTER.Options.invoke): `single` unless shared. */
  readonly invoke: 'single' | 'roundrobin' | 'random' | 'first' | 'last';
  /** Session ids of the callees. */
  readonly callees: readonly number[];
}

/** One subscription: a topic URI with its match policy, and its subscribers. */
export interface SubscriptionView {
  /** The subscription id (SUBSCRIBED.Subscription), shared by every subscriber. */
  readonly id: number;
  /** The topic URI (a pattern for prefix and wildcard subscriptions). */
  readonly topic: string;
  /** The match policy it was subscribed with. */
  readonly match: MatchPolicy;
  /** Session ids of the subscribers. */
  readonly subscribers: readonly number[];
}

/** One call in flight: from the caller's CALL to its RESULT or ERROR. */
export interface CallView {
  /** The procedure the caller called (for a pattern registration, the called URI). */
  readonly procedure: string;
  /** The caller's session id. */
  readonly caller: number;
  /** The caller's CALL request id. */
  readonly callerRequestId: number;
  /** The callee's session id. */
  readonly callee: number;
  /** The INVOCATION request id the callee got. */
  readonly invocationId: number;
  /** The caller asked for progressive results, and the callee can send them. */
  readonly progressive: boolean;
  /** The caller is still sending chunks (progressive call invocations). */
  readonly callerStreaming: boolean;
  /** A CANCEL (mode kill) was passed to the callee, which has not answered yet. */
  readonly cancelRequested: boolean;
}

/** What one realm holds at one moment: a snapshot, not updated afterwards. */
export interface RealmView {
  /** The sessions joined, in the order they joined. */
  readonly sessions: readonly SessionView[];
  /** The registrations, in the order they were made. */
  readonly registrations: readonly RegistrationView[];
  /** The subscriptions, in the order they were made. */
  readonly subscriptions: readonly SubscriptionView[];
  /** The calls in flight, by caller. */
  readonly calls: readonly CallView[];
}
