import type { MatchPolicy } from '../../protocol/index.js';
import { unusedGlobalId } from './global-ids.js';
import { PatternTable } from './pattern-table.js';
import type { RoutedSession } from './routed-session.js';

/** One topic URI with its match policy; its id is shared by every subscriber (spec §1.5). */
export class Subscription {
  readonly subscribers = new Set<RoutedSession>();
  constructor(
    readonly id: number,
    readonly uri: string,
    readonly match: MatchPolicy,
  ) {}
}

/** Every subscription of one realm, by id and by (URI, match), plus what each session holds. */
export class SubscriptionTable {
  private readonly byId = new Map<number, Subscription>();
  private readonly byPattern = new PatternTable<Subscription>();
  private readonly bySession = new Map<RoutedSession, Set<Subscription>>();

  /**
   * Adds the session (again subscribing returns the existing subscription, spec §7.1);
   * undefined when the session already holds `maxPerSession` others.
   */
  subscribe(session: RoutedSession, uri: string, match: MatchPolicy, maxPerSession: number): Subscription | undefined {
    let subscription = this.byPattern.get(uri, match);
    const held = this.bySession.get(session);
    if (subscription && held?.has(subscription)) return subscription;
    if (held && held.size >= maxPerSession) return undefined;
    if (!subscription) {
      subscription = new Subscription(unusedGlobalId(this.byId), uri, match);
      this.byId.set(subscription.id, subscription);
      this.byPattern.set(uri, match, subscription);
    }
    subscription.subscribers.add(session);
    if (held) held.add(subscription);
    else this.bySession.set(session, new Set([subscription]));
    return subscription;
  }

  /** False when the session does not hold that subscription. */
  unsubscribe(session: RoutedSession, subscriptionId: number): boolean {
    const subscription = this.byId.get(subscriptionId);
    const held = this.bySession.get(session);
    if (!subscription || !held?.has(subscription)) return false;
    held.delete(subscription);
    if (held.size === 0) this.bySession.delete(session);
    this.detach(subscription, session);
    return true;
  }

  removeSession(session: RoutedSession): void {
    const held = this.bySession.get(session);
    if (!held) return;
    this.bySession.delete(session);
    for (const subscription of held) this.detach(subscription, session);
  }

  /** Every subscription an event published to this topic goes to. */
  /** Every subscription, in the order they were made. */
  all(): IterableIterator<Subscription> {
    return this.byId.values();
  }

  matching(topic: string): Subscription[] {
    return this.byPattern.all(topic);
  }

  private detach(subscription: Subscription, session: RoutedSession): void {
    subscription.subscribers.delete(session);
    if (subscription.subscribers.size === 0) {
      this.byId.delete(subscription.id);
      this.byPattern.delete(subscription.uri, subscription.match);
    }
  }
}
