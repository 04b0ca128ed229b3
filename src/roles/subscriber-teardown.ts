import { Subscription, type Subscriber } from 'rxjs';

/**
 * Where a subscription keeps the teardown it was built with (rxjs's Subscription constructor
 * argument, `initialTeardown`); every Subscriber starts with it empty.
 */
interface TeardownSlot {
  closed: boolean;
  initialTeardown?: unknown;
}

let slotWorks: boolean | undefined;

/**
 * Gives `subscriber` the teardown of a subscribe function in the slot rxjs keeps for a
 * subscription's own teardown, instead of returning it. A returned teardown goes into a
 * finalizer array rxjs creates per subscription: V8 gives the array 17 slots on its first
 * push (184 bytes, held as long as the call is pending), and rxjs's Node build walks it with
 * an iterator object on unsubscribe. With 10,000 calls in flight that was most of the heap a
 * pending call holds and most of rxwamp's garbage-collector time (bench/PROFILE.md §4).
 *
 * The slot is not rxjs's public API, so it is used only after a one-time check that this rxjs
 * runs it once on unsubscribe, and only while it is empty and the subscriber open. Returns
 * false when it was not used: the caller then returns the teardown as any subscribe function does.
 */
export function setTeardown(subscriber: Subscriber<unknown>, teardown: () => void): boolean {
  slotWorks ??= checkSlot();
  return slotWorks && fill(subscriber as unknown as TeardownSlot, teardown);
}

function fill(slot: TeardownSlot, teardown: () => void): boolean {
  if (slot.closed || !('initialTeardown' in slot) || slot.initialTeardown !== undefined) return false;
  slot.initialTeardown = teardown;
  return true;
}

/** Whether this rxjs runs a filled slot exactly once when the subscription ends (Subscriber is a Subscription). */
function checkSlot(): boolean {
  let runs = 0;
  const probe = new Subscription();
  const filled = fill(probe as unknown as TeardownSlot, () => {
    runs++;
  });
  probe.unsubscribe();
  probe.unsubscribe();
  return filled && runs === 1;
}
