import { Subject, concat, finalize, map, of, take } from 'rxjs';
import { Final, final, ready, type WampClient } from 'rxwamp';

export const LONGOP = 'com.myapp.longop';
/** Where the callee says what happened to its streams; the app's shell shows it. */
export const CALLEE_LOG_TOPIC = 'com.myapp.longop.log';

/** The longop callee of a component test, moved on by the test instead of a timer. */
export interface SteppedLongop {
  /** Sends the next progress result of every running call (and the final one after the last). */
  step(): void;
}

/**
 * The demo's longop callee (demo/longop/callee.ts): `com.myapp.longop(n)` streams progress
 * 0 … n-1, then the final result n. Here each progress waits for the test's `step()` instead of
 * a timer, so a test decides when the bar moves and never waits on time. A stream torn down
 * before its end (what the router's INTERRUPT does after the caller's CANCEL) says so on
 * CALLEE_LOG_TOPIC, as the demo's backend does. Resolves once the procedure is registered.
 */
export async function serveSteppedLongop(callee: WampClient): Promise<SteppedLongop> {
  const steps = new Subject<void>();
  await ready(
    callee.registerStream(LONGOP, ([n]) => {
      const count = Number(n);
      let finished = false;
      return concat(
        steps.pipe(
          take(count),
          map((_, index) => index),
        ),
        of(final(count)),
      ).pipe(
        map((value) => {
          if (value instanceof Final) finished = true;
          return value;
        }),
        // Runs when the stream ends either way; before its end means an INTERRUPT stopped it.
        finalize(() => {
          if (finished) return;
          const line = `[callee] longop(${count}) stream torn down before its end: the caller cancelled`;
          // A call still running when the test ends is interrupted while the router closes: the line is then lost.
          callee.publish(CALLEE_LOG_TOPIC, [line]).catch(() => undefined);
        }),
      );
    }),
  );
  return { step: () => steps.next() };
}
