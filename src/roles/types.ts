import type { Args, Dict } from '../protocol/messages.js';

/** One RESULT of a call: `progress: true` for each progressive result, `false` once for the final one. */
export interface CallResult {
  readonly progress: boolean;
  readonly args: Args;
  readonly kwargs: Dict;
  readonly details: Dict;
}

export type CancelMode = 'skip' | 'kill' | 'killnowait';

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

export type InvokePolicy = 'single' | 'roundrobin' | 'random' | 'first' | 'last';

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
  readonly id: number;
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
  readonly caller_authid?: string;
  readonly caller_authrole?: string;
}

export interface PublishOptions {
  /** Wait for the router's PUBLISHED (or ERROR) before resolving. Default false. */
  readonly acknowledge?: boolean;
  /** Leave the publisher out even when it subscribed to the topic. Default true (the spec's default). */
  readonly excludeMe?: boolean;
  /** Session ids, authids or authroles that must not receive the event. */
  readonly exclude?: readonly number[];
  readonly excludeAuthid?: readonly string[];
  readonly excludeAuthrole?: readonly string[];
  /** Only these session ids, authids or authroles may receive the event. */
  readonly eligible?: readonly number[];
  readonly eligibleAuthid?: readonly string[];
  readonly eligibleAuthrole?: readonly string[];
  /** Ask the router to disclose the publisher to subscribers. */
  readonly discloseMe?: boolean;
}

/** What the router answered to an acknowledged publish. */
export interface Publication {
  readonly id: number;
}

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
  readonly topic: string;
}

/** One EVENT received on a subscription. */
export interface WampEvent {
  readonly args: Args;
  readonly kwargs: Dict;
  readonly details: Dict;
  /** The topic the event was published to (`details.topic` for pattern subscriptions). */
  readonly topic: string;
  readonly publication: number;
}
