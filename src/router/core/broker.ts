import type { Codec } from '../../codec/index.js';
import { ErrorUri, MessageType, withPayload, type Dict, type PublishMessage, type SubscribeMessage, type UnsubscribeMessage } from '../../protocol/index.js';
import { randomGlobalId } from './global-ids.js';
import { boolOption, idListOption, oneOfOption, stringListOption } from './options.js';
import type { Permits, RoutedSession } from './routed-session.js';
import { DEFAULT_SESSION_LIMITS, LimitErrorUri, type ResolvedSessionLimits } from './session-limits.js';
import { SubscriptionTable } from './subscriptions.js';
import type { RealmView } from './realm-view.js';
import { refuseUri } from './uri-checks.js';

const MATCH_POLICIES = ['exact', 'prefix', 'wildcard'] as const;

/** Who may receive one publication (§7.2): every list present must pass. */
interface DeliveryFilter {
  readonly publisher: RoutedSession;
  readonly excludeMe: boolean;
  readonly exclude?: ReadonlySet<number>;
  readonly excludeAuthid?: ReadonlySet<string>;
  readonly excludeAuthrole?: ReadonlySet<string>;
  readonly eligible?: ReadonlySet<number>;
  readonly eligibleAuthid?: ReadonlySet<string>;
  readonly eligibleAuthrole?: ReadonlySet<string>;
}

/** The broker of one realm: subscriptions (exact, prefix, wildcard) and publication fan-out. */
export class Broker {
  private readonly subscriptions = new SubscriptionTable();

  /** `permits`: the realm's authorizer, asked for every SUBSCRIBE and PUBLISH; `limits`: the realm's per-session limits. */
  constructor(
    private readonly permits: Permits = () => true,
    private readonly limits: ResolvedSessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  subscribe(session: RoutedSession, [, requestId, options, topic]: SubscribeMessage): void {
    const match = oneOfOption(options, 'match', MATCH_POLICIES) ?? 'exact';
    const refused = refuseUri(topic, match, false, this.limits.maxUriLength);
    if (refused) {
      session.send([MessageType.ERROR, MessageType.SUBSCRIBE, requestId, { message: refused.message }, refused.uri]);
      return;
    }
    if (!this.permits(session, 'subscribe', topic, match)) {
      session.send([MessageType.ERROR, MessageType.SUBSCRIBE, requestId, { message: `not authorized to subscribe to "${topic}"` }, ErrorUri.notAuthorized]);
      return;
    }
    const subscription = this.subscriptions.subscribe(session, topic, match, this.limits.maxSubscriptions);
    if (!subscription) {
      const message = `this session already holds ${this.limits.maxSubscriptions} subscriptions, the router's limit`;
      session.send([MessageType.ERROR, MessageType.SUBSCRIBE, requestId, { message }, LimitErrorUri.tooManySubscriptions]);
      return;
    }
    session.send([MessageType.SUBSCRIBED, requestId, subscription.id]);
  }

  unsubscribe(session: RoutedSession, [, requestId, subscriptionId]: UnsubscribeMessage): void {
    if (this.subscriptions.unsubscribe(session, subscriptionId)) {
      session.send([MessageType.UNSUBSCRIBED, requestId]);
    } else {
      session.send([MessageType.ERROR, MessageType.UNSUBSCRIBE, requestId, {}, ErrorUri.noSuchSubscription]);
    }
  }

  publish(session: RoutedSession, [, requestId, options, topic, args, kwargs]: PublishMessage): void {
    const acknowledge = boolOption(options, 'acknowledge') === true;
    const discloseMe = boolOption(options, 'disclose_me') === true;
    const filter: DeliveryFilter = {
      publisher: session,
      excludeMe: boolOption(options, 'exclude_me') !== false,
      exclude: idListOption(options, 'exclude'),
      excludeAuthid: stringListOption(options, 'exclude_authid'),
      excludeAuthrole: stringListOption(options, 'exclude_authrole'),
      eligible: idListOption(options, 'eligible'),
      eligibleAuthid: stringListOption(options, 'eligible_authid'),
      eligibleAuthrole: stringListOption(options, 'eligible_authrole'),
    };
    const refused = refuseUri(topic, 'exact', true, this.limits.maxUriLength);
    if (refused) {
      // Without acknowledge a failed publication stays silent (§3.4).
      if (acknowledge) session.send([MessageType.ERROR, MessageType.PUBLISH, requestId, { message: refused.message }, refused.uri]);
      return;
    }
    if (!this.permits(session, 'publish', topic, 'exact')) {
      if (acknowledge)
        session.send([MessageType.ERROR, MessageType.PUBLISH, requestId, { message: `not authorized to publish to "${topic}"` }, ErrorUri.notAuthorized]);
      return;
    }
    const publicationId = randomGlobalId();
    for (const subscription of this.subscriptions.matching(topic)) {
      const details: Dict = {};
      if (subscription.match !== 'exact') details['topic'] = topic;
      if (discloseMe) {
        details['publisher'] = session.id;
        details['publisher_authid'] = session.identity?.authid;
        details['publisher_authrole'] = session.identity?.authrole;
      }
      const event = withPayload([MessageType.EVENT, subscription.id, publicationId, details, args, kwargs]);
      const encoded = new Map<Codec, string | Uint8Array | null>();
      // An EVENT over maxMessageSize in a subscriber's serializer (JSON's base64 makes binary a
      // third larger) is not sent to that subscriber; the others still get theirs.
      for (const subscriber of subscription.subscribers) {
        if (mayReceive(subscriber, filter)) subscriber.sendShared(event, encoded);
      }
    }
    if (acknowledge) session.send([MessageType.PUBLISHED, requestId, publicationId]);
  }

  /** A PUBLISH over maxMessageSize is not delivered; with acknowledge the publisher hears why (§3.4: otherwise silence). */
  refuseOversizePublish(session: RoutedSession, [, requestId, options]: PublishMessage, why: string): void {
    if (boolOption(options, 'acknowledge') === true) {
      session.send([MessageType.ERROR, MessageType.PUBLISH, requestId, { message: why }, ErrorUri.payloadSizeExceeded]);
    }
  }

  /** The subscriptions, as a snapshot (rxwamp/testing's router view). */
  view(): RealmView['subscriptions'] {
    return [...this.subscriptions.all()].map((subscription) => ({
      id: subscription.id,
      topic: subscription.uri,
      match: subscription.match,
      subscribers: [...subscription.subscribers].map((subscriber) => subscriber.id),
    }));
  }

  sessionLeft(session: RoutedSession): void {
    this.subscriptions.removeSession(session);
  }
}

function mayReceive(subscriber: RoutedSession, filter: DeliveryFilter): boolean {
  if (subscriber === filter.publisher && filter.excludeMe) return false;
  const authid = subscriber.identity?.authid ?? '';
  const authrole = subscriber.identity?.authrole ?? '';
  if (filter.exclude?.has(subscriber.id)) return false;
  if (filter.excludeAuthid?.has(authid)) return false;
  if (filter.excludeAuthrole?.has(authrole)) return false;
  if (filter.eligible && !filter.eligible.has(subscriber.id)) return false;
  if (filter.eligibleAuthid && !filter.eligibleAuthid.has(authid)) return false;
  if (filter.eligibleAuthrole && !filter.eligibleAuthrole.has(authrole)) return false;
  return true;
}
