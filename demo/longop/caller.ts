import { lastValueFrom, take, tap } from 'rxjs';
import type { WampClient } from '../../src/index.js';

/** The caller side of the seed example: prints each progressive result, then the final one. */
export async function callLongop(client: WampClient, n: number, log: (line: string) => void): Promise<void> {
  await lastValueFrom(client.call$('com.myapp.longop', [n]).pipe(tap((r) => log(`${r.progress ? 'Progress:' : 'Final:'} ${String(r.args[0])}`))));
}

/** Calls again but stops listening after two progress results: unsubscribing sends CANCEL. */
export async function callLongopAndCancel(client: WampClient, n: number, log: (line: string) => void): Promise<void> {
  await lastValueFrom(
    client.call$('com.myapp.longop', [n], {}, { cancelMode: 'kill' }).pipe(
      tap((r) => log(`${r.progress ? 'Progress:' : 'Final:'} ${String(r.args[0])}`)),
      take(2),
    ),
  );
  log('[caller] unsubscribed after two progress results (CANCEL sent)');
}
