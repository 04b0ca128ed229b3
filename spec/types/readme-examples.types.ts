/**
 * The README's duplex and contract examples, compiled by `npm run typecheck` so they stay true
 * (spec/e2e/duplex.spec.ts runs the upload against the embedded router).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { concat, from, interval, finalize, map, mergeMap, of, scan, take } from 'rxjs';
import { final, procedure, topic, WampClient } from '../../src/index.js';

export function uploadExample(callee: WampClient, caller: WampClient): void {
  const upload = procedure<{ input: Uint8Array; progress: number; result: string }>('com.myapp.upload');

  callee
    .registerDuplex(upload, (chunks$) =>
      from(open(`/tmp/upload-${Date.now()}`, 'w')).pipe(
        mergeMap((file) =>
          concat(
            chunks$.pipe(
              mergeMap((chunk) => from(file.write(chunk)).pipe(map(() => chunk.byteLength)), 1),
              scan((stored, bytes) => stored + bytes, 0),
            ),
            of(final('stored')),
          ).pipe(finalize(() => void file.close())),
        ),
      ),
    )
    .subscribe();

  caller.callStream$(upload, createReadStream('video.mp4')).subscribe({
    next: (r) => console.log(r.progress ? `stored ${r.args[0]} bytes` : `done: ${r.args[0]}`),
    error: (error) => console.error('upload failed', error),
  });
}

export async function contractExample(client: WampClient): Promise<void> {
  const longop = procedure<{ args: [n: number]; progress: number; result: number }>('com.myapp.longop');
  const news = topic<{ args: [headline: string]; kwargs: { priority: number } }>('com.myapp.news');
  client.registerStream(longop, ([n]) => concat(interval(1000).pipe(take(n)), of(final(n)))).subscribe();
  // @ts-expect-error progress is a number
  client.registerStream(longop, () => of('zero'));
  client.call$(longop, [3]).subscribe((r) => console.log(r.progress ? 'Progress:' : 'Final:', r.args[0] + 1));
  // @ts-expect-error the argument is a number
  client.call$(longop, ['3']);
  client.topic$(news).subscribe((e) => console.log(e.args[0].toUpperCase(), e.kwargs.priority));
  // a publisher is left out of its own events unless it asks: excludeMe: false
  await client.publish(news, ['rxwamp streams both ways'], { priority: 1 }, { excludeMe: false });
}

/** The README's `onError` example ("Application code that throws"). */
export function onErrorExample(url: string, realm: string): WampClient {
  const client = new WampClient({
    url,
    realm,
    onError: (error, context) => console.warn(`rxwamp: a ${context.source} of ${context.uri ?? 'the client'} threw`, error),
  });
  return client;
}
