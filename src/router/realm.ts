import { Broker } from './broker.js';
import { Dealer } from './dealer.js';
import type { RouterSession } from './router-session.js';

/** One routing domain: sessions on the same realm reach each other, and no one else (§4.1). */
export class Realm {
  readonly sessions = new Map<number, RouterSession>();
  readonly dealer = new Dealer();
  readonly broker = new Broker();

  constructor(readonly uri: string) {}

  join(session: RouterSession): void {
    this.sessions.set(session.id, session);
  }

  /** Releases everything the session held: its calls, invocations, registrations, subscriptions. */
  leave(session: RouterSession): void {
    if (!this.sessions.delete(session.id)) return;
    this.dealer.sessionLeft(session);
    this.broker.sessionLeft(session);
  }
}
