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
  /** The session it is attached to (at most once each), and how to take it back there. */
  attachedTo: ActiveSession | undefined;
  detach: (() => void) | undefined;
}

/**
 * Every `register`/`registerStream`/`topic$` the application still holds. Each new session
 * re-establishes the whole set, so these Observables neither error nor complete across a
 * reconnect (DESIGN.md "Connection lifecycle").
 *
 * Ending an item runs application code (its Observable's observers), so that is handed to
 * `notify`, which runs it once the connection's transition in progress is done.
 */
export class DesiredSet {
  readonly #held = new Set<Held>();

  readonly #notify: (notification: () => void) => void;

  constructor(notify: (notification: () => void) => void) {
    this.#notify = notify;
  }

  /** Adds an item, attaching it to `active` now when a session is open. Returns its removal. */
  add(item: Restorable, active: ActiveSession | undefined): () => void {
    const held: Held = { item, attachedTo: undefined, detach: undefined };
    this.#held.add(held);
    if (active) this.#attach(held, active);
    return () => {
      if (!this.#held.delete(held)) return;
      const detach = held.detach;
      held.detach = undefined;
      held.attachedTo = undefined;
      detach?.();
    };
  }

  /** Attaches every item not yet attached to `active` (one added meanwhile already is). */
  attachAll(active: ActiveSession): void {
    for (const held of [...this.#held]) {
      if (!active.session.isOpen) return; // ended meanwhile: the next session restores the rest
      if (held.attachedTo !== active && this.#held.has(held)) this.#attach(held, active);
    }
  }

  endAll(error: Error, deliberate: boolean): void {
    const all = [...this.#held];
    this.#held.clear();
    for (const held of all) this.#notify(() => held.item.end(error, deliberate));
  }

  #attach(held: Held, active: ActiveSession): void {
    held.attachedTo = active;
    try {
      held.detach = held.item.attach(active);
    } catch (error) {
      held.detach = undefined;
      held.attachedTo = undefined;
      // The session ended under us: the next one restores it. Anything else is this item's own failure.
      if (error instanceof WampConnectionError) return;
      this.#held.delete(held);
      this.#notify(() => held.item.end(error instanceof Error ? error : new Error(String(error)), false));
    }
  }
}
