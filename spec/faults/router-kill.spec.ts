import { expect } from 'chai';
import { concat, interval, Observable, of, take } from 'rxjs';
import { final, WampClient, WampConnectionError, type ConnectionState, type Registration, type SerializerName, type WampEvent } from '../../src/index.js';
import { connectAutobahn, type AutobahnPeer } from '../helpers/autobahn-peer.js';
import { startRouterProcess, stopAllRouterProcesses, type RouterKind, type RouterProcess } from '../helpers/router-process.js';
import { until } from '../helpers/scripted-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

/**
 * A router crash in the middle of work: the router runs in a child process and is SIGKILLed
 * while 100 progressive calls stream. Every call must fail at once with the connection error,
 * every invocation being served must be torn down, and once a router is back on the same port
 * the application's registerStream and topic$ Observables serve again by themselves.
 */

const CALLS = 100;
const SERIALIZERS: Record<RouterKind, SerializerName[]> = { embedded: ['cbor', 'json'], fox: ['json'] };

for (const kind of ['embedded', 'fox'] as const) {
  describe(`faults: ${kind} router SIGKILLed during ${CALLS} progressive calls`, function () {
    this.timeout(60_000);
    let router: RouterProcess | undefined;
    let app: WampClient | undefined;
    let peer: AutobahnPeer | undefined;
    afterEach(async () => {
      await peer?.close();
      await app?.close();
      await stopAllRouterProcesses();
      peer = app = router = undefined;
    });

    it('fails every call with WampConnectionError lost, tears the invocations down, and restores registerStream and topic$ on the restarted router', async () => {
      router = await startRouterProcess({ kind });
      app = new WampClient({
        url: router.url,
        realm: router.realm,
        serializers: SERIALIZERS[kind].map(serializerEntry),
        reconnect: { initialDelay: 100, maxAttempts: 50 },
      });
      const states: ConnectionState['status'][] = [];
      app.state$.subscribe((state) => states.push(state.status));

      // The application's callee: `count(n)` streams 0..n-1 then final('done'); with no n it streams forever.
      let running = 0;
      let tornDown = 0;
      const registrations: Registration[] = [];
      const endings: unknown[] = [];
      app
        .registerStream('com.faults.count', ([n]) =>
          n === undefined
            ? new Observable<number>((subscriber) => {
                running++;
                const ticks = interval(20).subscribe(subscriber);
                return () => {
                  tornDown++;
                  ticks.unsubscribe();
                };
              })
            : concat(interval(10).pipe(take(n as number)), of(final('done'))),
        )
        .subscribe({ next: (r) => registrations.push(r), error: (e) => endings.push(e), complete: () => endings.push('complete') });
      const events: WampEvent[] = [];
      let subscribed = 0;
      app
        .topic$('com.faults.news', {
          onSubscribed: () => {
            subscribed++;
          },
        })
        .subscribe({ next: (e) => events.push(e), error: (e) => endings.push(e), complete: () => endings.push('complete') });
      await until(() => registrations.length === 1 && subscribed === 1, 10_000, 'registered and subscribed');

      // 100 calls, each streaming progress.
      const progress = new Array<number>(CALLS).fill(0);
      const errors: unknown[] = [];
      for (let i = 0; i < CALLS; i++) {
        app.call$('com.faults.count').subscribe({
          next: () => {
            progress[i]!++;
          },
          error: (e) => errors.push(e),
        });
      }
      await until(() => progress.every((n) => n > 0), 20_000, 'every call streaming');
      expect(running).to.equal(CALLS);

      const killedAt = performance.now();
      await router.kill('SIGKILL');
      await until(() => errors.length === CALLS, 10_000, `all ${CALLS} calls failed`);
      const failedAfter = performance.now() - killedAt;
      for (const error of errors) {
        expect(error).to.be.instanceOf(WampConnectionError);
        expect((error as WampConnectionError).code).to.equal('lost');
        expect((error as WampConnectionError).retryable).to.equal(true);
      }
      expect(tornDown).to.equal(CALLS);

      const restartedAt = performance.now();
      router = await router.restart();
      await until(() => registrations.length === 2 && subscribed === 2, 20_000, 'registration and subscription restored');
      const restoredAfter = performance.now() - restartedAt;

      // An independent peer calls the restored registration and publishes to the restored topic.
      peer = await connectAutobahn(router.url, router.realm);
      const seen: unknown[] = [];
      const result = await new Promise<unknown>((resolve, reject) => {
        peer!.session
          .call('com.faults.count', [3], {}, { receive_progress: true })
          .then(resolve, reject, (update) => seen.push((update as { args?: unknown[] }).args ?? update));
      });
      expect(seen.map((value) => (Array.isArray(value) ? (value[0] as unknown) : value))).to.deep.equal([0, 1, 2]);
      expect(result).to.equal('done'); // autobahn-js hands a single positional result over unwrapped
      await peer.session.publish('com.faults.news', ['after the restart'], {}, { acknowledge: true });
      await until(() => events.length === 1, 5_000, 'the event');
      expect(events[0]!.args).to.deep.equal(['after the restart']);

      // The application's Observables never noticed: no error, no completion.
      expect(endings).to.deep.equal([]);
      expect(states).to.include.members(['connecting', 'open', 'closed', 'reconnecting']);
      expect(states.at(-1)).to.equal('open');
      console.log(
        `      ${kind}: ${CALLS} calls failed ${failedAfter.toFixed(0)} ms after SIGKILL; registration and subscription restored ${restoredAfter.toFixed(0)} ms after the restart began`,
      );
    });
  });
}
