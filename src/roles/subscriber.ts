import { WampError } from '../protocol/errors.js';
import * as MessageType from '../protocol/message-type.js';
import { type Dict, type ErrorMessage, type EventMessage, type SubscribedMessage, type UnsubscribedMessage } from '../protocol/messages.js';
import type { Session } from '../session/session.js';
import type { SubscriptionInfo, WampEvent } from './types.js';

export type TopicMatch = 'exact' | 'prefix' | 'wildcard';

/**
 * One `topic$` subscription as the client keeps it across sessions: the subscriber role of
 * each session subscribes it and reports back.
 */
export interface TopicRequest {
  readonly topic: string;
  readonly match: TopicMatch;
  event(event: WampEvent): void;
  /** The router subscription is in place (SUBSCRIBED arrived, or it already existed). */
  subscribed(subscription: SubscriptionInfo): void;
  /** The router refused the SUBSCRIBE, or revoked the subscription later. */
  refused(error: WampError): void;
}

/**
 * One router subscription (one topic and match policy) and the local listeners sharing it.
 * At most one SUBSCRIBE or UNSUBSCRIBE of it is in flight, so a listener joining while the
 * last one leaves can never be handed an id the router is about to drop.
 */
interface TopicEntry {
  readonly key: string;
  readonly topic: string;
  readonly match: TopicMatch;
  readonly listeners: Set<TopicRequest>;
  phase: 'subscribing' | 'subscribed' | 'unsubscribing';
  subscriptionId?: number;
}

/** The subscriber role on one session. */
export class Subscriber {
  /** Subscriber features rxwamp implements (HELLO.roles.subscriber.features). */
  static readonly features: Readonly<Dict> = {
    pattern_based_subscription: true,
    publisher_identification: true,
  };

  readonly #entries = new Map<string, TopicEntry>();
  readonly #bySubscriptionId = new Map<number, TopicEntry>();
  readonly #pendingSubscribes = new Map<number, TopicEntry>();
  readonly #pendingUnsubscribes = new Map<number, TopicEntry>();

  readonly #session: Session;

