import { expect } from 'chai';
import { concat, defer, finalize, firstValueFrom, interval, lastValueFrom, Observable, of, take, takeUntil, timer, toArray, type Subscription } from 'rxjs';
import { final, payload, ready, WampClient, WampError, type CallResult, type Registration, type WampEvent } from '../../src/index.js';
import { autobahn, connectAutobahn } from '../helpers/autobahn-peer.js';
import { connectWampy, type WampyCallResult } from '../helpers/wampy-peer.js';
import { ROUTERS, type RunningRouter } from '../helpers/routers.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

/** Resolves once REGISTERED arrived; the registration lasts until `stop()` (rxwamp's `ready`). */
async function registered(registration: Observable<Registration>): Promise<{ stop(): void }> {
  const held = await ready(registration);
  return { stop: () => held.unsubscribe() };
}

/** Subscribes to a topic and resolves once the router subscription is in place (onSubscribed). */
function subscribed(client: WampClient, topic: string, onEvent: (event: WampEvent) => void): Promise<Subscription> {
  return new Promise((resolve, reject) => {
    const subscription: Subscription = client.topic$(topic, { onSubscribed: () => resolve(subscription) }).subscribe({ next: onEvent, error: reject });
  });
}

function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (condition()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('condition not met in time'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

const longop = ([n]: unknown[]) => concat(interval(5).pipe(take(n as number)), of(final(n)));

for (const fixture of ROUTERS) {
  describe(`e2e through ${fixture.name}`, function () {
    let router: RunningRouter;
    const clients: WampClient[] = [];
    const newClient = (serializer = fixture.serializers[0]!) => {
      const client = new WampClient({ url: router.url, realm: router.realm, serializers: [serializerEntry(serializer)] });
      clients.push(client);
      return client;
    };

    before(async () => {
      router = await fixture.start();
    });
    after(async () => {
      await router.stop();
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((client) => client.close()));
    });

    for (const serializer of fixture.serializers) {
      it(`rxwamp caller ↔ rxwamp callee over ${serializer}: 3 progressive results, then the tagged final`, async () => {
        const callee = newClient(serializer);
        const caller = newClient(fixture.serializers[fixture.serializers.length - 1]);
        const registration = await registered(callee.registerStream('com.myapp.longop', longop));
        const results = await lastValueFrom(caller.call$('com.myapp.longop', [3]).pipe(toArray()));
        expect(results.map((r) => [r.progress, r.args[0]])).to.deep.equal([
          [true, 0],
          [true, 1],
          [true, 2],
          [false, 3],
        ]);
        registration.stop();
      });
    }

    it('connects lazily and shares one session among operations', async () => {
      const callee = newClient();
      expect(callee.session).to.equal(undefined);
      const registration = await registered(callee.register('com.myapp.add', ([a, b]) => Promise.resolve((a as number) + (b as number))));
      const sessionId = callee.session!.id;
      const [sum] = await Promise.all([firstValueFrom(callee.call$('com.myapp.add', [2, 3])), firstValueFrom(callee.call$('com.myapp.add', [4, 5]))]);
      expect(sum.args).to.deep.equal([5]);
      expect(sum.progress).to.equal(false);
      expect(callee.session!.id).to.equal(sessionId);
      registration.stop();
    });

    it('a callee ERROR arrives as a WampError', async () => {
      const callee = newClient();
      const caller = newClient();
      const registration = await registered(
        callee.registerStream('com.myapp.fails', () =>
          concat(
            of(1),
            defer(() => {
              throw new WampError('com.myapp.error.out_of_range', { args: ['too big'], kwargs: { max: 3 } });
            }),
          ),
        ),
      );
      const seen: CallResult[] = [];
      const error = await new Promise<unknown>((resolve) => caller.call$('com.myapp.fails').subscribe({ next: (r) => seen.push(r), error: resolve }));
      expect(error).to.be.instanceOf(WampError);
      const wampError = error as WampError;
      if (fixture.keepsCalleeErrors) {
        expect(wampError.uri).to.equal('com.myapp.error.out_of_range');
        expect(wampError.args).to.deep.equal(['too big']);
        expect(wampError.kwargs).to.deep.equal({ max: 3 });
      } else {
        expect(wampError.uri).to.equal('wamp.error.callee_failure'); // fox-wamp rewrites callee errors
      }
      expect(seen.map((r) => r.args)).to.deep.equal([[1]]); // the progress before the error stays delivered
      registration.stop();
    });

    it('a call to an unknown procedure errors with no_such_procedure', async () => {
      const error = await firstValueFrom(newClient().call$('com.myapp.nobody_home')).catch((e: unknown) => e);
      expect((error as WampError).uri).to.equal('wamp.error.no_such_procedure');
    });

    if (fixture.refusesDuplicateRegistrations)
      it('a second registration of the same procedure is refused', async () => {
        const first = await registered(newClient().register('com.myapp.once', () => 1));
        const error = await firstValueFrom(newClient().register('com.myapp.once', () => 2)).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(WampError);
        expect((error as WampError).uri).to.match(/procedure_already_exists|already/);
        first.stop();
      });

    it('kwargs and payload() results travel intact', async () => {
      const callee = newClient();
      const registration = await registered(callee.register('com.myapp.echo', (args, kwargs) => payload(['echo', ...args], { ...kwargs, seen: true })));
      const result = await firstValueFrom(newClient().call$('com.myapp.echo', ['a', 1], { nested: { deep: [1, 2] } }));
      expect(result.args).to.deep.equal(['echo', 'a', 1]);
      expect(result.kwargs).to.deep.equal({ nested: { deep: [1, 2] }, seen: true });
      registration.stop();
    });

    it('an autobahn-js callee using details.progress: rxwamp call$ sees every progress, then the tagged final', async () => {
      const peer = await connectAutobahn(router.url, router.realm);
      await peer.session.register('com.myapp.ab_longop', async (args, _kwargs, details) => {
        const n = args[0] as number;
        for (let i = 0; i < n; i++) {
          details.progress?.([i]);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return new autobahn.Result([n], { done: true });
      });
      const results = await lastValueFrom(newClient().call$('com.myapp.ab_longop', [3]).pipe(toArray()));
      const expected = fixture.progressToCalleesWithoutCanceling
        ? [
            [true, [0]],
            [true, [1]],
            [true, [2]],
            [false, [3]],
          ]
        : // autobahn-js announces progressive results without call_canceling; a spec-following
          // dealer therefore never asks it to stream, and it answers with the final result only.
          [[false, [3]]];
      expect(results.map((r) => [r.progress, r.args])).to.deep.equal(expected);
      expect(results[results.length - 1]!.kwargs).to.deep.equal({ done: true });
      await peer.close();
    });

    it('rxwamp registerStream → a wampy caller with progress_callback sees every progress, then the final', async () => {
      const callee = newClient();
      const registration = await registered(callee.registerStream('com.myapp.longop_for_wampy', longop));
      const wampy = await connectWampy(router.url, router.realm);
      const progress: WampyCallResult[] = [];
      const result = await wampy.call('com.myapp.longop_for_wampy', [3], {
        progress_callback: (r) => {
          progress.push(r);
        },
      });
      expect(progress.map((r) => r.argsList)).to.deep.equal([[0], [1], [2]]);
      expect(result.argsList).to.deep.equal([3]);
      await wampy.disconnect();
      registration.stop();
    });

    it('rxwamp call$ → an autobahn-js callee error arrives as a WampError', async () => {
      const peer = await connectAutobahn(router.url, router.realm);
      await peer.session.register('com.myapp.ab_fails', () => {
        throw new autobahn.Error('com.myapp.error.ab', ['no'], { why: 1 });
      });
      const error = (await firstValueFrom(newClient().call$('com.myapp.ab_fails')).catch((e: unknown) => e)) as WampError;
      expect(error).to.be.instanceOf(WampError);
      expect(error.uri).to.equal(fixture.keepsCalleeErrors ? 'com.myapp.error.ab' : 'wamp.error.callee_failure');
      if (fixture.keepsCalleeErrors) expect(error.args).to.deep.equal(['no']);
      await peer.close();
    });

    if (fixture.cancels) {
      for (const mode of ['kill', 'killnowait', 'skip'] as const) {
        it(`unsubscribing call$ (cancelMode ${mode}) ${mode === 'skip' ? 'leaves the callee stream running' : 'tears the rxwamp callee stream down'}`, async () => {
          const callee = newClient();
          let tornDown = 0;
          let emitted = 0;
          const registration = await registered(
            callee.registerStream(
              'com.myapp.endless',
              () =>
                new Observable<number>((subscriber) => {
                  const timer = setInterval(() => subscriber.next(emitted++), 5);
                  return () => {
                    clearInterval(timer);
                    tornDown++;
                  };
                }),
            ),
          );
          const caller = newClient();
          const seen = await lastValueFrom(caller.call$('com.myapp.endless', [], {}, { cancelMode: mode }).pipe(take(2), toArray()));
          expect(seen.map((r) => r.args[0])).to.deep.equal([0, 1]);
          if (mode === 'skip') {
            // A call to the same callee after the CANCEL: the router handled the CANCEL first,
            // so an INTERRUPT (there must be none) would have reached the callee before it.
            const ping = await registered(callee.register('com.myapp.endless_ping', () => 'pong'));
            expect((await firstValueFrom(caller.call$('com.myapp.endless_ping'))).args).to.deep.equal(['pong']);
            expect(tornDown).to.equal(0);
            ping.stop();
          } else {
            await until(() => tornDown === 1);
          }
          registration.stop();
        });
      }

      it('takeUntil(timer) on call$ cancels the callee stream', async () => {
        const callee = newClient();
        let tornDown = false;
        const registration = await registered(
          callee.registerStream(
            'com.myapp.slow',
            () =>
              new Observable(() => () => {
                tornDown = true;
              }),
          ),
        );
        const result = await lastValueFrom(
          newClient()
            .call$('com.myapp.slow')
            .pipe(takeUntil(timer(50)), toArray()),
        );
        expect(result).to.deep.equal([]);
        await until(() => tornDown);
        registration.stop();
      });
    } else {
      it('unsubscribing call$ sends CANCEL, which this router ignores: the call simply ends for the caller', async () => {
        const callee = newClient();
        let streamsEnded = 0;
        const registration = await registered(
          callee.registerStream('com.myapp.ignored_cancel', () =>
            interval(5).pipe(
              take(20),
              finalize(() => {
                streamsEnded++;
              }),
            ),
          ),
        );
        const caller = newClient();
        const seen = await lastValueFrom(caller.call$('com.myapp.ignored_cancel').pipe(take(2), toArray()));
        expect(seen.map((r) => r.args[0])).to.deep.equal([0, 1]);
        // Late results for the cancelled call are dropped; the session keeps working. The callee
        // streamed to its end; a round trip on its connection then follows its last YIELD.
        await until(() => streamsEnded === 1);
        await firstValueFrom(callee.call$('com.myapp.nobody_home')).catch(() => undefined);
        const again = await firstValueFrom(caller.call$('com.myapp.ignored_cancel').pipe(take(1)));
        expect(again.args).to.deep.equal([0]);
        registration.stop();
      });
    }

    it('an unregistered procedure is no longer callable', async () => {
      const callee = newClient();
      const registration = await registered(callee.register('com.myapp.temporary', () => 'here'));
      expect((await firstValueFrom(newClient().call$('com.myapp.temporary'))).args).to.deep.equal(['here']);
      registration.stop();
      // The callee's own next request is handled after its UNREGISTER (one connection, in order).
      await firstValueFrom(callee.call$('com.myapp.nobody_home')).catch(() => undefined);
      const error = await firstValueFrom(newClient().call$('com.myapp.temporary')).catch((e: unknown) => e);
      expect((error as WampError).uri).to.equal('wamp.error.no_such_procedure');
    });

    it('rxwamp publish → rxwamp topic$ subscribers, with acknowledge', async () => {
      const subscriber = newClient();
      const received: unknown[][] = [];
      const subscription = await subscribed(subscriber, 'com.myapp.news', (event) => received.push(event.args));
      const publisher = newClient();
      const ack = await publisher.publish('com.myapp.news', ['first'], {}, { acknowledge: true });
      expect(ack?.id).to.be.a('number');
      await publisher.publish('com.myapp.news', ['second', 2]);
      await until(() => received.length === 2);
      expect(received).to.deep.equal([['first'], ['second', 2]]);
      subscription.unsubscribe();
    });

    it('an autobahn-js publisher reaches an rxwamp subscriber; an rxwamp publisher reaches a wampy subscriber', async () => {
      const subscriber = newClient();
      const received: unknown[] = [];
      const subscription = await subscribed(subscriber, 'com.myapp.ab_news', (event) => received.push([event.args, event.kwargs]));
      const ab = await connectAutobahn(router.url, router.realm);
      await ab.session.publish('com.myapp.ab_news', ['from autobahn'], { k: 1 }, { acknowledge: true });
      await until(() => received.length === 1);
      expect(received).to.deep.equal([[['from autobahn'], { k: 1 }]]);
      await ab.close();
      subscription.unsubscribe();

      const wampy = await connectWampy(router.url, router.realm);
      const wampyEvents: unknown[] = [];
      await wampy.subscribe('com.myapp.to_wampy', (event) => {
        wampyEvents.push(event.argsList);
      });
      await newClient().publish('com.myapp.to_wampy', ['from rxwamp'], {}, { acknowledge: true });
      await until(() => wampyEvents.length === 1);
      expect(wampyEvents).to.deep.equal([['from rxwamp']]);
      await wampy.disconnect();
    });

    it('one registration serves 200 concurrent calls', async () => {
      const callee = newClient();
      const registration = await registered(callee.register('com.myapp.double', ([x]) => (x as number) * 2));
      const caller = newClient();
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => firstValueFrom(caller.call$('com.myapp.double', [i]))));
      expect(results.map((r) => r.args[0])).to.deep.equal(Array.from({ length: 200 }, (_, i) => i * 2));
      registration.stop();
    });
  });
}
