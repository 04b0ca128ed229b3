import { WampConnectionError } from '../protocol/errors.js';
import type { ActiveSession } from './open-session.js';

/** A registration or subscription the application holds, as the desired set keeps it. */
export interface Restorable {
  /** Establish it on this session (send REGISTER/SUBSCRIBE); returns how to take it back there. */
  attach(active: ActiveSession): () => void;
  /** The client gave up or was closed: complete or error the application's Observable. */
  end(error: Error, deliberate: boolean): void;
}

interface Held {
  readonly item: Restorable;
  detach: (() => void) | undefined;
}

/**
 * Every `register`/`registerStream`/`topic$` the application still holds. Each new session
 * re-establishes the whole set, so these Observables neither error nor complete across a
 * reconnect (DESIGN.md "Connection lifecycle").
 */
export class DesiredSet {
  private readonly held = new Set<Held>();

  /** Adds an item, attaching it to `active` now when a session is open. Returns its removal. */
  add(item: Restorable, active: ActiveSession | undefined): () => void {
    const held: Held = { item, detach: undefined };
    this.held.add(held);
    if (active) this.attach(held, active);
    return () => {
      if (!this.held.delete(held)) return;
      const detach = held.detach;
      held.detach = undefined;
      detach?.();
    };
  }

  attachAll(active: ActiveSession): void {
    for (const held of [...this.held]) {
      if (!active.session.isOpen) return; // ended meanwhile: the next session restores the rest
      this.attach(held, active);
    }
  }

  endAll(error: Error, deliberate: boolean): void {
    const all = [...this.held];
    this.held.clear();
    for (const held of all) held.item.end(error, deliberate);
  }

  private attach(held: Held, active: ActiveSession): void {
    try {
      held.detach = held.item.attach(active);
    } catch (error) {
      held.detach = undefined;
      // The session ended under us: the next one restores it. Anything else is this item's own failure.
      if (error instanceof WampConnectionError) return;
      this.held.delete(held);
      held.item.end(error instanceof Error ? error : new Error(String(error)), false);
    }
  }
}
