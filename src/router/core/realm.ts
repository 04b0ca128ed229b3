import type { Authenticator, Authorizer } from './auth.js';
import { Broker } from './broker.js';
import { Dealer } from './dealer.js';
import type { RealmView } from './realm-view.js';
import type { Permits, RoutedSession } from './routed-session.js';
import { DEFAULT_SESSION_LIMITS, type ResolvedSessionLimits } from './session-limits.js';

export type { RealmView };

/**
 * One routing domain: sessions on the same realm reach each other, and no one else (§4.1).
 * Each realm has its own authentication methods and, optionally, its own authorizer.
 */
export class Realm {
  readonly sessions = new Map<number, RoutedSession>();
  readonly dealer: Dealer;
  readonly broker: Broker;
  private readonly authenticators: ReadonlyMap<string, Authenticator>;

  constructor(
    readonly uri: string,
    authenticators: readonly Authenticator[],
    authorizer: Authorizer | undefined,
    reportInternalError: (error: unknown) => void,
    /** What each session may hold here (RealmOptions.sessionLimits over RouterOptions.sessionLimits). */
    readonly limits: ResolvedSessionLimits = DEFAULT_SESSION_LIMITS,
  ) {
    this.authenticators = new Map(authenticators.map((authenticator) => [authenticator.authmethod, authenticator]));
    const permits: Permits =
      authorizer === undefined
        ? () => true
        : (session, action, uri, match) => {
            const identity = session.identity;
            if (!identity) return false;
            try {
              // Fails closed: only `true` grants, not a truthy value from an authorizer written in JavaScript.
              const verdict: unknown = authorizer({
                realm: this.uri,
                session: session.id,
                authid: identity.authid,
                authrole: identity.authrole,
                authmethod: identity.authmethod,
                action,
                uri,
                match,
              });
              return verdict === true;
            } catch (error) {
              reportInternalError(error);
              return false;
            }
          };
    this.dealer = new Dealer(permits, limits);
    this.broker = new Broker(permits, limits);
  }

  /** The authenticator for an offered authmethod, if this realm accepts it. */
  findAuthenticator(authmethod: string): Authenticator | undefined {
    return this.authenticators.get(authmethod);
  }

  /** What the realm holds now: its sessions, registrations, subscriptions and calls in flight. */
  view(): RealmView {
    const sessions = [...this.sessions.values()].flatMap((session) => {
      const identity = session.identity;
      return identity ? [{ id: session.id, authid: identity.authid, authrole: identity.authrole, authmethod: identity.authmethod }] : [];
    });
    return { sessions, ...this.dealer.view(), subscriptions: this.broker.view() };
  }

  join(session: RoutedSession): void {
    this.sessions.set(session.id, session);
  }

  /** Releases everything the session held: its calls, invocations, registrations, subscriptions. */
  leave(session: RoutedSession): void {
    if (!this.sessions.delete(session.id)) return;
    this.dealer.sessionLeft(session);
    this.broker.sessionLeft(session);
  }
}
