/**
 * Bundled for the browser by spec/browser/testing.spec.ts: rxwamp/testing's in-memory router
 * in a real page, with no socket and no server behind it (WebCrypto for the router's ticket
 * check, the serializers, promise-job delivery), and reports what it saw.
 */
import { concat, filter, firstValueFrom, lastValueFrom, Observable, of, take, toArray } from 'rxjs';
import { final, type SerializerName } from '../../src/index.js';
import { createTestRouter } from '../../src/testing.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

interface Report {
  readonly progress: Array<[boolean, unknown]>;
  readonly aliceRole: string | undefined;
  readonly cancel: { readonly mode: unknown; readonly interrupted: boolean; readonly tornDown: boolean };
  readonly rejoinedAfterDrop: boolean;
  readonly heldWhileFrozen: boolean;
  readonly frameKinds: string[];
}

async function scenario(name: SerializerName): Promise<Report> {
  const serializer = serializerEntry(name);
  const router = createTestRouter({ users: { alice: { ticket: 's3cret', role: 'admin' } }, serializers: name === 'json' ? ['json'] : ['json', serializer] });
  try {
    const callee = await router.client({ serializers: [serializer] });
    let tornDown = false;
    const registrations = [
      callee.registerStream('com.page.longop', ([n]) => concat(of(0, 1, 2).pipe(take(n as number)), of(final(n)))),
      callee.registerStream(
        'com.page.endless',
        () =>
          new Observable<number>((subscriber) => {
            subscriber.next(0);
            return () => {
              tornDown = true;
            };
          }),
      ),
    ];
    await Promise.all(registrations.map((registration) => new Promise((resolve, reject) => registration.subscribe({ next: resolve, error: reject }))));
    const alice = await router.client({ authid: 'alice', serializers: [serializer], reconnect: { initialDelay: 1, jitter: 0 } });
    const results = await lastValueFrom(alice.call$('com.page.longop', [3]).pipe(toArray()));

    await lastValueFrom(alice.call$('com.page.endless').pipe(take(1)));
    const cancel = await router.waitForMessage((m) => m.type === 'CANCEL');
    const interrupt = await router.waitForMessage((m) => m.type === 'INTERRUPT');
    await router.waitFor(() => tornDown);

    const firstSession = alice.session?.id;
    router.drop(alice);
    await firstValueFrom(alice.state$.pipe(filter((state) => state.status === 'open' && alice.session?.id !== firstSession)));

    router.freeze();
    const before = router.messages.length;
    const answer = lastValueFrom(alice.call$('com.page.longop', [0]));
    for (let turn = 0; turn < 20; turn++) await Promise.resolve();
    const heldWhileFrozen = router.messages.length === before;
    router.thaw();
    await answer;

    return {
      progress: results.map((result) => [result.progress, result.args[0]]),
      aliceRole: alice.session?.authrole,
      cancel: { mode: (cancel.message[2] as { mode?: unknown }).mode, interrupted: interrupt.session === callee.session?.id, tornDown },
      rejoinedAfterDrop: alice.session?.id !== firstSession,
      heldWhileFrozen,
      frameKinds: [...new Set(router.messages.map((m) => typeof m.message[0]))],
    };
  } finally {
    await router.close();
  }
}

(globalThis as { rxwampTestingScenario?: typeof scenario }).rxwampTestingScenario = scenario;
