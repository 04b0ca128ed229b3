import type { Args, Dict } from '../protocol/messages.js';

/** One RESULT of a call: `progress: true` for each progressive result, `false` once for the final one. */
export interface CallResult {
  /** True for a progressive result, false for the final one (after which the call completes). */
  readonly progress: boolean;
  /** The RESULT's positional arguments (`[]` when it had none); a single value `v` arrives as `[v]`. */
  readonly args: Args;
  /** The RESULT's keyword arguments (`{}` when it had none). */
  readonly kwargs: Dict;
  /** RESULT.Details as the router sent them. */
  readonly details: Dict;
}

/**
 * How CANCEL asks the router to end a call: `skip` answers the caller at once and lets the
 * callee finish unheard; `kill` interrupts the callee and answers once it stopped;
 * `killnowait` interrupts it and answers at once.
 */
export type CancelMode = 'skip' | 'kill' | 'killnowait';

/** Options of `call$` and `callStream$`. */
export interface CallOptions {
  /** Ask for progressive results; default true whenever the router announced them. */
  readonly receiveProgress?: boolean;
  /** Router-enforced timeout in ms (CALL.Options.timeout; the router must support call_timeout). */
  readonly timeout?: number;
  /** Ask the router to disclose this caller's identity to the callee. */
  readonly discloseMe?: boolean;
  /** The CANCEL mode sent when the subscriber unsubscribes before the final result. Default `kill`. */
  readonly cancelMode?: CancelMode;
}

/**
 * Which of several callees of a shared registration gets each call: `single` allows only one
 * callee; the others let every session register the procedure with the same policy.
 */
export type InvokePolicy = 'single' | 'roundrobin' | 'random' | 'first' | 'last';

/** Options of `register`, `registerStream` and `registerDuplex`. */
export interface RegisterOptions {
  /** `prefix` or `wildcard` pattern registration; default exact. */
  readonly match?: 'exact' | 'prefix' | 'wildcard';
  /** Shared registration policy; default `single`. */
  readonly invoke?: InvokePolicy;
  /** Ask the router to disclose the caller on every invocation. */
  readonly discloseCaller?: boolean;
}

/** An active registration, emitted once the router answered REGISTERED. */
export interface Registration {
  /** The router's registration id (a new one on every session). */
  readonly id: number;
  /** The procedure URI (or pattern) registered. */
  readonly procedure: string;
}

/** INVOCATION.Details as the handler sees them. */
export interface InvocationDetails extends Dict {
  /** The caller accepts progressive results. */
  readonly receive_progress?: boolean;
  /** The URI actually called (pattern registrations). */
  readonly procedure?: string;
  /** The caller's session id, when disclosed. */
  readonly caller?: number;
  /** The caller's authid, when disclosed. */
  readonly caller_authid?: string;
  /** The caller's authrole, when disclosed. */
  readonly caller_authrole?: string;
}

/** Options of `publish`. */
export interface PublishOptions {
  /** Wait for the router's PUBLISHED (or ERROR) before resolving. Default false. */
  readonly acknowledge?: boolean;
  /** Leave the publisher out even when it subscribed to the topic. Default true (the spec's default). */
  readonly excludeMe?: boolean;
  /** Session ids that must not receive the event. */
  readonly exclude?: readonly number[];
  /** Authids whose sessions must not receive the event. */
  readonly excludeAuthid?: readonly string[];
  /** Authroles whose sessions must not receive the event. */
  readonly excludeAuthrole?: readonly string[];
  /** Only these session ids may receive the event. */
  readonly eligible?: readonly number[];
  /** Only sessions with these authids may receive the event. */
  readonly eligibleAuthid?: readonly string[];
  /** Only sessions with these authroles may receive the event. */
  readonly eligibleAuthrole?: readonly string[];
  /** Ask the router to disclose the publisher to subscribers. */
  readonly discloseMe?: boolean;
}

/** What the router answered to an acknowledged publish. */
export interface Publication {
  /** The router's publication id (the one subscribers see as `WampEvent.publication`). */
  readonly id: number;
}

/** Options of `topic$`. */
export interface SubscribeOptions {
  /** `prefix` or `wildcard` pattern subscription; default exact. */
  readonly match?: 'exact' | 'prefix' | 'wildcard';
  /**
   * Called each time the router subscription is in place for this subscriber: once SUBSCRIBED
   * arrived (or at once when another subscriber of the same topic already has it), and again
   * after it was restored on a new session. Events published after that reach it.
   */
  readonly onSubscribed?: (subscription: SubscriptionInfo) => void;
}

/** A router subscription in place (see SubscribeOptions.onSubscribed). */
export interface SubscriptionInfo {
  /** The router's subscription id (a new one on every session). */
  readonly id: number;
  /** The topic URI (or pattern) subscribed to. */
  readonly topic: string;
}

/** One EVENT received on a subscription. */
export interface WampEvent {
  /** The event's positional arguments (`[]` when it had none). */
  readonly args: Args;
  /** The event's keyword arguments (`{}` when it had none). */
  readonly kwargs: Dict;
  /** EVENT.Details as the router sent them (e.g. `publisher` when disclosed). */
  readonly details: Dict;
  /** The topic the event was published to (`details.topic` for pattern subscriptions). */
  readonly topic: string;
  /** The router's publication id, the same for every subscriber of this publication. */
  readonly publication: number;
}