  constructor(session: Session) {
    this.#session = session;
    session.route(MessageType.SUBSCRIBED, (message) => this.#onSubscribed(message));
    session.route(MessageType.UNSUBSCRIBED, (message) => this.#onUnsubscribed(message));
    session.route(MessageType.EVENT, (message) => this.#onEvent(message));
    session.routeError(MessageType.SUBSCRIBE, (message) => this.#onSubscribeError(message));
    session.routeError(MessageType.UNSUBSCRIBE, (message) => this.#unsubscribeAnswered(message[2]));
    session.onClose(() => {
      // Subscriptions belong to the client, which restores or ends them.
      this.#entries.clear();
      this.#bySubscriptionId.clear();
      this.#pendingSubscribes.clear();
      this.#pendingUnsubscribes.clear();
    });
  }

  /**
   * Adds a listener, subscribing on the router when it is the first for its topic and match;
   * returns the teardown (UNSUBSCRIBE when it was the last). Throws, sending nothing, when the
   * session has ended.
   */
  listen(request: TopicRequest): () => void {
    const key = `${request.match} ${request.topic}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const created: TopicEntry = { key, topic: request.topic, match: request.match, listeners: new Set(), phase: 'subscribing' };
      this.#subscribe(created);
      this.#entries.set(key, created);
      entry = created;
    }
    entry.listeners.add(request);
    if (entry.phase === 'subscribed') request.subscribed({ id: entry.subscriptionId!, topic: entry.topic });
    const joined = entry;
    return () => {
      if (!joined.listeners.delete(request) || joined.listeners.size > 0) return;
      if (joined.phase === 'subscribed') this.#unsubscribe(joined);
      // Still subscribing: SUBSCRIBED finds no listener and unsubscribes then.
    };
  }

  #subscribe(entry: TopicEntry): void {
    const options: Dict = entry.match === 'exact' ? {} : { match: entry.match };
    const requestId = this.#session.sendRequest([MessageType.SUBSCRIBE, 0, options, entry.topic]);
    entry.phase = 'subscribing';
    this.#pendingSubscribes.set(requestId, entry);
  }

  #unsubscribe(entry: TopicEntry): void {
    this.#bySubscriptionId.delete(entry.subscriptionId!);
    entry.phase = 'unsubscribing';
    if (!this.#session.isOpen) return;
    try {
      const requestId = this.#session.sendRequest([MessageType.UNSUBSCRIBE, 0, entry.subscriptionId!]);
      this.#pendingUnsubscribes.set(requestId, entry);
    } catch {
      this.#entries.delete(entry.key); // the session is ending: the router drops it with it
    }
  }

  #onSubscribed([, requestId, subscriptionId]: SubscribedMessage): void {
    const entry = this.#pendingSubscribes.get(requestId);
    if (entry === undefined) return;
    this.#pendingSubscribes.delete(requestId);
    entry.subscriptionId = subscriptionId;
    entry.phase = 'subscribed';
    this.#bySubscriptionId.set(subscriptionId, entry);
    if (entry.listeners.size === 0) return this.#unsubscribe(entry);
    const info: SubscriptionInfo = { id: subscriptionId, topic: entry.topic };
    this.#tellEach(entry, (listener) => listener.subscribed(info));
  }

  #onSubscribeError([, , requestId, details, uri, args, kwargs]: ErrorMessage): void {
    const entry = this.#pendingSubscribes.get(requestId);
    if (entry === undefined) return;
    this.#pendingSubscribes.delete(requestId);
    this.#entries.delete(entry.key);
    const error = new WampError(uri, { details, args, kwargs });
    this.#tellEach(entry, (listener) => listener.refused(error));
  }

  /** `[35, id]` answers our UNSUBSCRIBE; `[35, 0, {subscription}]` is a revocation (§7.7). */
  #onUnsubscribed([, requestId, details]: UnsubscribedMessage): void {
    if (requestId !== 0) return this.#unsubscribeAnswered(requestId);
    const subscriptionId = details?.['subscription'];
    const entry = typeof subscriptionId === 'number' ? this.#bySubscriptionId.get(subscriptionId) : undefined;
    if (entry === undefined) return;
    this.#bySubscriptionId.delete(subscriptionId as number);
    this.#entries.delete(entry.key);
    const error = new WampError('wamp.error.subscription_revoked', { details, message: `subscription to ${entry.topic} revoked by the router` });
    this.#tellEach(entry, (listener) => listener.refused(error));
  }

  /** UNSUBSCRIBED or an ERROR for it: the old subscription is gone; listeners that joined meanwhile get a new one. */
  #unsubscribeAnswered(requestId: number): void {
    const entry = this.#pendingUnsubscribes.get(requestId);
    if (entry === undefined) return;
    this.#pendingUnsubscribes.delete(requestId);
    entry.subscriptionId = undefined;
    if (entry.listeners.size === 0) {
      this.#entries.delete(entry.key);
      return;
    }
    try {
      this.#subscribe(entry);
    } catch {
      // Only an ending session refuses a SUBSCRIBE that went out before: the client restores it on the next one.
      this.#entries.delete(entry.key);
    }
  }

  #onEvent([, subscriptionId, publication, details, args, kwargs]: EventMessage): void {
    const entry = this.#bySubscriptionId.get(subscriptionId);
    if (entry === undefined) return; // unsubscribed meanwhile
    const topic = typeof details['topic'] === 'string' ? details['topic'] : entry.topic;
    const event: WampEvent = { args, kwargs, details, topic, publication };
    for (const listener of entry.listeners) {
      // Inline rather than through tellEach: no closure per event on the hot path.
      try {
        listener.event(event);
      } catch (error) {
        this.#session.report(error, { source: 'callback', uri: entry.topic });
      }
    }
  }

  /**
   * Tells every listener of `entry` (a snapshot: listeners may leave meanwhile). Each one's
   * observers are application code; one that throws back is reported and does not keep the
   * others from being told.
   */
  #tellEach(entry: TopicEntry, tell: (listener: TopicRequest) => void): void {
    for (const listener of [...entry.listeners]) {
      try {
        tell(listener);
      } catch (error) {
        this.#session.report(error, { source: 'callback', uri: entry.topic });
      }
    }
  }
}
