import { concat, finalize, interval, map, of, take } from 'rxjs';
import { Final, final, type WampClient } from '../../src/index.js';

/**
 * The callee side of the seed example: `com.myapp.longop(n)` streams progress 0 … n-1, one
 * per interval, then the final result n. A stream torn down before its end (what an
 * INTERRUPT does when the caller cancels) says so.
 */
export function serveLongop(client: WampClient, intervalMs: number, log: (line: string) => void) {
  return client.registerStream('com.myapp.longop', ([n]) => {
    const count = Number(n);
    let finished = false;
    return concat(interval(intervalMs).pipe(take(count)), of(final(count))).pipe(
      map((value) => {
        if (value instanceof Final) finished = true;
        return value;
      }),
      // Runs when the stream ends either way; before its end means an INTERRUPT stopped it.
      finalize(() => {
        if (!finished) log(`[callee] longop(${count}) stream torn down before its end: the caller cancelled`);
      }),
    );
  });
}
