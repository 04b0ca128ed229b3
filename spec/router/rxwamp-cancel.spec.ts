import { expect } from 'chai';
import { finalize, interval, lastValueFrom, of, type Observable, type Subscription } from 'rxjs';
import { WampClient, type CallResult } from '../../src/index.js';
import { MessageType as M } from '../../src/protocol/index.js';
import { describeOnEachTransport, startRouter, type RouterFixture } from '../helpers/embedded-router.js';

const settle = (ms = 60) => new Promise((resolve) => setTimeout(resolve, ms));
type Mode = 'skip' | 'kill' | 'killnowait';
const MODES: readonly Mode[] = ['skip', 'kill', 'killnowait'];

/** Subscribes to a register/registerStream Observable and resolves once REGISTERED (the registration stays). */
const registered = (registration: Observable<unknown>) =>
  new Promise<void>((resolve, reject) => {
    registration.subscribe({ next: () => resolve(), error: reject });
  });

/** An rxwamp caller unsubscribes from call$ after two progress results, with each cancelMode. */
describeOnEachTransport('router: rxwamp call$ unsubscribed with each cancelMode', (transport) => {
  let fixture: RouterFixture;
  const closers: Array<() => Promise<void>> = [];
  const client = () => {
    const created = new WampClient({ ...fixture.clientOptions(), realm: fixture.realm, serializers: ['json'] });
    closers.push(() => created.close());
    return created;
  };
  /** Subscribes to call$ and unsubscribes once two progress results arrived. */
  const unsubscribeAfterTwo = (caller: WampClient, procedure: string, cancelMode: Mode) => {
    const seen: CallResult[] = [];
    let subscription: Subscription | undefined;
    const done = new Promise<void>((resolve, reject) => {
      subscription = caller.call$(procedure, [], {}, { cancelMode, receiveProgress: true }).subscribe({
        next: (result) => {
          seen.push(result);
          if (seen.length === 2) {
            subscription?.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    return { seen, done };
  };

  beforeEach(async () => {
    fixture = await startRouter(transport);
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await fixture.stop();
  });

  for (const cancelMode of MODES) {
    it(`${cancelMode}: a raw callee sees ${cancelMode === 'skip' ? 'no INTERRUPT' : `INTERRUPT ${cancelMode}`}, and the caller keeps working`, async () => {
      const callee = await fixture.joinPeer(fixture.realm);
      closers.push(() => callee.close());
      await callee.register('com.example.longop');
      const caller = client();
      const run = unsubscribeAfterTwo(caller, 'com.example.longop', cancelMode);
      const invocation = await callee.next((m) => m[0] === M.INVOCATION);
      callee.send([M.YIELD, invocation[1], { progress: true }, [0]]);
      callee.send([M.YIELD, invocation[1], { progress: true }, [1]]);
      await run.done;
      expect(run.seen.map((r) => [r.progress, r.args[0]])).to.deep.equal([
        [true, 0],
        [true, 1],
      ]);
      if (cancelMode === 'skip') {
        await settle();
        expect(callee.pending()).to.deep.equal([]);
        callee.send([M.YIELD, invocation[1], {}, ['late']]);
      } else {
        expect(await callee.next()).to.deep.equal([M.INTERRUPT, invocation[1], { mode: cancelMode, reason: 'wamp.error.canceled' }]);
        callee.send([M.ERROR, M.INVOCATION, invocation[1], {}, 'wamp.error.canceled']);
      }
      // Whatever the router sent to end the canceled call, the caller's session is fine.
      const second = caller.call$('com.example.longop', [], {}, { receiveProgress: false });
      const answer = lastValueFrom(second);
      const next = await callee.next((m) => m[0] === M.INVOCATION);
      callee.send([M.YIELD, next[1], {}, ['second']]);
      expect((await answer).args).to.deep.equal(['second']);
    });
  }

  for (const cancelMode of MODES) {
    it(`${cancelMode}: an rxwamp registerStream callee is ${cancelMode === 'skip' ? 'left running' : 'torn down'}`, async () => {
      const callee = client();
      let tornDown = false;
      await registered(
        callee.registerStream('com.example.stream', () =>
          interval(15).pipe(
            finalize(() => {
              tornDown = true;
            }),
          ),
        ),
      );
      const caller = client();
      const run = unsubscribeAfterTwo(caller, 'com.example.stream', cancelMode);
      await run.done;
      await settle(120);
      expect(tornDown).to.equal(cancelMode !== 'skip');
      // The caller can still call the same procedure afterwards.
      await registered(callee.registerStream('com.example.quick', () => of(1, 2)));
      const results = await lastValueFrom(caller.call$('com.example.quick', [], {}, { receiveProgress: false }));
      expect(results.args).to.deep.equal([2]);
    });
  }
});
