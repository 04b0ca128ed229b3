import type { Subscriber as RxSubscriber, TeardownLogic } from 'rxjs';
import { WampError } from '../protocol/errors.js';
import {
  MessageType, type Dict, type ErrorMessage, type EventMessage, type SubscribedMessage, type UnsubscribedMessage,
} from '../protocol/messages.js';
import type { Session } from '../session/session.js';
import type { SubscribeOptions, WampEvent } from './types.js';

/** One router subscription and the local listeners sharing it. */
interface TopicSubscription {
  readonly topic: string;
  readonly listeners: Set<RxSubscriber<WampEvent>>;
}

/** One `events()` subscription: its SUBSCRIBE request, then the router subscription it joined. */
interface TopicListener {
  readonly topic: string;
  readonly listener: RxSubscriber<WampEvent>;
  /** Unsubscribed before SUBSCRIBED arrived. */
  abandoned: boolean;
  subscriptionId?: number;
}

/**
 * The subscriber role on one session. A router may hand the same subscription id to several
 * SUBSCRIBEs of one session (§1.5), so listeners are counted per id and UNSUBSCRIBE goes out
 * only when the last one leaves.
 */
export class Subscriber {
  /** Subscriber features rxwamp implements (HELLO.roles.subscriber.features). */
  static readonly features: Readonly<Dict> = {
    pattern_based_subscription: true,
    publisher_identification: true,
  };

  private readonly pendingSubscribes = new Map<number, TopicListener>();
  private readonly subscriptions = new Map<number, TopicSubscription>();

  constructor(private readonly session: Session) {
    session.route(MessageType.SUBSCRIBED, (message) => this.onSubscribed(message));
    session.route(MessageType.UNSUBSCRIBED, (message) => this.onUnsubscribed(message));
    session.route(MessageType.EVENT, (message) => this.onEvent(message));
    session.routeError(MessageType.SUBSCRIBE, (message) => this.onSubscribeError(message));
    session.routeError(MessageType.UNSUBSCRIBE, () => undefined);
    session.onClose((error) => this.closeAll(error));
  }

  /** Subscribes for the client's listener; returns the teardown (UNSUBSCRIBE when last). */
  events(listener: RxSubscriber<WampEvent>, topic: string, options: SubscribeOptions): TeardownLogic {
    const wampOptions: Dict = options.match && options.match !== 'exact' ? { match: options.match } : {};
    const pending: TopicListener = { topic, listener, abandoned: false };
    const requestId = this.session.sendRequest((id) => [MessageType.SUBSCRIBE, id, wampOptions, topic]);
    this.pendingSubscribes.set(requestId, pending);
    return () => {
      if (this.pendingSubscribes.has(requestId)) {
        pending.abandoned = true;
        return;
      }
      const subscriptionId = pending.subscriptionId;
      const subscription = subscriptionId === undefined ? undefined : this.subscriptions.get(subscriptionId);
      if (subscription?.listeners.delete(listener) && subscription.listeners.size === 0) this.unsubscribe(subscriptionId!);
    };
  }

  private unsubscribe(subscriptionId: number): void {
    this.subscriptions.delete(subscriptionId);
    if (this.session.isOpen) this.session.sendRequest((id) => [MessageType.UNSUBSCRIBE, id, subscriptionId]);
  }

  private onSubscribed([, requestId, subscriptionId]: SubscribedMessage): void {
    const pending = this.pendingSubscribes.get(requestId);
    if (pending === undefined) return;
    this.pendingSubscribes.delete(requestId);
    const existing = this.subscriptions.get(subscriptionId);
    if (pending.abandoned) {
      if (existing === undefined) this.session.sendRequest((id) => [MessageType.UNSUBSCRIBE, id, subscriptionId]);
      return;
    }
    pending.subscriptionId = subscriptionId;
    if (existing) existing.listeners.add(pending.listener);
    else this.subscriptions.set(subscriptionId, { topic: pending.topic, listeners: new Set([pending.listener]) });
  }

  private onSubscribeError([, , requestId, details, uri, args, kwargs]: ErrorMessage): void {
    const pending = this.pendingSubscribes.get(requestId);
    if (pending === undefined) return;
    this.pendingSubscribes.delete(requestId);
    if (!pending.abandoned) pending.listener.error(new WampError(uri, { details, args, kwargs }));
  }

  /** `[35, id]` acknowledges our UNSUBSCRIBE; `[35, 0, {subscription}]` is a revocation (§7.7). */
  private onUnsubscribed([, requestId, details]: UnsubscribedMessage): void {
    if (requestId !== 0 || details === undefined) return;
    const subscriptionId = details['subscription'];
    const subscription = typeof subscriptionId === 'number' ? this.subscriptions.get(subscriptionId) : undefined;
    if (subscription === undefined) return;
    this.subscriptions.delete(subscriptionId as number);
    const error = new WampError('wamp.error.subscription_revoked', { details, message: `subscription to ${subscription.topic} revoked by the router` });
    for (const listener of subscription.listeners) listener.error(error);
  }

  private onEvent([, subscriptionId, publication, details, args, kwargs]: EventMessage): void {
    const subscription = this.subscriptions.get(subscriptionId);
    if (subscription === undefined) return; // unsubscribed meanwhile
    const topic = typeof details['topic'] === 'string' ? details['topic'] : subscription.topic;
    const event: WampEvent = { args, kwargs, details, topic, publication };
    for (const listener of subscription.listeners) listener.next(event);
  }

  private closeAll(error: Error): void {
    const listeners = [
      ...[...this.pendingSubscribes.values()].filter((pending) => !pending.abandoned).map((pending) => pending.listener),
      ...[...this.subscriptions.values()].flatMap((subscription) => [...subscription.listeners]),
    ];
    this.pendingSubscribes.clear();
    this.subscriptions.clear();
    const deliberate = this.session.closedByClient;
    for (const listener of listeners) {
      if (deliberate) listener.complete();
      else listener.error(error);
    }
  }
}
